/*
 * The backend's own classes wired for benchmarks: a real SQLite store
 * (better-sqlite3 in memory or in a file, the plugin's migrations), the scanner, and a
 * catalog that answers from a list.
 */
import knexFactory from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ReadinessStore } from '../plugins/mesh-readiness-backend/src/service/ReadinessStore';
import { ReadinessService } from '../plugins/mesh-readiness-backend/src/service/ReadinessService';
import { Scanner } from '../plugins/mesh-readiness-backend/src/service/Scanner';
import type { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';

/** `sqliteFile`: a database file instead of memory, as a deployed backend keeps its data off its heap. */
export async function harness(
  sources: MeshReadinessClusterSource[],
  entities: any[],
  options: { sqliteFile?: string } = {},
) {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: options.sqliteFile ?? ':memory:' },
    useNullAsDefault: true,
  });
  await db.migrate.latest({
    directory: resolvePackagePath(
      '@mesh-readiness/plugin-mesh-readiness-backend',
      'migrations',
    ),
  });
  const store = new ReadinessStore(db);
  const quiet = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child() {
      return quiet;
    },
  } as any;
  const catalog = {
    async getEntities(request: any) {
      const filter = request?.filter ?? {};
      return {
        items: entities.filter(
          e =>
            (!filter.kind ||
              e.kind.toLowerCase() === String(filter.kind).toLowerCase()) &&
            (!filter['relations.ownedBy'] ||
              e.relations?.some(
                (r: any) => r.targetRef === filter['relations.ownedBy'],
              )),
        ),
      };
    },
    async getEntityByRef(ref: string) {
      return entities.find(
        e =>
          `${e.kind.toLowerCase()}:${e.metadata.namespace}/${
            e.metadata.name
          }` === ref,
      );
    },
  } as any;
  return {
    db,
    store,
    scanner: new Scanner({
      sources,
      store,
      logger: quiet,
      clusterTimeoutMs: 600_000,
    }),
    readiness: new ReadinessService(store, catalog),
    credentials: {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'service', subject: 'bench' },
    } as any,
  };
}
