/*
 * A signed-in user's own credentials for the clusters whose auth provider
 * needs them (google, oidc, aks), from the Kubernetes plugin's auth
 * providers API, in the headers its frontend sends them in
 * (`Backstage-Kubernetes-Authorization-<provider>[-<oidc provider>]`).
 * They go with one Scan now request and are never kept.
 */
import { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import { ClusterStatus } from '@mesh-readiness/plugin-mesh-readiness-common';

export async function userClusterCredentials(
  clusters: ClusterStatus[],
  authProviders: KubernetesAuthProvidersApi,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const cluster of clusters) {
    if (!cluster.needsSignedInUser || !cluster.authProvider) continue;
    const provider =
      cluster.authProvider === 'oidc' && cluster.oidcTokenProvider
        ? `oidc.${cluster.oidcTokenProvider}`
        : cluster.authProvider;
    const header = `Backstage-Kubernetes-Authorization-${cluster.authProvider}${
      cluster.authProvider === 'oidc' && cluster.oidcTokenProvider
        ? `-${cluster.oidcTokenProvider}`
        : ''
    }`;
    if (headers[header]) continue;
    const { token } = await authProviders.getCredentials(provider);
    if (token) headers[header] = token;
  }
  return headers;
}
