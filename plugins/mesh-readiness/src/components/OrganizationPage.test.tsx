import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { OrganizationContent } from './OrganizationPage';

const render = (api: Partial<MeshReadinessApi>) =>
  renderInTestApp(
    <TestApiProvider apis={[[meshReadinessApiRef, api as MeshReadinessApi]]}>
      <OrganizationContent />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('OrganizationContent', () => {
  it('lists every team with its share of ready components, most ready first, linking to the team', async () => {
    await render({
      getOrganizationScorecard: async () => ({
        teams: [
          { groupRef: 'group:default/team-payments', title: 'Payments', components: 4, mappedComponents: 3, readyComponents: 0, readyShare: 0, averageScore: 67 },
          { groupRef: 'group:default/team-web', title: 'Web', components: 3, mappedComponents: 3, readyComponents: 2, readyShare: 2 / 3, averageScore: 92 },
        ],
        topFailingRules: [],
      }),
    });
    const rows = (await screen.findAllByRole('row')).slice(1);
    expect(within(rows[0]).getByText('Web')).toBeInTheDocument();
    expect(within(rows[0]).getByText('2/3')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Payments')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Web' })).toHaveAttribute('href', '/catalog/default/group/team-web');
  });

  it('explains an empty organisation', async () => {
    await render({ getOrganizationScorecard: async () => ({ teams: [], topFailingRules: [] }) });
    expect(await screen.findByText('No team owns a component yet')).toBeInTheDocument();
  });
});
