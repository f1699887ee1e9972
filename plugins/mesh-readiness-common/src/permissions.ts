/**
 * The permissions of Mesh Readiness, for permission policies and the
 * plugin's backend and frontend. An entry point of their own
 * (`@mesh-readiness/plugin-mesh-readiness-common/permissions`), as
 * Backstage's own common packages keep theirs apart: the main entry, the
 * engine the `mesh-readiness` CLI runs, then never loads the permission
 * framework and its HTTP client.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Scanning an entity's clusters on demand ("Scan now" on its tab:
 * `POST /entities/:kind/:namespace/:name/scan`). A permission on the catalog entity, so a policy can
 * grant it to the entity's owners only; reading stored results needs only
 * that the catalog lets the caller read the entity.
 *
 * @public
 */
export const meshReadinessRefreshPermission = createPermission({
  name: 'mesh-readiness.entity.refresh',
  attributes: {},
  resourceType: 'catalog-entity',
});

/**
 * Seeing (and so calling) the `get-mesh-readiness` action in the actions
 * registry, e.g. through the portal's MCP endpoint. The action still reads
 * the catalog as the caller: this decides who may use the action at all.
 *
 * @public
 */
export const meshReadinessActionPermission = createPermission({
  name: 'mesh-readiness.action.use',
  attributes: { action: 'read' },
});

/**
 * Every Mesh Readiness permission, to register with the permission framework.
 *
 * @public
 */
export const meshReadinessPermissions = [
  meshReadinessRefreshPermission,
  meshReadinessActionPermission,
];
