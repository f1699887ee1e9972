/*
 * The `mesh-readiness` fact retriever: reads each component's stored
 * report from the Mesh Readiness backend's HTTP API (the supported
 * interface, as its own frontend does), with this backend's service
 * credentials; it never starts a scan and never opens the plugin's tables.
 */
import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { EntityReadinessResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { factsOf, MESH_READINESS_FACT_SCHEMA } from './factsOf';

/** @public */
export const MESH_READINESS_FACT_RETRIEVER_ID = 'mesh-readiness';

/** Reports asked for at once: enough to be quick, few enough not to crowd the backend. */
const CONCURRENCY = 4;

async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** @public */
export function createMeshReadinessFactRetriever(options: {
  catalog: CatalogService;
  auth: AuthService;
  discovery: DiscoveryService;
}): FactRetriever {
  const { catalog, auth, discovery } = options;

  async function reportOf(
    entity: Entity,
    baseUrl: string,
    token: string,
    logger: LoggerService,
  ) {
    const path = [
      entity.kind,
      entity.metadata.namespace ?? 'default',
      entity.metadata.name,
    ]
      .map(encodeURIComponent)
      .join('/');
    try {
      const res = await fetch(`${baseUrl}/entities/${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw await ResponseError.fromResponse(res);
      return (await res.json()) as EntityReadinessResponse;
    } catch (e) {
      // One entity's failure costs only its facts.
      logger.warn(
        `mesh-readiness facts: no report for ${stringifyEntityRef(
          entity,
        )}: ${e}`,
      );
      return undefined;
    }
  }

  return {
    id: MESH_READINESS_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Mesh Readiness',
    description:
      'Whether a component’s Kubernetes workloads are ready for the Istio service mesh, from the latest stored Mesh Readiness scan: ready, level, score, failing rules, waivers.',
    entityFilter: [{ kind: 'component' }],
    schema: MESH_READINESS_FACT_SCHEMA,
    async handler({ logger, entityFilter }) {
      const credentials = await auth.getOwnServiceCredentials();
      const { items } = await catalog.getEntities(
        {
          filter: entityFilter ?? { kind: 'component' },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      const baseUrl = await discovery.getBaseUrl('mesh-readiness');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'mesh-readiness',
      });
      const reports = await mapWithConcurrency(items, CONCURRENCY, e =>
        reportOf(e, baseUrl, token, logger),
      );
      const facts: TechInsightFact[] = [];
      items.forEach((entity, i) => {
        const values = reports[i] && factsOf(reports[i]!);
        if (!values) return;
        facts.push({
          entity: {
            kind: entity.kind,
            namespace: entity.metadata.namespace ?? 'default',
            name: entity.metadata.name,
          },
          facts: values,
        });
      });
      return facts;
    },
  };
}
