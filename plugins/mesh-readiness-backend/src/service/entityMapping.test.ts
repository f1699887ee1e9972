import { Entity } from '@backstage/catalog-model';
import { mappingOf, workloadMatches } from './entityMapping';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', annotations },
  spec: {},
});

const workload = (
  namespace: string,
  podLabels: Record<string, string>,
  labels: Record<string, string> = {},
) => ({
  namespace,
  podLabels,
  labels,
});

describe('entity to workloads', () => {
  it('maps backstage.io/kubernetes-id to the label of the same name on pods', () => {
    const m = mappingOf(entity({ 'backstage.io/kubernetes-id': 'web' }));
    if (!m.mapped) throw new Error('expected mapped');
    expect(
      workloadMatches(
        m,
        'c',
        workload('shop', { 'backstage.io/kubernetes-id': 'web' }),
      ),
    ).toBe(true);
    expect(
      workloadMatches(
        m,
        'c',
        workload('shop', { 'backstage.io/kubernetes-id': 'cart' }),
      ),
    ).toBe(false);
  });

  it('maps backstage.io/kubernetes-label-selector, on pod labels or the workload’s own', () => {
    const m = mappingOf(
      entity({
        'backstage.io/kubernetes-label-selector': 'app=cart,tier in (backend)',
      }),
    );
    if (!m.mapped) throw new Error('expected mapped');
    expect(
      workloadMatches(
        m,
        'c',
        workload('shop', { app: 'cart', tier: 'backend' }),
      ),
    ).toBe(true);
    expect(
      workloadMatches(
        m,
        'c',
        workload('shop', {}, { app: 'cart', tier: 'backend' }),
      ),
    ).toBe(true);
    expect(
      workloadMatches(m, 'c', workload('shop', { app: 'cart', tier: 'front' })),
    ).toBe(false);
  });

  it('limits by backstage.io/kubernetes-namespace and backstage.io/kubernetes-cluster', () => {
    const m = mappingOf(
      entity({
        'backstage.io/kubernetes-id': 'web',
        'backstage.io/kubernetes-namespace': 'shop',
        'backstage.io/kubernetes-cluster': 'prod',
      }),
    );
    if (!m.mapped) throw new Error('expected mapped');
    const labels = { 'backstage.io/kubernetes-id': 'web' };
    expect(workloadMatches(m, 'prod', workload('shop', labels))).toBe(true);
    expect(workloadMatches(m, 'prod', workload('staging', labels))).toBe(false);
    expect(workloadMatches(m, 'dev', workload('shop', labels))).toBe(false);
  });

  it('says how to map a component that has none of the annotations', () => {
    expect(mappingOf(entity({}))).toEqual({
      mapped: false,
      reason: expect.stringContaining('backstage.io/kubernetes-id'),
      suggestedAnnotations: { 'backstage.io/kubernetes-id': 'web' },
    });
  });

  it('explains an unreadable label selector instead of matching nothing silently', () => {
    expect(
      mappingOf(
        entity({ 'backstage.io/kubernetes-label-selector': 'app=web,=x' }),
      ),
    ).toMatchObject({
      mapped: false,
      reason: expect.stringContaining('cannot be read'),
    });
  });
});
