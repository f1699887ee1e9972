/**
 * Mesh Readiness for Backstage: a readiness tab on components, an
 * onboarding checklist card, team scorecards and an organisation page.
 * The new frontend system's plugin is the `/alpha` export.
 *
 * @packageDocumentation
 */
export {
  meshReadinessPlugin,
  EntityMeshReadinessContent,
  EntityGroupMeshReadinessContent,
  EntityMeshReadinessChecklistCard,
  MeshReadinessPage,
} from './plugin';
export { meshReadinessApiRef } from './api/MeshReadinessApi';
export type { MeshReadinessApi, EntityRefParts } from './api/MeshReadinessApi';
export { MeshReadinessClient } from './api/MeshReadinessClient';
