import { applyTargetProfile, istioAtLeast, parseTargetProfile } from './target';
import { ClusterSnapshot } from './types';

describe('parseTargetProfile', () => {
  it('reads the documented example', () => {
    const text = `istio:
  version: "1.28"      # the control plane's version
  cni: true
  ambient: false
  nativeSidecars: true
namespaces:
  shop:
    labels: {istio-injection: enabled, pod-security.kubernetes.io/enforce: baseline}
`;
    expect(parseTargetProfile(text, '.mesh-readiness.yaml')).toEqual({
      profile: {
        istio: {
          version: '1.28',
          cni: true,
          ambient: false,
          nativeSidecars: true,
        },
        namespaces: {
          shop: {
            labels: {
              'istio-injection': 'enabled',
              'pod-security.kubernetes.io/enforce': 'baseline',
            },
          },
        },
      },
      errors: [],
    });
  });

  it('keeps an unquoted 1.20 as 1.20, not the number 1.2', () => {
    const { profile, errors } = parseTargetProfile(
      'istio:\n  version: 1.20\n',
      't.yaml',
    );
    expect(errors).toEqual([]);
    expect(profile?.istio?.version).toBe('1.20');
  });

  it('names the file and line of each problem and keeps the right fields', () => {
    const text = `istio:
  version: latest
  cni: yes please
  ambient: true
  nativeSidecar: true
namespace:
  shop: {}
`;
    const { profile, errors } = parseTargetProfile(text, 'target.yaml');
    expect(profile).toEqual({ istio: { ambient: true } });
    expect(errors).toEqual([
      {
        file: 'target.yaml',
        line: 2,
        message: expect.stringContaining('istio.version must look like "1.28"'),
      },
      {
        file: 'target.yaml',
        line: 3,
        message: expect.stringContaining('istio.cni must be true or false'),
      },
      {
        file: 'target.yaml',
        line: 5,
        message: expect.stringContaining('unknown key "istio.nativeSidecar"'),
      },
      {
        file: 'target.yaml',
        line: 6,
        message: expect.stringContaining('unknown key "namespace"'),
      },
    ]);
  });

  it('reports malformed YAML with its line and returns no profile', () => {
    const { profile, errors } = parseTargetProfile(
      'istio:\n  version: "1.28\n',
      'bad.yaml',
    );
    expect(profile).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      file: 'bad.yaml',
      line: expect.any(Number),
    });
  });

  it('reads an empty file as a profile that knows nothing', () => {
    expect(parseTargetProfile('# nothing yet\n', 'empty.yaml')).toEqual({
      profile: {},
      errors: [],
    });
  });

  it('refuses label values that are not strings', () => {
    const { errors } = parseTargetProfile(
      'namespaces:\n  shop:\n    labels:\n      a: [1]\n',
      'x.yaml',
    );
    expect(errors).toEqual([
      {
        file: 'x.yaml',
        line: 4,
        message: expect.stringContaining('must be a string'),
      },
    ]);
  });
});

describe('applyTargetProfile', () => {
  const snapshot: ClusterSnapshot = {
    source: 'manifests',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { 'istio-injection': 'disabled' } },
      },
    ],
    environment: { istioCni: false },
  };

  it('adds namespaces the input lacks, and input Namespaces win', () => {
    const out = applyTargetProfile(snapshot, {
      istio: { cni: true, version: '1.28' },
      namespaces: {
        shop: { labels: { 'istio-injection': 'enabled' } },
        pay: { labels: { 'istio.io/rev': 'canary' } },
      },
    });
    expect(
      out.objects.map(o => [o.metadata?.name, o.metadata?.labels]),
    ).toEqual([
      ['shop', { 'istio-injection': 'disabled' }],
      [
        'pay',
        { 'kubernetes.io/metadata.name': 'pay', 'istio.io/rev': 'canary' },
      ],
    ]);
    // What the snapshot says (a flag given on the command line) wins over the file.
    expect(out.environment).toEqual({ istioCni: false, istioVersion: '1.28' });
  });

  it('leaves the snapshot alone without a profile', () => {
    expect(applyTargetProfile(snapshot, undefined)).toBe(snapshot);
  });
});

describe('istioAtLeast', () => {
  it.each([
    ['1.20', true],
    ['1.19.3', false],
    ['2.0', true],
    [undefined, undefined],
    ['master', undefined],
  ])('1.20 or later for %s: %s', (version, expected) => {
    expect(istioAtLeast({ istioVersion: version }, 1, 20)).toBe(expected);
  });
});
