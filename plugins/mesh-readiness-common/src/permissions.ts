/*
 * The permissions of Mesh Readiness, for permission policies.
 */
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Scanning an entity's clusters on demand ("Scan now" on its tab, or
 * `?refresh=true`). A permission on the catalog entity, so a policy can
 * grant it to the entity's owners only; reading stored results needs only
 * that the catalog lets the caller read the entity.
 */
export const meshReadinessRefreshPermission = createPermission({
  name: 'mesh-readiness.entity.refresh',
  attributes: {},
  resourceType: 'catalog-entity',
});

/** Every Mesh Readiness permission, to register with the permission framework. */
export const meshReadinessPermissions = [meshReadinessRefreshPermission];
