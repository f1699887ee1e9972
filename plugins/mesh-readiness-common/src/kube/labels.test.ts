import {
  labelSelectorMatches,
  parseLabelSelector,
  serviceSelects,
} from './labels';

describe('label selectors', () => {
  it('parses the string form kubectl -l and the Kubernetes plugin use', () => {
    expect(
      parseLabelSelector(
        'app=web, tier!=db,env in (prod, staging),!legacy,track,team==shop',
      ),
    ).toEqual({
      matchLabels: { app: 'web', team: 'shop' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'track', operator: 'Exists' },
      ],
    });
  });

  it('names the part it cannot read', () => {
    expect(() => parseLabelSelector('app=web,=oops')).toThrow(
      'cannot read "=oops"',
    );
  });

  it('matches as Kubernetes does', () => {
    const selector = parseLabelSelector('app=web,env in (prod),!legacy');
    expect(labelSelectorMatches(selector, { app: 'web', env: 'prod' })).toBe(
      true,
    );
    expect(labelSelectorMatches(selector, { app: 'web', env: 'dev' })).toBe(
      false,
    );
    expect(
      labelSelectorMatches(selector, { app: 'web', env: 'prod', legacy: 'x' }),
    ).toBe(false);
    expect(labelSelectorMatches({}, { anything: 'x' })).toBe(true);
    expect(labelSelectorMatches(undefined, { anything: 'x' })).toBe(false);
    expect(
      labelSelectorMatches(
        { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        {},
      ),
    ).toBe(true);
  });

  it('treats a Service with no selector as selecting nothing', () => {
    expect(serviceSelects(undefined, { app: 'web' })).toBe(false);
    expect(serviceSelects({}, { app: 'web' })).toBe(false);
    expect(serviceSelects({ app: 'web' }, { app: 'web', v: '1' })).toBe(true);
    expect(serviceSelects({ app: 'web', v: '2' }, { app: 'web', v: '1' })).toBe(
      false,
    );
  });
});
