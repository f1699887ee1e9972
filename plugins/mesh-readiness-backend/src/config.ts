/*
 * The plugin's configuration, read in one place so that plugin.ts only
 * wires. Keys are declared in config.d.ts; the Kubernetes plugin's own
 * `kubernetes.clusterLocatorMethods` is read only for what a user is shown
 * (which locator a cluster comes from, its auth provider): reaching the
 * clusters is left to the Kubernetes backend (see KubernetesBackendClient).
 */
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

export interface ManifestSourceConfig {
  name: string;
  path: string;
  istioCni?: boolean;
  ambient?: boolean;
  /** A target profile file (as the CLI's `--target`); else the folder's own `.mesh-readiness.yaml`. */
  target?: string;
}

/** A cluster the Kubernetes plugin's config names: shown even when it cannot be read. */
export interface ConfiguredCluster {
  name: string;
  locator: string;
  authProvider: string;
  /** With `authProvider: oidc`: which sign-in provider's token it takes. */
  oidcTokenProvider?: string;
}

export interface MeshReadinessConfig {
  manifestSources: ManifestSourceConfig[];
  /** How long one cluster's read may take. */
  clusterTimeoutMs: number;
  /** How many clusters one replica reads at once. */
  scanConcurrency: number;
  /** When each cluster is read (one scheduler task per cluster), and when the clusters are looked up. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  kubernetes: {
    /** Whether the Kubernetes plugin has any cluster locator, so its backend is asked for clusters. */
    enabled: boolean;
    /** The locator types, in config order (`config`, `catalog`, `gke`, `localKubectlProxy`, ...). */
    locatorTypes: string[];
    /** The clusters of its `config` and `localKubectlProxy` locators, known without asking anyone. */
    configuredClusters: ConfiguredCluster[];
  };
}

/** The cluster `localKubectlProxy` gives, as the Kubernetes plugin names it. */
export const LOCAL_KUBECTL_PROXY_CLUSTER = 'local';

function readKubernetes(config: Config): MeshReadinessConfig['kubernetes'] {
  const locators =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const configuredClusters: ConfiguredCluster[] = [];
  const locatorTypes: string[] = [];
  for (const locator of locators) {
    const type = locator.getString('type');
    locatorTypes.push(type);
    if (type === 'localKubectlProxy') {
      configuredClusters.push({
        name: LOCAL_KUBECTL_PROXY_CLUSTER,
        locator: type,
        authProvider: 'localKubectlProxy',
      });
    }
    if (type !== 'config') continue;
    for (const cluster of locator.getOptionalConfigArray('clusters') ?? []) {
      configuredClusters.push({
        name: cluster.getString('name'),
        locator: type,
        authProvider:
          cluster.getOptionalString('authProvider') ?? 'serviceAccount',
        oidcTokenProvider: cluster.getOptionalString('oidcTokenProvider'),
      });
    }
  }
  return { enabled: locators.length > 0, locatorTypes, configuredClusters };
}

/** Clusters one replica reads at once unless `meshReadiness.scan.concurrency` says otherwise. */
export const DEFAULT_SCAN_CONCURRENCY = 4;

function readScanConcurrency(config: Config): number {
  const key = 'meshReadiness.scan.concurrency';
  if (!config.has(key)) return DEFAULT_SCAN_CONCURRENCY;
  const value = config.getOptional(key);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(
      `Invalid config at ${key}: expected a whole number of clusters read at once, at least 1 (default ${DEFAULT_SCAN_CONCURRENCY}), got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

export function readMeshReadinessConfig(config: Config): MeshReadinessConfig {
  const clusterTimeoutMs =
    (config.getOptionalNumber('meshReadiness.clusterTimeoutSeconds') ?? 60) *
    1000;
  const manifestSources = (
    config.getOptionalConfigArray('meshReadiness.manifestSources') ?? []
  ).map(c => ({
    name: c.getString('name'),
    path: c.getString('path'),
    istioCni: c.getOptionalBoolean('istioCni'),
    ambient: c.getOptionalBoolean('ambient'),
    target: c.getOptionalString('target'),
  }));
  // Each cluster is its own scheduler task: read on one replica at a time,
  // whichever has a free slot. A backend stopped mid-read holds the
  // cluster's task until its timeout passes; then another replica (or this
  // one, restarted) reads it again.
  const schedule: SchedulerServiceTaskScheduleDefinition = config.has(
    'meshReadiness.schedule',
  )
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('meshReadiness.schedule'),
      )
    : {
        frequency: {
          minutes:
            config.getOptionalNumber('meshReadiness.scanIntervalMinutes') ?? 10,
        },
        timeout: { seconds: Math.max(300, (2 * clusterTimeoutMs) / 1000) },
        initialDelay: { seconds: 3 },
      };
  return {
    manifestSources,
    clusterTimeoutMs,
    scanConcurrency: readScanConcurrency(config),
    schedule,
    kubernetes: readKubernetes(config),
  };
}
