/**
 * A Tech Insights backend module with the `mesh-readiness` fact retriever:
 * Mesh Readiness results as facts, for Tech Insights checks and Soundcheck.
 *
 * @packageDocumentation
 */
export { techInsightsModuleMeshReadiness as default } from './module';
export {
  createMeshReadinessFactRetriever,
  MESH_READINESS_FACT_RETRIEVER_ID,
} from './meshReadinessFactRetriever';
export { factsOf, MESH_READINESS_FACT_SCHEMA } from './factsOf';
export type { MeshReadinessFacts } from './factsOf';
