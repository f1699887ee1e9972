/*
 * Readiness per data-plane mode: what a platform team reads before it picks
 * a mode, and the declaration that keeps it cheap (only rules that read the
 * mode are judged again).
 */
import fs from 'fs';
import path from 'path';
import { evaluate } from './engine';
import { parseManifests } from './manifests';
import { parseFixtureHeader } from './testUtils';
import { FIXTURES_DIR, fixtureFiles } from './rules/__fixtures__/harness';
import { summarize } from './scoring';

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted}
`;
const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec:
      containers:
        - name: web
          image: shop/web:1.0
          ports: [{name: http-web, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
const APP_PORT_ONLY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - ports: [{port: 8080, protocol: TCP}]
`;

function modesOf(yaml: string, namespaceLabels?: string) {
  const text = namespaceLabels
    ? yaml.replace(
        'labels: {pod-security',
        `labels: {${namespaceLabels}, pod-security`,
      )
    : yaml;
  const { objects, errors } = parseManifests(text, 'test.yaml');
  expect(errors).toEqual([]);
  const report = evaluate({ source: 'manifests', objects });
  return report.workloads.find(w => w.name === 'web')!;
}

describe('readiness per data-plane mode', () => {
  it('a restricted namespace without the CNI plugin blocks the sidecar, not ambient', () => {
    const web = modesOf(`${NAMESPACE}---\n${WEB}`);
    expect(web.modes).toEqual({
      sidecar: {
        ready: false,
        blocking: ['MR004'],
        messages: { MR004: expect.stringContaining('"restricted"') },
      },
      ambient: { ready: true, blocking: [], messages: {} },
    });
  });

  it('a NetworkPolicy without HBONE blocks ambient, whatever the namespace runs today', () => {
    const web = modesOf(
      `${NAMESPACE.replace(
        'restricted',
        'privileged',
      )}---\n${WEB}---\n${APP_PORT_ONLY}`,
      'istio-injection: enabled',
    );
    expect(web.ready).toBe(true);
    expect(web.modes).toEqual({
      sidecar: { ready: true, blocking: [], messages: {} },
      // The workload's own MR015 finding is n/a (it runs with a sidecar): the reason is here.
      ambient: {
        ready: false,
        blocking: ['MR015'],
        messages: {
          MR015:
            '1 NetworkPolicy in front of the ambient pods would drop ztunnel’s traffic or the kubelet’s probes: "web-ingress" admits peers on 1 ingress rule but not on TCP 15008 (HBONE).',
        },
      },
    });
    expect(web.findings.find(f => f.ruleId === 'MR015')?.status).toBe('skip');
  });

  it('UID 1337 and the sidecar-only ports block the sidecar, not ambient; a port ztunnel takes in the pod blocks both', () => {
    const privileged = NAMESPACE.replace('restricted', 'privileged');
    const asProxy = WEB.replace(
      'image: shop/web:1.0',
      'image: shop/web:1.0\n          securityContext: {runAsUser: 1337}',
    );
    const agentPorts = asProxy.replace(
      'containerPort: 8080}]',
      'containerPort: 8080}, {containerPort: 15020}]',
    );
    expect(modesOf(`${privileged}---\n${agentPorts}`).modes).toEqual({
      sidecar: {
        ready: false,
        blocking: ['MR003', 'MR007'],
        messages: {
          MR003: expect.stringContaining('UID 1337'),
          MR007: expect.stringContaining('15020'),
        },
      },
      ambient: { ready: true, blocking: [], messages: {} },
    });
    const hbonePort = WEB.replace(
      'containerPort: 8080}]',
      'containerPort: 8080}, {containerPort: 15008}]',
    );
    expect(modesOf(`${privileged}---\n${hbonePort}`).modes).toEqual({
      sidecar: {
        ready: false,
        blocking: ['MR007'],
        messages: { MR007: expect.stringContaining('15008') },
      },
      ambient: {
        ready: false,
        blocking: ['MR007'],
        messages: { MR007: expect.stringContaining('15008') },
      },
    });
  });

  it('rolls up per mode: how many are ready, which rules block most', () => {
    const restricted = modesOf(`${NAMESPACE}---\n${WEB}---\n${APP_PORT_ONLY}`);
    const summary = summarize([restricted, restricted]);
    expect(summary.modes).toEqual({
      sidecar: {
        workloads: 2,
        readyWorkloads: 0,
        blocking: [{ ruleId: 'MR004', workloads: 2 }],
      },
      ambient: {
        workloads: 2,
        readyWorkloads: 0,
        blocking: [{ ruleId: 'MR015', workloads: 2 }],
      },
    });
  });

  it('leaves modes out, and every finding as it was, when the caller shows none (the CLI table)', () => {
    const { objects } = parseManifests(
      `${NAMESPACE}---\n${WEB}---\n${APP_PORT_ONLY}`,
      'test.yaml',
    );
    const full = evaluate({ source: 'manifests', objects });
    const lean = evaluate({ source: 'manifests', objects }, { modes: false });
    expect(full.workloads[0].modes).toBeDefined();
    expect(lean.workloads[0].modes).toBeUndefined();
    expect(lean).toEqual({
      ...full,
      workloads: full.workloads.map(({ modes: _modes, ...rest }) => rest),
    });
  });

  // A rule that reads the namespace's injection labels without declaring
  // readsDataPlaneMode would be reused unchanged per mode: this catches it.
  const files = fs
    .readdirSync(FIXTURES_DIR)
    .filter(d => /^MR\d{3}$/.test(d))
    .flatMap(rule =>
      fixtureFiles(rule).map(f => [`${rule}/${path.basename(f)}`, f]),
    );
  it.each(files)(
    '%s: the declared mode-dependent rules give the same modes as judging every rule again',
    (_name, file) => {
      const text = fs.readFileSync(file, 'utf8');
      const header = parseFixtureHeader(text);
      const snapshot = {
        source: header.source,
        objects: parseManifests(text, file).objects,
        environment: header.environment,
        unreadable: header.unreadable,
      };
      const declared = evaluate(snapshot).workloads.map(w => w.modes);
      const exhaustive = evaluate(snapshot, {
        exhaustiveModes: true,
      }).workloads.map(w => w.modes);
      expect(declared).toEqual(exhaustive);
    },
  );
});
