/*
 * Mesh Readiness with the Kubernetes plugin's real backend beside it, in
 * one test backend, as an adopter's portal runs them: the `kubernetes`
 * config given, the catalog's entities given, and a client of our HTTP
 * API as a signed-in user.
 */
import request from 'supertest';
import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { meshReadinessPlugin } from '../../plugin';

/** A Component mapped to the workloads labelled `backstage.io/kubernetes-id=<id>`. */
export const mappedComponent = (id: string, name = 'web'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': id },
  },
  spec: { type: 'service', owner: 'shop-team' },
});

export interface MeshReadinessBackendOptions {
  /** The Kubernetes plugin's config: `clusterLocatorMethods` and whatever else it takes. */
  kubernetes: Record<string, unknown>;
  meshReadiness?: Record<string, unknown>;
  entities: Entity[];
  /** More service factories (a capturing logger, a database to look into). */
  services?: BackendFeature[];
}

export async function startMeshReadinessBackend(
  options: MeshReadinessBackendOptions,
) {
  const backend = await startTestBackend({
    features: [
      meshReadinessPlugin,
      kubernetesPlugin,
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        // Test configs are plain JSON written in the test, as app-config would be.
        data: JSON.parse(
          JSON.stringify({
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              ...options.kubernetes,
            },
            meshReadiness: options.meshReadiness,
          }),
        ),
      }),
      catalogServiceMock.factory({ entities: options.entities }),
    ],
  });
  return {
    backend,
    /** GET on /api/mesh-readiness as a signed-in user, with any more headers (a user's cluster credentials). */
    get: (path: string, headers: Record<string, string> = {}) =>
      request(backend.server)
        .get(`/api/mesh-readiness${path}`)
        .set('Authorization', mockCredentials.user.header())
        .set(headers),
    stop: () => backend.stop(),
  };
}
