/**
 * The Mesh Readiness backend plugin.
 *
 * @packageDocumentation
 */
export { meshReadinessPlugin as default } from './plugin';
export { ManifestClusterSource } from './service/ManifestClusterSource';
