import { parseDocument } from 'yaml';
import { istioMetadataFixer, meantIstioKey } from './istioMetadata';

// Keys from Istio's own catalogue (istio/api annotation/annotations.yaml, label/labels.yaml).
const ANNOTATIONS = [
  'sidecar.istio.io/inject',
  'sidecar.istio.io/nativeSidecar',
  'sidecar.istio.io/rewriteAppHTTPProbers',
  'sidecar.istio.io/proxyCPU',
  'sidecar.istio.io/proxyCPULimit',
  'proxy.istio.io/config',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts',
];
const LABELS = [
  'sidecar.istio.io/inject',
  'istio.io/rev',
  'istio.io/dataplane-mode',
  'service.istio.io/canonical-name',
];

describe('meantIstioKey', () => {
  it('finds the one known key a misspelling means', () => {
    expect(
      meantIstioKey('sidecar.istio.io/rewriteAppHttpProbers', ANNOTATIONS),
    ).toBe('sidecar.istio.io/rewriteAppHTTPProbers');
    expect(meantIstioKey('sidecar.istio.io/injet', ANNOTATIONS)).toBe(
      'sidecar.istio.io/inject',
    );
    expect(meantIstioKey('proxy.istio.io/conifg', ANNOTATIONS)).toBe(
      'proxy.istio.io/config',
    );
  });

  it('guesses nothing when two keys are as near, none is, the key is known or not Istio’s', () => {
    // includeInboundPorts and excludeInboundPorts are both within two edits of it.
    expect(
      meantIstioKey(
        'traffic.sidecar.istio.io/xncludeInboundPorts',
        ANNOTATIONS,
      ),
    ).toBeUndefined();
    expect(
      meantIstioKey('sidecar.istio.io/somethingElse', ANNOTATIONS),
    ).toBeUndefined();
    expect(
      meantIstioKey('sidecar.istio.io/inject', ANNOTATIONS),
    ).toBeUndefined();
    expect(meantIstioKey('example.com/injet', ANNOTATIONS)).toBeUndefined();
  });
});

describe('the MR016 fix', () => {
  const fixer = istioMetadataFixer({
    annotations: ANNOTATIONS,
    labels: LABELS,
  });
  const run = (text: string) => {
    const doc = parseDocument(text);
    let changed = false;
    const outcome = fixer({
      finding: {} as any,
      workload: {
        doc,
        path: [],
        object: doc.toJS(),
        changed: () => {
          changed = true;
        },
      },
      find: () => undefined,
    });
    return {
      outcome,
      changed,
      text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    };
  };

  it('renames the key in place, keeping its value, quoting and neighbours', () => {
    const { outcome, changed, text } = run(`kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        "sidecar.istio.io/rewriteAppHttpProbers": "false"  # keep probes as they are
      labels:
        app: web
        istio.io/revv: canary
`);
    expect(changed).toBe(true);
    expect(outcome).toEqual({
      changed: true,
      what: [
        'annotations sidecar.istio.io/rewriteAppHttpProbers → sidecar.istio.io/rewriteAppHTTPProbers',
        'labels istio.io/revv → istio.io/rev',
      ],
    });
    expect(text).toContain(
      '        prometheus.io/scrape: "true"\n        "sidecar.istio.io/rewriteAppHTTPProbers": "false" # keep probes as they are\n',
    );
    expect(text).toContain('        app: web\n        istio.io/rev: canary\n');
    // Twice changes nothing.
    expect(run(text).changed).toBe(false);
  });

  it('leaves a key alone when the one it means is set too, and says so', () => {
    const { outcome, changed } = run(`kind: Pod
metadata:
  name: p
  annotations: {sidecar.istio.io/injet: "false", sidecar.istio.io/inject: "true"}
`);
    expect(changed).toBe(false);
    expect(outcome).toEqual({
      changed: false,
      why: 'annotations sidecar.istio.io/injet: sidecar.istio.io/inject is set too, so which one is meant is not clear',
    });
  });
});
