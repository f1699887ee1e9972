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

/**
 * The organisation page's route, for binding from other plugins.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'mesh-readiness' });

/**
 * Mesh Readiness for the legacy frontend system.
 *
 * @public
 */
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

/**
 * For an `EntityLayout.Route path="/mesh-readiness"` on components.
 *
 * @public
 */
export const EntityMeshReadinessContent: () => JSX.Element =
  meshReadinessPlugin.provide(
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

/**
 * For an `EntityLayout.Route path="/mesh-readiness"` on groups.
 *
 * @public
 */
export const EntityGroupMeshReadinessContent: () => JSX.Element =
  meshReadinessPlugin.provide(
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

/**
 * The onboarding checklist card for a component's overview.
 *
 * @public
 */
export const EntityMeshReadinessChecklistCard: (props: {
  tabPath?: string;
}) => JSX.Element = meshReadinessPlugin.provide(
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

/**
 * The organisation page, with its header.
 *
 * @public
 */
export const MeshReadinessPage: () => JSX.Element = meshReadinessPlugin.provide(
  createRoutableExtension({
    name: 'MeshReadinessPage',
    component: () =>
      import('./components/OrganizationPage').then(m => m.MeshReadinessPage),
    mountPoint: rootRouteRef,
  }),
);
