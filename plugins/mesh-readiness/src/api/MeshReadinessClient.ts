import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EntityRefParts, MeshReadinessApi } from './MeshReadinessApi';

/**
 * Calls the Mesh Readiness backend through the discovery and fetch APIs.
 *
 * @public
 */
export class MeshReadinessClient implements MeshReadinessApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async get<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl('mesh-readiness');
    const response = await this.options.fetchApi.fetch(`${base}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }

  getRules() {
    return this.get<Awaited<ReturnType<MeshReadinessApi['getRules']>>>(
      '/rules',
    );
  }

  getEntityReadiness(
    entity: EntityRefParts,
    options: {
      refresh?: boolean;
      clusterCredentials?: Record<string, string>;
    } = {},
  ) {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    type Report = Awaited<ReturnType<MeshReadinessApi['getEntityReadiness']>>;
    // Scanning changes state, so it is a POST; reading is a GET. The user's
    // own cluster credentials go with the scan only.
    const credentials = options.clusterCredentials ?? {};
    return options.refresh
      ? this.get<Report>(`/entities/${path}/scan`, {
          method: 'POST',
          ...(Object.keys(credentials).length > 0
            ? { headers: credentials }
            : {}),
        })
      : this.get<Report>(`/entities/${path}`);
  }

  getGroupScorecard(group: { namespace: string; name: string }) {
    return this.get<Awaited<ReturnType<MeshReadinessApi['getGroupScorecard']>>>(
      `/groups/${encodeURIComponent(group.namespace)}/${encodeURIComponent(
        group.name,
      )}/scorecard`,
    );
  }

  getOrganizationScorecard() {
    return this.get<
      Awaited<ReturnType<MeshReadinessApi['getOrganizationScorecard']>>
    >('/scorecards');
  }

  getScans(options: { limit?: number } = {}) {
    return this.get<Awaited<ReturnType<MeshReadinessApi['getScans']>>>(
      `/scans${options.limit ? `?limit=${Number(options.limit)}` : ''}`,
    );
  }
}
