import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityReadinessResponse,
  RULE_DEFINITIONS,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { OnboardingChecklistCard } from './OnboardingChecklistCard';
import { mixedReport, notMappedReport } from './testData';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'cart', namespace: 'default' },
  spec: {},
};

const render = (getEntityReadiness: () => Promise<EntityReadinessResponse>) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          meshReadinessApiRef,
          {
            getRules: async () => ({ rules: RULE_DEFINITIONS }),
            getEntityReadiness,
          } as unknown as MeshReadinessApi,
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <OnboardingChecklistCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('OnboardingChecklistCard', () => {
  it('shows progress while loading', async () => {
    await render(() => new Promise(() => {}));
    expect(screen.getByText('Mesh onboarding checklist')).toBeInTheDocument();
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await render(async () => Promise.reject(new Error('backend exploded')));
    expect(
      await screen.findByText('Error: backend exploded'),
    ).toBeInTheDocument();
  });

  it('orders the rules as steps and marks what is done and left, with progress', async () => {
    await render(async () => mixedReport);
    expect(await screen.findByText('1 of 3 steps done')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', {
        name: 'onboarding progress: 1 of 3 steps done',
      }),
    ).toHaveAttribute('aria-valuenow', '33');
    const steps = screen
      .getAllByTestId(/^step-/)
      .map(s => s.getAttribute('data-testid'));
    const order = [...RULE_DEFINITIONS]
      .sort((a, b) => a.onboardingOrder - b.onboardingOrder)
      .map(r => `step-${r.id}`);
    expect(steps).toEqual(order);
    expect(screen.getByTestId('step-MR001')).toHaveAttribute(
      'data-state',
      'done',
    );
    expect(screen.getByTestId('step-MR002')).toHaveAttribute(
      'data-state',
      'todo',
    );
    expect(screen.getByTestId('step-MR009')).toHaveAttribute(
      'data-state',
      'n/a',
    );
  });

  it('links each step into the component’s Mesh Readiness tab, filtered to its rule', async () => {
    await render(async () => mixedReport);
    expect(
      await screen.findByRole('link', {
        name: /No port is used with two protocols/,
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/cart/mesh-readiness?rule=MR002',
    );
  });

  it('starts with mapping when the component is not mapped', async () => {
    await render(async () => notMappedReport);
    expect(
      await screen.findByText(/map this component to its workloads/),
    ).toBeInTheDocument();
    expect(screen.queryByTestId(/^step-/)).not.toBeInTheDocument();
  });

  it('says no step can be checked when no workload was found', async () => {
    await render(async () => ({ ...mixedReport, clusters: [], workloads: [] }));
    expect(
      await screen.findByText(/No workload of this component was found/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/steps done/)).not.toBeInTheDocument();
  });
});
