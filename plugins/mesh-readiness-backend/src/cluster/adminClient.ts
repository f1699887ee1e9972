/*
 * For the tests that run against the throwaway kube-apiserver of
 * `yarn test:cluster` and `yarn test:reliability` (scripts/kube): clients
 * acting as its admin, to create what a test reads back.
 */
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';

function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'real',
        server: process.env.MR_KUBE_SERVER!,
        caData: process.env.MR_KUBE_CA_DATA,
      },
    ],
    users: [{ name: 'admin', token: process.env.MR_KUBE_ADMIN_TOKEN }],
    contexts: [{ name: 'real', cluster: 'real', user: 'admin' }],
    currentContext: 'real',
  });
  return kc;
}

export function adminClient(): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(adminKubeConfig());
}

/** For what the generic object client cannot reach: subresources such as a pod's ephemeral containers. */
export function adminCoreClient(): CoreV1Api {
  return adminKubeConfig().makeApiClient(CoreV1Api);
}
