import fs from 'node:fs';
import path from 'node:path';
import { screen, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  evaluate,
  EntityReadinessResponse,
  parseManifests,
  RULE_DEFINITIONS,
  summarize,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { EntityMeshReadinessContent } from './EntityMeshReadinessContent';

/** The engine's report of the shared fixture: an expired, a live and a refused waiver. */
function fixtureReport(): EntityReadinessResponse {
  const file = path.resolve(
    require.resolve(
      '@mesh-readiness/plugin-mesh-readiness-common/package.json',
    ),
    '../src/__fixtures__/waivers/expiring-waivers.yaml',
  );
  const parsed = parseManifests(
    fs.readFileSync(file, 'utf8'),
    'expiring-waivers.yaml',
  );
  const report = evaluate(
    { cluster: 'prod', source: 'manifests', objects: parsed.objects },
    { now: new Date('2026-12-01T00:00:00Z') },
  );
  return {
    entityRef: 'component:default/payments',
    mapped: true,
    scannedAt: '2026-12-01T00:00:00Z',
    summary: summarize(report.workloads),
    clusters: [
      {
        cluster: 'prod',
        status: 'ok',
        scannedAt: '2026-12-01T00:00:00Z',
        workloads: report.workloads,
      },
    ],
    workloads: report.workloads,
    errors: report.errors,
  };
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', namespace: 'default' },
  spec: {},
};

async function render(report: EntityReadinessResponse) {
  const api = {
    getRules: async () => ({ rules: RULE_DEFINITIONS }),
    getEntityReadiness: async () => report,
  } as Partial<MeshReadinessApi> as MeshReadinessApi;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [meshReadinessApiRef, api],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityMeshReadinessContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('the tab’s waivers', () => {
  it('lists each workload’s waivers with reason and last day, the expired one and the refused one', async () => {
    await render(fixtureReport());
    const lists = await screen.findAllByTestId('workload-waivers');
    const text = lists.map(l => l.textContent);
    expect(text).toEqual([
      expect.stringContaining(
        'MR006 until 2099-12-31: the gateway still sniffs this port; named once it moves',
      ),
      expect.stringContaining(
        'MR006 expired on 2020-01-31: the ledger port is renamed in the January release',
      ),
      expect.stringContaining(
        'Refused: Deployment payments/refunds: annotation mesh-readiness.io/waive-until "31/12/2026" is not a date written YYYY-MM-DD',
      ),
    ]);
  });

  it('says on the finding that its waiver expired, and counts it as a warning again', async () => {
    await render(fixtureReport());
    const cards = await screen.findAllByTestId('finding-MR006');
    const ledger = cards[1];
    expect(
      within(ledger).getByText(
        'waiver expired on 2020-01-31: the ledger port is renamed in the January release',
      ),
    ).toBeInTheDocument();
    expect(within(ledger).getByText('warning')).toBeInTheDocument();
  });

  it('shows a refused waiver once, on its workload, not among the things that could not be read', async () => {
    await render(fixtureReport());
    await screen.findAllByTestId('workload-waivers');
    expect(screen.queryByTestId('read-problems')).not.toBeInTheDocument();
  });
});
