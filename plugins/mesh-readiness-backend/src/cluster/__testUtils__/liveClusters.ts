/*
 * For the tests against the throwaway kube-apiserver (scripts/kube): the
 * Kubernetes plugin's real backend with one `config` cluster per identity
 * given, all on that API server, and our sources reading them through its
 * proxy, as a deployed portal does.
 */
import { KubernetesClusterSource } from '../../service/KubernetesClusterSource';
import { startKubernetesBackend } from './kubernetesBackend';

/** A `config` cluster of the Kubernetes plugin on the test API server (or a relay in front of it). */
export const testCluster = (
  name: string,
  token: string,
  url = process.env.MR_KUBE_SERVER!,
) => ({
  name,
  url,
  authProvider: 'serviceAccount',
  serviceAccountToken: token,
  caData: process.env.MR_KUBE_CA_DATA,
});

export async function startLiveClusters(
  clusters: Array<ReturnType<typeof testCluster>>,
) {
  const kubernetes = await startKubernetesBackend({
    clusterLocatorMethods: [{ type: 'config', clusters }],
  });
  return {
    client: kubernetes.client,
    source: (name: string, options: { pageSize?: number } = {}) =>
      new KubernetesClusterSource({
        name,
        locator: 'config',
        authProvider: 'serviceAccount',
        client: kubernetes.client,
        ...options,
      }),
    stop: kubernetes.stop,
  };
}
