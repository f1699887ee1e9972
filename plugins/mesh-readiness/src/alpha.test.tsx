import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import plugin from './alpha';

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
    expect(tab.get(EntityContentBlueprint.dataRefs.filterExpression)).toBe(
      'kind:component',
    );
  });

  it('adds the team scorecard as a tab on groups', () => {
    const tab = createExtensionTester(
      plugin.getExtension('entity-content:mesh-readiness/group'),
    );
    expect(tab.get(coreExtensionData.routePath)).toBe('/mesh-readiness');
    expect(tab.get(EntityContentBlueprint.dataRefs.filterExpression)).toBe(
      'kind:group',
    );
  });

  it('adds the onboarding checklist card to components', () => {
    const card = createExtensionTester(
      plugin.getExtension('entity-card:mesh-readiness/onboarding-checklist'),
    );
    expect(card.get(EntityCardBlueprint.dataRefs.filterExpression)).toBe(
      'kind:component',
    );
  });

  it('adds the organisation page at /mesh-readiness', () => {
    const page = createExtensionTester(
      plugin.getExtension('page:mesh-readiness'),
    );
    expect(page.get(coreExtensionData.routePath)).toBe('/mesh-readiness');
  });
});
