import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { RULE_DEFINITIONS } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from '../api/MeshReadinessApi';
import { OnboardingChecklistCard } from './OnboardingChecklistCard';
import { mixedReport, notMappedReport } from './testData';

const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'cart' }, spec: {} };

const render = (report: typeof mixedReport) =>
  renderInTestApp(
    <TestApiProvider
      apis={[[meshReadinessApiRef, { getRules: async () => ({ rules: RULE_DEFINITIONS }), getEntityReadiness: async () => report } as unknown as MeshReadinessApi]]}
    >
      <EntityProvider entity={entity}>
        <OnboardingChecklistCard />
      </EntityProvider>
    </TestApiProvider>,
  );

describe('OnboardingChecklistCard', () => {
  it('orders the rules as steps and marks what is done and left, with progress', async () => {
    await render(mixedReport);
    expect(await screen.findByText('1 of 3 steps done')).toBeInTheDocument();
    const steps = screen.getAllByTestId(/^step-/).map(s => s.getAttribute('data-testid'));
    const order = [...RULE_DEFINITIONS].sort((a, b) => a.onboardingOrder - b.onboardingOrder).map(r => `step-${r.id}`);
    expect(steps).toEqual(order);
    expect(screen.getByTestId('step-MR001')).toHaveAttribute('data-state', 'done');
    expect(screen.getByTestId('step-MR002')).toHaveAttribute('data-state', 'todo');
    expect(screen.getByTestId('step-MR009')).toHaveAttribute('data-state', 'n/a');
    expect(screen.getByRole('link', { name: /No port is used with two protocols/ })).toHaveAttribute('href', expect.stringContaining('mesh-readiness?rule=MR002'));
  });

  it('starts with mapping when the component is not mapped', async () => {
    await render(notMappedReport);
    expect(await screen.findByText(/map this component to its workloads/)).toBeInTheDocument();
  });
});
