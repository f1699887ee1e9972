import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  createMeshReadinessFactRetriever,
  MESH_READINESS_FACT_RETRIEVER_ID,
} from './meshReadinessFactRetriever';

/**
 * Adds the `mesh-readiness` fact retriever to Tech Insights. Like every
 * retriever it runs on the cadence set under
 * `techInsights.factRetrievers.mesh-readiness`.
 *
 * @public
 */
export const techInsightsModuleMeshReadiness = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'mesh-readiness',
  register(env) {
    env.registerInit({
      deps: {
        retrievers: techInsightsFactRetrieversExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ retrievers, catalog, auth, discovery }) {
        retrievers.addFactRetrievers({
          [MESH_READINESS_FACT_RETRIEVER_ID]: createMeshReadinessFactRetriever({
            catalog,
            auth,
            discovery,
          }),
        });
      },
    });
  },
});
