/*
 * Mesh Readiness for the legacy frontend system (createPlugin).
 */
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { meshReadinessApiRef } from './api/MeshReadinessApi';
import { MeshReadinessClient } from './api/MeshReadinessClient';

export const rootRouteRef = createRouteRef({ id: 'mesh-readiness' });

export const meshReadinessPlugin = createPlugin({
  id: 'mesh-readiness',
  apis: [
    createApiFactory({
      api: meshReadinessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshReadinessClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** For an `EntityLayout.Route path="/mesh-readiness"` on components. */
export const EntityMeshReadinessContent = meshReadinessPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshReadinessContent',
    component: {
      lazy: () =>
        import('./components/EntityMeshReadinessContent').then(
          m => m.EntityMeshReadinessContent,
        ),
    },
  }),
);

/** For an `EntityLayout.Route path="/mesh-readiness"` on groups. */
export const EntityGroupMeshReadinessContent = meshReadinessPlugin.provide(
  createComponentExtension({
    name: 'EntityGroupMeshReadinessContent',
    component: {
      lazy: () =>
        import('./components/GroupScorecardContent').then(
          m => m.GroupMeshReadinessContent,
        ),
    },
  }),
);

/** The onboarding checklist card for a component's overview. */
export const EntityMeshReadinessChecklistCard = meshReadinessPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshReadinessChecklistCard',
    component: {
      lazy: () =>
        import('./components/OnboardingChecklistCard').then(
          m => m.OnboardingChecklistCard,
        ),
    },
  }),
);

/** The organisation page. */
export const MeshReadinessPage = meshReadinessPlugin.provide(
  createRoutableExtension({
    name: 'MeshReadinessPage',
    component: () =>
      import('./components/OrganizationPage').then(m => m.MeshReadinessPage),
    mountPoint: rootRouteRef,
  }),
);
