/*
 * For the tests that run against the throwaway kube-apiserver of
 * `yarn test:cluster` and `yarn test:reliability` (scripts/kube): a client
 * acting as its admin, to create what a test reads back.
 */
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

export function adminClient(): KubernetesObjectApi {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'real', server: process.env.MR_KUBE_SERVER!, caData: process.env.MR_KUBE_CA_DATA }],
    users: [{ name: 'admin', token: process.env.MR_KUBE_ADMIN_TOKEN }],
    contexts: [{ name: 'real', cluster: 'real', user: 'admin' }],
    currentContext: 'real',
  });
  return KubernetesObjectApi.makeApiClient(kc);
}
