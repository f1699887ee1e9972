import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ScansResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { ClustersCard } from './ClustersCard';

const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

const render = (getScans: MeshReadinessApi['getScans']) =>
  renderInTestApp(
    <TestApiProvider
      apis={[[meshReadinessApiRef, { getScans } as MeshReadinessApi]]}
    >
      <ClustersCard />
    </TestApiProvider>,
  );

const scans: ScansResponse = {
  clusters: [
    {
      cluster: 'prod-eu',
      status: 'ok',
      attemptedAt: minutesAgo(2),
      scannedAt: minutesAgo(2),
      workloads: 120,
    },
    {
      cluster: 'prod-us',
      status: 'error',
      error: 'timed out after 60 s',
      attemptedAt: minutesAgo(2),
      scannedAt: minutesAgo(45),
      stale: true,
      workloads: 80,
    },
    {
      cluster: 'staging',
      status: 'error',
      error: 'connect ECONNREFUSED 10.0.0.1:443',
      attemptedAt: minutesAgo(2),
      workloads: 0,
    },
  ],
  scans: [
    {
      id: 5,
      trigger: 'schedule',
      runner: 'backstage-7d9f:1',
      startedAt: minutesAgo(2),
      finishedAt: minutesAgo(1),
      state: 'finished',
      planned: ['prod-us'],
      clusters: [
        { cluster: 'prod-us', ok: false, error: 'timed out after 60 s' },
      ],
    },
    {
      id: 4,
      trigger: 'schedule',
      runner: 'backstage-5c2a:1',
      startedAt: minutesAgo(2),
      finishedAt: minutesAgo(2),
      state: 'finished',
      planned: ['prod-eu'],
      clusters: [{ cluster: 'prod-eu', ok: true }],
    },
    {
      id: 3,
      trigger: 'refresh',
      runner: 'backstage-7d9f:1',
      startedAt: minutesAgo(8),
      finishedAt: minutesAgo(8),
      state: 'finished',
      planned: ['prod-eu', 'prod-us'],
      clusters: [
        { cluster: 'prod-eu', ok: true },
        { cluster: 'prod-us', ok: false, error: 'timed out after 60 s' },
      ],
    },
    {
      id: 2,
      trigger: 'schedule',
      runner: 'backstage-5c2a:1',
      startedAt: minutesAgo(12),
      state: 'interrupted',
      planned: ['prod-us'],
    },
    {
      id: 1,
      trigger: 'refresh',
      runner: 'backstage-5c2a:1',
      startedAt: minutesAgo(22),
      finishedAt: minutesAgo(22),
      state: 'finished',
      clusters: [{ cluster: 'prod-eu', ok: true }],
    },
  ],
};

describe('ClustersCard', () => {
  it('shows each cluster’s latest attempt: read, stale with its age, or never read', async () => {
    await render(async () => scans);
    const eu = await screen.findByTestId('cluster-prod-eu');
    expect(
      within(eu).getByText('120 workloads, read 2 min ago'),
    ).toBeInTheDocument();
    const us = screen.getByTestId('cluster-prod-us');
    expect(
      within(us).getByText(
        'Not read since 45 min ago: showing that result (stale). Last try 2 min ago: timed out after 60 s',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('cluster-staging')).getByText(
        'Never read. Last try 2 min ago: connect ECONNREFUSED 10.0.0.1:443',
      ),
    ).toBeInTheDocument();
  });

  it('draws the latest scans oldest first: each cluster’s scheduled read on the replica that ran it, and users’ scans', async () => {
    await render(async () => scans);
    const marks = await screen.findAllByRole('img');
    expect(marks.map(m => m.getAttribute('aria-label'))).toEqual([
      'Refresh read of prod-eu 22 min ago on backstage-5c2a:1: read',
      'Scheduled read of prod-us 12 min ago on backstage-5c2a:1: interrupted: its backend stopped mid-scan',
      'Refresh scan 8 min ago on backstage-7d9f:1: failed: prod-us',
      'Scheduled read of prod-eu 2 min ago on backstage-5c2a:1: read',
      'Scheduled read of prod-us 2 min ago on backstage-7d9f:1: failed: timed out after 60 s',
    ]);
  });

  it('shows where each Kubernetes cluster comes from, and one that needs a signed-in user', async () => {
    await render(async () => ({
      scans: [],
      clusters: [
        {
          cluster: 'eks',
          status: 'ok',
          attemptedAt: minutesAgo(1),
          scannedAt: minutesAgo(1),
          workloads: 4,
          locator: 'config',
          authProvider: 'aws',
        },
        {
          cluster: 'sso',
          status: 'error',
          error:
            'needs a signed-in user: auth provider "oidc" uses each user\'s own credentials',
          attemptedAt: minutesAgo(1),
          workloads: 0,
          locator: 'catalog',
          authProvider: 'oidc',
          needsSignedInUser: true,
        },
      ],
    }));
    const eks = await screen.findByTestId('cluster-eks');
    expect(
      within(eks).getByText('config locator, auth provider aws'),
    ).toBeInTheDocument();
    const sso = screen.getByTestId('cluster-sso');
    expect(
      within(sso).getByText(/^needs a signed-in user: auth provider "oidc"/),
    ).toBeInTheDocument();
    expect(
      within(sso).getByText('catalog locator, auth provider oidc'),
    ).toBeInTheDocument();
  });

  it('shows which clusters wait for a free read slot, read before or not yet', async () => {
    await render(async () => ({
      ...scans,
      waiting: [
        { cluster: 'gke-batch', since: minutesAgo(3) },
        { cluster: 'prod-eu', since: minutesAgo(1) },
      ],
    }));
    const eu = await screen.findByTestId('cluster-prod-eu');
    expect(
      within(eu).getByText(
        'Waiting for a free read slot since 1 min ago: every replica is reading as many clusters as it may at once',
      ),
    ).toBeInTheDocument();
    expect(
      within(eu).getByText('120 workloads, read 2 min ago'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('cluster-gke-batch')).getByText(
        'Not read yet. Waiting for a free read slot since 3 min ago: every replica is reading as many clusters as it may at once',
      ),
    ).toBeInTheDocument();
    // Clusters that do not wait say nothing of it.
    expect(
      within(screen.getByTestId('cluster-prod-us')).queryByText(
        /Waiting for a free read slot/,
      ),
    ).not.toBeInTheDocument();
  });

  it('says when nothing has been scanned', async () => {
    await render(async () => ({ clusters: [], scans: [] }));
    expect(
      await screen.findByText(/No cluster has been scanned yet/),
    ).toBeInTheDocument();
  });

  it('shows the backend’s error', async () => {
    await render(() => Promise.reject(new Error('scans unavailable')));
    expect(
      await screen.findByText('Error: scans unavailable'),
    ).toBeInTheDocument();
  });
});
