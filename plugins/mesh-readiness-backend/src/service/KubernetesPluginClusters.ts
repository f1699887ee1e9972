/*
 * The clusters the Kubernetes plugin reads, as mesh-readiness sources.
 * Those its `config` and `localKubectlProxy` locators name are known from
 * config and always shown, read or not. The rest (its `catalog` and `gke`
 * locators, custom cluster suppliers) are whatever its backend lists when a
 * scan starts, so a cluster added there is read by the next scan.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfiguredCluster } from '../config';
import {
  KubernetesBackendClient,
  KubernetesClusterInfo,
} from './KubernetesBackendClient';
import { KubernetesClusterSource } from './KubernetesClusterSource';

/** Locators whose clusters config names. */
const NAMED_IN_CONFIG = new Set(['config', 'localKubectlProxy']);

export interface KubernetesPluginClustersOptions {
  client: KubernetesBackendClient;
  configured: ConfiguredCluster[];
  locatorTypes: string[];
  logger: LoggerService;
}

export class KubernetesPluginClusters {
  private readonly client: KubernetesBackendClient;
  private readonly logger: LoggerService;
  /** What a listed cluster config does not name came from: the other locators, or a module's supplier. */
  private readonly otherLocator: string;
  readonly configuredSources: KubernetesClusterSource[];

  constructor(options: KubernetesPluginClustersOptions) {
    this.client = options.client;
    this.logger = options.logger;
    const others = [
      ...new Set(options.locatorTypes.filter(t => !NAMED_IN_CONFIG.has(t))),
    ];
    this.otherLocator =
      others.length > 0
        ? others.join(' or ')
        : 'a cluster supplier of the Kubernetes plugin';
    this.configuredSources = options.configured.map(
      c => new KubernetesClusterSource({ ...c, client: this.client }),
    );
  }

  private sourceFor(cluster: KubernetesClusterInfo): KubernetesClusterSource {
    return new KubernetesClusterSource({
      name: cluster.name,
      locator: this.otherLocator,
      authProvider: cluster.authProvider,
      oidcTokenProvider: cluster.oidcTokenProvider,
      client: this.client,
    });
  }

  /**
   * A source for each cluster the Kubernetes backend lists now that config
   * does not name. One whose name another source (in `taken`) has is left
   * out with a warning naming it: that source keeps the name.
   */
  async lookUp(taken: ReadonlySet<string>): Promise<KubernetesClusterSource[]> {
    const configured = new Set(this.configuredSources.map(s => s.name));
    const found: KubernetesClusterSource[] = [];
    for (const cluster of await this.client.listClusters()) {
      if (configured.has(cluster.name)) continue;
      if (taken.has(cluster.name)) {
        this.logger.warn(
          `Mesh readiness: the Kubernetes plugin's cluster "${cluster.name}" is not read: another cluster source is already named so`,
        );
        continue;
      }
      found.push(this.sourceFor(cluster));
    }
    return found;
  }
}
