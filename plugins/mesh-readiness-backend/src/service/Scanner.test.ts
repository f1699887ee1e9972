/*
 * What the scanner asks a Kubernetes cluster's read to keep: the fields the
 * built-in rules read, or, when an adopter added rules of their own (which
 * may read any field), whole objects.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  ClusterSnapshot,
  pass,
  Rule,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { KeptFields, KubernetesClusterSource } from './KubernetesClusterSource';
import { KubernetesBackendClient } from './KubernetesBackendClient';
import { ReadinessStore } from './ReadinessStore';
import { Scanner } from './Scanner';

/** A Kubernetes cluster source that records what each read was asked to keep. */
class RecordingSource extends KubernetesClusterSource {
  readonly asked: Array<KeptFields | undefined> = [];
  constructor() {
    super({
      name: 'prod',
      locator: 'config',
      authProvider: 'serviceAccount',
      client: {} as KubernetesBackendClient,
    });
  }
  async readSnapshot(
    options: { signal?: AbortSignal; fields?: KeptFields } = {},
  ): Promise<ClusterSnapshot> {
    this.asked.push(options.fields);
    return { cluster: 'prod', source: 'live', objects: [] };
  }
}

const customRule: Rule = {
  id: 'ACME001',
  slug: 'adopter-rule',
  title: 'An adopter rule',
  severity: 'info',
  rationale: 'r',
  remediation: 'r',
  docsUrl: 'https://example.com',
  onboardingOrder: 50,
  check: () => pass('ok'),
};

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function scanWith(customRules: Rule[]) {
  const knex = await databases.init('SQLITE_3');
  const store = await ReadinessStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const source = new RecordingSource();
  await new Scanner({
    sources: [source],
    store,
    logger: mockServices.logger.mock(),
    clusterTimeoutMs: 10_000,
    customRules,
  }).scan();
  return source.asked;
}

describe('Scanner', () => {
  it('asks a Kubernetes cluster for the fields the built-in rules read', async () => {
    expect(await scanWith([])).toEqual(['read']);
  });

  it('asks for whole objects when custom rules are added: they may read any field', async () => {
    expect(await scanWith([customRule])).toEqual(['all']);
  });
});
