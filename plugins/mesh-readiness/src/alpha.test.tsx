import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import plugin from './alpha';
import { meshReadinessApiRef } from './api/MeshReadinessApi';
import { emptyOrganizationApi as api } from './components/testData';

const entityOfKind = (kind: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'cart' },
});

// What `app.packages: all` installs: the extensions the app discovers.
describe('the new frontend system plugin', () => {
  it('adds a Mesh Readiness tab to components', () => {
    const tab = createExtensionTester(
      plugin.getExtension('entity-content:mesh-readiness/component'),
    );
    expect(tab.get(coreExtensionData.routePath)).toBe('/mesh-readiness');
    expect(tab.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Mesh Readiness',
    );
    expect(tab.get(EntityContentBlueprint.dataRefs.group)).toBe('operation');
    const shownOn = tab.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(shownOn(entityOfKind('Component'))).toBe(true);
    expect(shownOn(entityOfKind('Group'))).toBe(false);
  });

  it('adds the team scorecard as a tab on groups', () => {
    const tab = createExtensionTester(
      plugin.getExtension('entity-content:mesh-readiness/group'),
    );
    expect(tab.get(coreExtensionData.routePath)).toBe('/mesh-readiness');
    const shownOn = tab.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(shownOn(entityOfKind('Group'))).toBe(true);
    expect(shownOn(entityOfKind('Component'))).toBe(false);
  });

  it('adds the onboarding checklist card to components', () => {
    const card = createExtensionTester(
      plugin.getExtension('entity-card:mesh-readiness/onboarding-checklist'),
    );
    const shownOn = card.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(shownOn(entityOfKind('Component'))).toBe(true);
    expect(shownOn(entityOfKind('API'))).toBe(false);
  });

  it('adds the organisation page at /mesh-readiness', () => {
    const page = createExtensionTester(
      plugin.getExtension('page:mesh-readiness'),
    );
    expect(page.get(coreExtensionData.routePath)).toBe('/mesh-readiness');
  });

  it('shows the organisation page under one header, the page blueprint’s', async () => {
    renderTestApp({
      extensions: [plugin.getExtension('page:mesh-readiness')],
      initialRouteEntries: ['/mesh-readiness'],
      apis: [[meshReadinessApiRef, api]],
    });
    // The page's content is lazy-loaded: wait until it is there.
    expect(
      await screen.findByText('No team owns a component yet', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { level: 1, name: 'Mesh Readiness' }),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  });
});
