import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  EntityReadinessResponse,
  GroupScorecardResponse,
  OrganizationScorecardResponse,
  RulesResponse,
  ScansResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/**
 * The parts of an entity reference the API is called with.
 *
 * @public
 */
export interface EntityRefParts {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Every call the frontend makes to the Mesh Readiness backend.
 *
 * @public
 */
export interface MeshReadinessApi {
  getRules(): Promise<RulesResponse>;
  getEntityReadiness(
    entity: EntityRefParts,
    options?: {
      refresh?: boolean;
      /**
       * With `refresh`: the user's own credentials for the clusters that
       * need a signed-in user, as the Kubernetes plugin's frontend sends them.
       */
      clusterCredentials?: Record<string, string>;
    },
  ): Promise<EntityReadinessResponse>;
  getGroupScorecard(group: {
    namespace: string;
    name: string;
  }): Promise<GroupScorecardResponse>;
  getOrganizationScorecard(): Promise<OrganizationScorecardResponse>;
  /** Each cluster's latest attempt and the latest scans. */
  getScans(options?: { limit?: number }): Promise<ScansResponse>;
}

/**
 * The Mesh Readiness client, for both frontend systems.
 *
 * @public
 */
export const meshReadinessApiRef = createApiRef<MeshReadinessApi>().with({
  id: 'plugin.mesh-readiness.api',
  pluginId: 'mesh-readiness',
});
