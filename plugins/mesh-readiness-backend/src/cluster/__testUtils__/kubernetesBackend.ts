/*
 * The Kubernetes plugin's real backend in a test backend, configured with
 * the given `kubernetes` config, and a client of it as mesh-readiness
 * makes one: what stands between our sources and a cluster in production.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { KubernetesBackendClient } from '../../service/KubernetesBackendClient';

export async function startKubernetesBackend(
  kubernetes: Record<string, unknown>,
  options: { entities?: Entity[] } = {},
) {
  const backend = await startTestBackend({
    features: [
      kubernetesPlugin,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            ...kubernetes,
          },
        },
      }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
    ],
  });
  const port = backend.server.port();
  const client = new KubernetesBackendClient({
    discovery: {
      getBaseUrl: async (pluginId: string) =>
        `http://localhost:${port}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `http://localhost:${port}/api/${pluginId}`,
    },
    auth: mockServices.auth({ pluginId: 'mesh-readiness' }),
  });
  return { backend, client, stop: () => backend.stop() };
}
