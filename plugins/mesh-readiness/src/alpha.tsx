/**
 * Mesh Readiness for Backstage's new frontend system: installed by
 * `app.packages: all` with no code change.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import TrafficIcon from '@material-ui/icons/Traffic';
import { meshReadinessApiRef } from './api/MeshReadinessApi';
import { MeshReadinessClient } from './api/MeshReadinessClient';

const rootRouteRef = createRouteRef();

/**
 * The Mesh Readiness client, under `meshReadinessApiRef`.
 *
 * @alpha
 */
export const meshReadinessApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meshReadinessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshReadinessClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The Mesh Readiness tab on every Component, in the entity page's
 * "Operation" group.
 *
 * @alpha
 */
export const meshReadinessEntityContent = EntityContentBlueprint.make({
  name: 'component',
  params: {
    path: '/mesh-readiness',
    title: 'Mesh Readiness',
    group: 'operation',
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EntityMeshReadinessContent').then(m => (
        <m.EntityMeshReadinessContent />
      )),
  },
});

/**
 * The team scorecard tab on Groups.
 *
 * @alpha
 */
export const meshReadinessGroupContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: '/mesh-readiness',
    title: 'Mesh Readiness',
    filter: { kind: 'group' },
    loader: () =>
      import('./components/GroupScorecardContent').then(m => (
        <m.GroupMeshReadinessContent />
      )),
  },
});

/**
 * The onboarding checklist on a component's overview.
 *
 * @alpha
 */
export const meshReadinessChecklistCard = EntityCardBlueprint.make({
  name: 'onboarding-checklist',
  params: {
    filter: { kind: 'component' },
    loader: () =>
      import('./components/OnboardingChecklistCard').then(m => (
        <m.OnboardingChecklistCard />
      )),
  },
});

/**
 * The organisation page, in the sidebar. The blueprint draws the page's
 * header, so the content comes without one of its own.
 *
 * @alpha
 */
export const meshReadinessPage = PageBlueprint.make({
  params: {
    path: '/mesh-readiness',
    title: 'Mesh Readiness',
    icon: <TrafficIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/OrganizationPage').then(m => (
        <m.MeshReadinessPageContent />
      )),
  },
});

/**
 * The Mesh Readiness plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mesh-readiness',
  title: 'Mesh Readiness',
  icon: <TrafficIcon />,
  extensions: [
    meshReadinessApi,
    meshReadinessEntityContent,
    meshReadinessGroupContent,
    meshReadinessChecklistCard,
    meshReadinessPage,
  ],
  routes: { root: rootRouteRef },
});
