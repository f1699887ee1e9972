import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EntityRefParts, MeshReadinessApi } from './MeshReadinessApi';

export class MeshReadinessClient implements MeshReadinessApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async get<T>(path: string, headers?: Record<string, string>): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl('mesh-readiness');
    const response = await this.options.fetchApi.fetch(`${base}${path}`, headers ? { headers } : undefined);
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
    options: { refresh?: boolean; clusterCredentials?: Record<string, string> } = {},
  ) {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.get<
      Awaited<ReturnType<MeshReadinessApi['getEntityReadiness']>>
    >(
      `/entities/${path}${options.refresh ? '?refresh=true' : ''}`,
      options.refresh && options.clusterCredentials && Object.keys(options.clusterCredentials).length > 0
        ? options.clusterCredentials
        : undefined,
    );
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
