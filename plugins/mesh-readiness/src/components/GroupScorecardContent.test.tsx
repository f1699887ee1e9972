import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { GroupScorecardResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { GroupMeshReadinessContent } from './GroupScorecardContent';

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-payments', namespace: 'default' },
  spec: {},
};

const scorecard: GroupScorecardResponse = {
  groupRef: 'group:default/team-payments',
  components: [
    {
      entityRef: 'component:default/ledger',
      name: 'ledger',
      mapped: true,
      ready: false,
      level: 0,
      score: 72,
      workloads: 1,
    },
    {
      entityRef: 'component:default/legacy-billing',
      name: 'legacy-billing',
      mapped: false,
      ready: false,
      level: 0,
      score: 0,
      workloads: 0,
    },
  ],
  levelDistribution: { 0: 1, 1: 0, 2: 0, 3: 0, notMapped: 1 },
  averageScore: 72,
  readyComponents: 0,
  topFailingRules: [
    {
      ruleId: 'MR004',
      title: 'istio-init may add NET_ADMIN and NET_RAW',
      severity: 'error',
      workloads: 3,
    },
  ],
  trend: [
    {
      scannedAt: '2026-11-20T00:00:00Z',
      components: 3,
      readyComponents: 0,
      averageScore: 55,
    },
    {
      scannedAt: '2026-11-25T00:00:00Z',
      components: 3,
      readyComponents: 0,
      averageScore: 67,
    },
  ],
  expiringWaivers: [
    {
      entityRef: 'component:default/ledger',
      workload: 'prod/Deployment/payments/ledger',
      ruleId: 'MR006',
      reason: 'the ledger port is renamed in the January release',
      source: 'Deployment payments/ledger annotation mesh-readiness.io/waive',
      until: '2026-12-09',
    },
  ],
};

async function render(api: Partial<MeshReadinessApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[meshReadinessApiRef, api as MeshReadinessApi]]}>
      <EntityProvider entity={group}>
        <GroupMeshReadinessContent />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('GroupMeshReadinessContent', () => {
  it('shows the team’s components, levels, blocking rules and trend', async () => {
    await render({ getGroupScorecard: async () => scorecard });
    expect(await screen.findByText('0 / 2')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'ledger' })).toHaveLength(2);
    expect(
      screen.getByText('Not mapped', { selector: 'span' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /istio-init may add NET_ADMIN and NET_RAW — 3 workloads/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'trend: 55, 67' }),
    ).toBeInTheDocument();
  });

  it('names every bar with its value: each component’s score, each blocking rule’s count', async () => {
    await render({ getGroupScorecard: async () => scorecard });
    expect(
      await screen.findByRole('progressbar', {
        name: 'ledger score 72 of 100',
      }),
    ).toHaveAttribute('aria-valuenow', '72');
    expect(
      screen.getByRole('progressbar', { name: 'MR004 fails on 3 workloads' }),
    ).toBeInTheDocument();
  });

  it('says so when the team owns nothing', async () => {
    await render({
      getGroupScorecard: async () => ({ ...scorecard, components: [] }),
    });
    expect(
      await screen.findByText('This team owns no components'),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await render({
      getGroupScorecard: async () => Promise.reject(new Error('no scorecard')),
    });
    expect(await screen.findByText('Error: no scorecard')).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await render({ getGroupScorecard: () => new Promise(() => {}) });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('asks the backend for this group’s scorecard', async () => {
    const asked: Array<{ namespace: string; name: string }> = [];
    await render({
      getGroupScorecard: async g => {
        asked.push(g);
        return scorecard;
      },
    });
    await screen.findByText('0 / 2');
    expect(asked).toEqual([{ namespace: 'default', name: 'team-payments' }]);
  });

  it('says when there is no history for a trend yet', async () => {
    await render({
      getGroupScorecard: async () => ({ ...scorecard, trend: [] }),
    });
    expect(await screen.findByText(/No history yet/)).toBeInTheDocument();
  });

  it('lists the waivers that run out in the next 14 days, linking to the rule in the tab', async () => {
    await render({ getGroupScorecard: async () => scorecard });
    const list = await screen.findByTestId('expiring-waivers');
    expect(list).toHaveTextContent(
      '2026-12-09 ledger Deployment payments/ledger · MR006: the ledger port is renamed in the January release',
    );
    expect(within(list).getByRole('link', { name: 'ledger' })).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger/mesh-readiness?rule=MR006',
    );
  });

  it('says when no waiver runs out soon', async () => {
    await render({
      getGroupScorecard: async () => ({ ...scorecard, expiringWaivers: [] }),
    });
    expect(
      await screen.findByText('No waiver runs out in the next 14 days.'),
    ).toBeInTheDocument();
  });
});
