import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { RULE_DEFINITIONS } from '@mesh-readiness/plugin-mesh-readiness-common';
import { MeshReadinessApi, meshReadinessApiRef } from './api/MeshReadinessApi';
import { EntityMeshReadinessContent, meshReadinessPlugin } from './plugin';
import { mixedReport } from './components/testData';

// The legacy system: what an app puts in an EntityLayout.Route.
describe('the legacy plugin', () => {
  it('is the mesh-readiness plugin', () => {
    expect(meshReadinessPlugin.getId()).toBe('mesh-readiness');
  });

  it('renders the tab from EntityMeshReadinessContent', async () => {
    const api = {
      getRules: async () => ({ rules: RULE_DEFINITIONS }),
      getEntityReadiness: async () => mixedReport,
    } as unknown as MeshReadinessApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [meshReadinessApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'cart' },
          }}
        >
          <EntityMeshReadinessContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('Deployment shop/cart')).toBeInTheDocument();
    expect(screen.getByTestId('finding-MR002')).toHaveTextContent('fail');
  });
});
