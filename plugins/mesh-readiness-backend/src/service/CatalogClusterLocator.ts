/*
 * The clusters of the Kubernetes plugin's `catalog` cluster locator:
 * catalog entities of kind Resource and `spec.type: kubernetes-cluster`,
 * looked up with the plugin's own credentials when a scan starts, so a
 * cluster added to the catalog is read by the next scan.
 *
 * It accepts what Backstage's Kubernetes backend accepts from the catalog
 * and no more. An entity's annotations are written by whoever may register
 * an entity, so its API server URL is not trusted: the URL must be HTTPS
 * and resolve to public addresses unless the locator's
 * `dangerouslyAllowClusterUrls` names its host, `kubernetes.io/skip-tls-verify`
 * counts only with the locator's `dangerouslyAllowSkipTLSVerify`, and the
 * `serviceAccount` auth provider is refused (it would send the backend's own
 * token to that URL). Only clusters the backend reaches without credentials
 * (auth provider `localKubectlProxy`, a kubectl proxy) are read here.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { KubernetesClusterSource } from './KubernetesClusterSource';

/** The Kubernetes plugin's annotations on a cluster entity (`@backstage/plugin-kubernetes-common`). */
export const ANNOTATION_API_SERVER = 'kubernetes.io/api-server';
export const ANNOTATION_API_SERVER_CA = 'kubernetes.io/api-server-certificate-authority';
export const ANNOTATION_AUTH_PROVIDER = 'kubernetes.io/auth-provider';
export const ANNOTATION_SKIP_TLS_VERIFY = 'kubernetes.io/skip-tls-verify';

/** Addresses a catalog cluster may not point at unless its host is allowed by name. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

function isNonPublic(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d), whatever address it carries. (The
  // list would match it against the IPv4 ranges; a ::ffff:0:0/96 range
  // would match every IPv4 address too.)
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `*.example.com` matches example.com and its subdomains; anything else matches the host exactly. */
function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return patterns.some(p => {
    const pattern = p.toLowerCase();
    return pattern.startsWith('*.') ? host === pattern.slice(2) || host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

/** Why the backend must not call this API server URL, or undefined when it may. */
export async function clusterUrlProblem(raw: string, allowedHosts: readonly string[]): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'its API server URL is not a valid URL';
  }
  if (url.username || url.password) return 'its API server URL must not contain credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'its API server URL must be http or https';
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (hostAllowed(host, allowedHosts)) return undefined;
  const allow = `(or list its host in the catalog locator's dangerouslyAllowClusterUrls)`;
  if (url.protocol !== 'https:') return `its API server URL must use HTTPS ${allow}`;
  if (isIP(host)) return isNonPublic(host) ? `its API server URL is a non-public address ${allow}` : undefined;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch (e) {
    return `its API server host ${host} does not resolve (${(e as NodeJS.ErrnoException)?.code ?? e})`;
  }
  return addresses.some(a => isNonPublic(a.address))
    ? `its API server host ${host} resolves to a non-public address ${allow}`
    : undefined;
}

interface LocatorOptions {
  allowedHosts: string[];
  allowSkipTLSVerify: boolean;
}

export class CatalogClusterLocator {
  private constructor(
    private readonly options: LocatorOptions,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
  ) {}

  /**
   * From the `catalog` entries of `kubernetes.clusterLocatorMethods`, with
   * the same options the Kubernetes backend reads there; undefined when
   * there is none. Every entry reads the same entities, so only the first
   * counts (the rest are returned as skipped).
   */
  static fromConfig(
    locators: Config[],
    deps: { catalog: CatalogService; auth: AuthService; logger: LoggerService },
  ): { locator?: CatalogClusterLocator; skipped: string[] } {
    const [first, ...rest] = locators;
    const skipped = rest.map(
      (_, i) => `cluster locator "catalog" #${i + 2}: the first catalog locator already reads every kubernetes-cluster Resource`,
    );
    if (!first) return { skipped };
    const options = {
      allowedHosts: first.getOptionalStringArray('dangerouslyAllowClusterUrls') ?? [],
      allowSkipTLSVerify: first.getOptionalBoolean('dangerouslyAllowSkipTLSVerify') ?? false,
    };
    return { locator: new CatalogClusterLocator(options, deps.catalog, deps.auth, deps.logger), skipped };
  }

  /**
   * A source for each cluster entity that can be read now. An entity that
   * cannot, or whose name another cluster source (in `taken`) or an earlier
   * entity already has, is skipped with a warning naming it; the others are
   * still returned.
   */
  async sources(taken: ReadonlySet<string>): Promise<KubernetesClusterSource[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const names = new Set(taken);
    const sources: KubernetesClusterSource[] = [];
    for (const entity of items) {
      const ref = stringifyEntityRef(entity);
      const found = await this.toSource(entity, ref);
      if (typeof found === 'string') {
        this.logger.warn(`Mesh readiness: skipping catalog cluster ${ref}: ${found}`);
        continue;
      }
      if (names.has(found.name)) {
        this.logger.warn(
          `Mesh readiness: skipping catalog cluster ${ref}: another cluster source is already named "${found.name}"`,
        );
        continue;
      }
      names.add(found.name);
      sources.push(found);
    }
    return sources;
  }

  /** The source for one entity, or why it is skipped. Never reads a token from the catalog. */
  private async toSource(entity: Entity, ref: string): Promise<KubernetesClusterSource | string> {
    const annotations = entity.metadata.annotations ?? {};
    const url = annotations[ANNOTATION_API_SERVER]?.trim();
    if (!url) return `it has no ${ANNOTATION_API_SERVER} annotation (the URL of its API server)`;
    const auth = annotations[ANNOTATION_AUTH_PROVIDER];
    if (auth === undefined) return `it has no ${ANNOTATION_AUTH_PROVIDER} annotation`;
    // The Kubernetes plugin only looks up entities that have all three annotations.
    if (annotations[ANNOTATION_API_SERVER_CA] === undefined) {
      return `it has no ${ANNOTATION_API_SERVER_CA} annotation, which the Kubernetes plugin requires (it may be empty)`;
    }
    if (auth === 'serviceAccount') {
      return (
        'the serviceAccount auth provider is not allowed on catalog clusters (the Kubernetes plugin refuses it too: ' +
        'the backend would send its own token to a URL any catalog author chooses); configure the cluster ' +
        'under a `config` cluster locator instead'
      );
    }
    if (auth !== 'localKubectlProxy') return `auth provider "${auth}" is not supported by mesh-readiness yet`;
    const problem = await clusterUrlProblem(url, this.options.allowedHosts);
    if (problem) return problem;
    let skipTLSVerify = false;
    if (annotations[ANNOTATION_SKIP_TLS_VERIFY] === 'true') {
      if (this.options.allowSkipTLSVerify) skipTLSVerify = true;
      else {
        this.logger.warn(
          `Mesh readiness: catalog cluster ${ref}: ${ANNOTATION_SKIP_TLS_VERIFY} is ignored without dangerouslyAllowSkipTLSVerify on the catalog locator`,
        );
      }
    }
    return new KubernetesClusterSource({
      name: entity.metadata.name,
      url,
      caData: annotations[ANNOTATION_API_SERVER_CA] || undefined,
      // Plain HTTP (allowed by name above) has no TLS to verify; client-node wants this said.
      skipTLSVerify: skipTLSVerify || new URL(url).protocol === 'http:',
    });
  }
}
