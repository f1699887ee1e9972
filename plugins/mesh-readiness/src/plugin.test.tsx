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
import { MeshReadinessPage } from './components/OrganizationPage';
import { emptyOrganizationApi, mixedReport } from './components/testData';

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

  // What the MeshReadinessPage extension renders at its route.
  it('draws the organisation page with its own header', async () => {
    const api = emptyOrganizationApi;
    await renderInTestApp(
      <TestApiProvider apis={[[meshReadinessApiRef, api]]}>
        <MeshReadinessPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Mesh Readiness' }),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  });
});
