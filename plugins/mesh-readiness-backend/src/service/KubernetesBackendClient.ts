/*
 * Talks to the Kubernetes plugin's backend, which reaches the clusters for
 * us: `GET /api/kubernetes/clusters` lists every cluster its locators find
 * (config, catalog, gke, localKubectlProxy, custom suppliers), and
 * `/api/kubernetes/proxy/<path>` with the `Backstage-Kubernetes-Cluster`
 * header forwards one Kubernetes API call with the credentials its auth
 * strategy for that cluster gives (permission `kubernetes.proxy`, audited
 * there). Nothing about a cluster's URL, CA or token passes through here.
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** The header naming the cluster, as the Kubernetes plugin's proxy reads it. */
export const HEADER_KUBERNETES_CLUSTER = 'Backstage-Kubernetes-Cluster';
/** The prefix of the headers carrying a user's own cluster credentials (`...-google`, `...-oidc-okta`, `...-aks`). */
export const HEADER_KUBERNETES_AUTH_PREFIX =
  'backstage-kubernetes-authorization';

/** One entry of `GET /api/kubernetes/clusters`. */
export interface KubernetesClusterInfo {
  name: string;
  title?: string;
  authProvider: string;
  oidcTokenProvider?: string;
}

/**
 * Who a request is made for: the plugin itself (a scheduled scan), or a
 * signed-in user with the credentials their browser got for the cluster.
 * The headers live only as long as one scan; they are never stored or logged.
 */
export interface KubernetesCaller {
  credentials?: BackstageCredentials;
  /** `Backstage-Kubernetes-Authorization-*` headers, exactly as the Kubernetes plugin's frontend sends them. */
  clusterAuthHeaders?: Record<string, string>;
}

/** Picks the user's cluster credential headers out of an incoming request's headers. */
export function clusterAuthHeadersOf(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      name.toLowerCase().startsWith(HEADER_KUBERNETES_AUTH_PREFIX) &&
      typeof value === 'string'
    ) {
      picked[name.toLowerCase()] = value;
    }
  }
  return picked;
}

export interface KubernetesBackendClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
}

export class KubernetesBackendClient {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;

  constructor(options: KubernetesBackendClientOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
  }

  /** A fresh token for the Kubernetes backend, as the plugin or on behalf of the caller. */
  private async token(caller?: KubernetesCaller): Promise<string> {
    const onBehalfOf =
      caller?.credentials ?? (await this.auth.getOwnServiceCredentials());
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: 'kubernetes',
    });
    return token;
  }

  /** Every cluster the Kubernetes plugin's locators find now. */
  async listClusters(signal?: AbortSignal): Promise<KubernetesClusterInfo[]> {
    const base = await this.discovery.getBaseUrl('kubernetes');
    const response = await fetch(`${base}/clusters`, {
      headers: { authorization: `Bearer ${await this.token()}` },
      signal,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const body = (await response.json()) as { items?: KubernetesClusterInfo[] };
    return body.items ?? [];
  }

  /**
   * One Kubernetes API call on a cluster through the proxy. A 401 (a
   * token that expired mid-scan, ours or the cluster's) is retried once:
   * the retry carries a new Backstage token, and the proxy asks the
   * cluster's auth strategy for its credential again.
   */
  async request(
    cluster: string,
    path: string,
    options: {
      method?: string;
      body?: unknown;
      signal?: AbortSignal;
      caller?: KubernetesCaller;
    } = {},
  ): Promise<Response> {
    const base = await this.discovery.getBaseUrl('kubernetes');
    const send = async () =>
      fetch(`${base}/proxy${path}`, {
        method: options.method ?? 'GET',
        headers: {
          ...options.caller?.clusterAuthHeaders,
          authorization: `Bearer ${await this.token(options.caller)}`,
          [HEADER_KUBERNETES_CLUSTER]: cluster,
          accept: 'application/json',
          ...(options.body !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
        },
        body:
          options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    const first = await send();
    if (first.status !== 401) return first;
    await first.body?.cancel();
    return send();
  }
}
