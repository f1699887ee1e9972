import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { OrganizationScorecardResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { OrganizationContent } from './OrganizationPage';

const render = (api: Partial<MeshReadinessApi>) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          meshReadinessApiRef,
          {
            getScans: async () => ({ clusters: [], scans: [] }),
            ...api,
          } as MeshReadinessApi,
        ],
      ]}
    >
      <OrganizationContent />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

const organisation: OrganizationScorecardResponse = {
  teams: [
    {
      groupRef: 'group:default/team-payments',
      title: 'Payments',
      components: 4,
      mappedComponents: 3,
      readyComponents: 0,
      readyShare: 0,
      averageScore: 67,
    },
    {
      groupRef: 'group:default/team-web',
      title: 'Web',
      components: 3,
      mappedComponents: 3,
      readyComponents: 2,
      readyShare: 2 / 3,
      averageScore: 92,
    },
    {
      // No title, nothing mapped: still listed, by its name.
      groupRef: 'group:default/guests',
      components: 1,
      mappedComponents: 0,
      readyComponents: 0,
      readyShare: 0,
      averageScore: 0,
    },
  ],
  topFailingRules: [
    {
      ruleId: 'MR004',
      title: 'istio-init may add NET_ADMIN and NET_RAW',
      severity: 'error',
      workloads: 3,
    },
  ],
};

const teamColumn = async () =>
  (await screen.findAllByRole('row'))
    .slice(1)
    .map(row => within(row).getAllByRole('cell')[0].textContent);

const clickHeader = (name: string) =>
  userEvent.click(
    screen
      .getAllByRole('button', { name })
      .find(b => b.classList.contains('MuiTableSortLabel-root'))!,
  );

describe('OrganizationContent', () => {
  it('shows progress while loading', async () => {
    await render({ getOrganizationScorecard: () => new Promise(() => {}) });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await render({
      getOrganizationScorecard: async () =>
        Promise.reject(new Error('scorecards unavailable')),
    });
    expect(
      await screen.findByText('Error: scorecards unavailable'),
    ).toBeInTheDocument();
  });

  it('lists every team with its share of ready components, most ready first', async () => {
    await render({ getOrganizationScorecard: async () => organisation });
    expect(await teamColumn()).toEqual(['Web', 'Payments', 'guests']);
    const web = screen.getAllByRole('row')[1];
    expect(within(web).getByText('2/3')).toBeInTheDocument();
    expect(
      within(web).getByRole('progressbar', {
        name: 'Web: 2 of 3 components ready',
      }),
    ).toHaveAttribute('aria-valuenow', '67');
    expect(
      screen.getByText(
        /istio-init may add NET_ADMIN and NET_RAW — 3 workloads/,
      ),
    ).toBeInTheDocument();
  });

  it('links each team to its scorecard', async () => {
    await render({ getOrganizationScorecard: async () => organisation });
    expect(await screen.findByRole('link', { name: 'Web' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-web/mesh-readiness',
    );
    expect(screen.getByRole('link', { name: 'guests' })).toHaveAttribute(
      'href',
      '/catalog/default/group/guests/mesh-readiness',
    );
  });

  it('sorts by team name both ways as the Team header is clicked', async () => {
    await render({ getOrganizationScorecard: async () => organisation });
    await screen.findByRole('link', { name: 'Web' });
    // The table cycles through its directions (and unsorted); whichever
    // comes first, three clicks pass through both name orders.
    const seen: string[] = [];
    for (let click = 0; click < 3; click++) {
      await clickHeader('Team');
      await new Promise(r => setTimeout(r, 50));
      seen.push((await teamColumn()).join(','));
    }
    expect(seen).toContain('guests,Payments,Web');
    expect(seen).toContain('Web,Payments,guests');
    // Three re-sorts of a table take more than jest's 5 s on a busy CI machine.
  }, 20_000);

  it('explains an empty organisation', async () => {
    await render({
      getOrganizationScorecard: async () => ({
        teams: [],
        topFailingRules: [],
      }),
    });
    expect(
      await screen.findByText('No team owns a component yet'),
    ).toBeInTheDocument();
    // The clusters still show, so an operator can tell whether any was read.
    expect(
      await screen.findByText(/No cluster has been scanned yet/),
    ).toBeInTheDocument();
  });
});
