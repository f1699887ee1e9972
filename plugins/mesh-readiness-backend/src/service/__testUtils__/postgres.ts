/*
 * The PostgreSQL server a test may use: scripts/postgres.sh starts one.
 * TestDatabases reads one variable per major version; the newest one set
 * is taken, so CI may export whichever matches its Debian PostgreSQL.
 */
import { TestDatabaseId } from '@backstage/backend-test-utils';

const POSTGRES_IDS = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
] as const;

/** The id of the newest PostgreSQL server the environment names, if any. */
export function givenPostgres(): TestDatabaseId | undefined {
  return POSTGRES_IDS.find(
    id =>
      process.env[
        `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
      ],
  );
}
