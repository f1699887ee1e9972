/*
 * The database a test backend gives each plugin: its own in-memory SQLite,
 * as the default database service would, but closed when the backend stops.
 *
 * The default service leaves SQLite connections open at shutdown, and their
 * pool's timer then keeps a jest worker alive after its tests ("A worker
 * process has failed to exit gracefully"). Passing this factory to
 * startTestBackend closes each connection with its plugin.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import knexFactory from 'knex';

export const inMemoryDatabaseFactory = createServiceFactory({
  service: coreServices.database,
  deps: { lifecycle: coreServices.lifecycle },
  factory({ lifecycle }) {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    lifecycle.addShutdownHook(() => knex.destroy());
    return mockServices.database({ knex, migrations: { skip: false } });
  },
});
