import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import {
  fixJobCompletion,
  imageTag,
  NATIVE_SIDECAR_ANNOTATION,
} from './fixers';

const BIN = path.resolve(__dirname, '../../../bin/mesh-readiness');
const FIXTURES = path.resolve(__dirname, '../../__fixtures__/fix');
const CHART = path.join(FIXTURES, 'chart.yaml');

function run(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [BIN, ...args, '--no-target'], {
    encoding: 'utf8',
    cwd,
  });
}

/** A fixture copied into a fresh temporary folder before each test of the block, the folder removed after it. */
function copiedFixture(name: string): { dir: string; file: string } {
  const copy = { dir: '', file: '' };
  beforeEach(() => {
    copy.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-fix-'));
    copy.file = path.join(copy.dir, name);
    fs.copyFileSync(path.join(FIXTURES, name), copy.file);
  });
  afterEach(() => fs.rmSync(copy.dir, { recursive: true, force: true }));
  return copy;
}

describe('mesh-readiness fix', () => {
  const copy = copiedFixture('chart.yaml');

  it('prints a unified diff of what it would fix, and changes nothing without --write', () => {
    const result = run(['fix', copy.file]);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(copy.file, 'utf8')).toBe(
      fs.readFileSync(CHART, 'utf8'),
    );
    expect(result.stdout).toContain(`--- ${copy.file}`);
    expect(result.stdout).toContain('+      appProtocol: http\n');
    expect(result.stdout).toContain(
      '-      labels: {app: orders}   # version comes from the image\n',
    );
    expect(result.stdout).toContain(
      '+      labels: {app: orders, version: 2.3.1} # version comes from the image\n',
    );
    expect(result.stdout).toContain(
      '-        \'sidecar.istio.io/rewriteAppHTTPProbers\': "false"\n',
    );
    expect(result.stderr).toContain(
      'fixed: Deployment/shop/orders MR006: Service shop/orders port web: appProtocol http (from container port http-api)',
    );
    // The admin port targets a container port whose name says no protocol: left alone, with the reason.
    expect(result.stderr).toContain(
      'port admin: the container port it targets (admin) names no protocol',
    );
  });

  it('writes the fixes with --write, keeps comments, key order and quoting, and a second run changes nothing', () => {
    expect(run(['fix', copy.file, '--write']).status).toBe(0);
    const fixed = fs.readFileSync(copy.file, 'utf8');
    expect(fixed).toContain(
      '# helm template orders ./chart\n---\n# Source: orders/templates/service.yaml\n',
    );
    expect(fixed).toContain(
      '    - name: web # no protocol in the name\n      port: 80\n      targetPort: http-api\n      appProtocol: http\n',
    );
    expect(fixed).toContain(
      '          image: "registry.example.com/orders:2.3.1"\n',
    );
    expect(fixed).toContain('  schedule: "0 3 * * *"\n');
    expect(fixed).not.toContain('rewriteAppHTTPProbers');
    // The check agrees.
    const check = JSON.parse(
      run(['check', copy.file, '--format', 'json']).stdout,
    );
    const orders = check.workloads.find((w: any) => w.name === 'orders');
    expect(
      orders.findings
        .filter((f: any) => ['MR005', 'MR011'].includes(f.ruleId))
        .map((f: any) => f.status),
    ).toEqual(['pass', 'pass']);
    // Idempotent.
    const again = run(['fix', copy.file, '--write']);
    expect(again.stdout).toBe('');
    expect(fs.readFileSync(copy.file, 'utf8')).toBe(fixed);
  });

  it('fixes only the rules asked for', () => {
    const result = run(['fix', copy.file, '--rules', 'MR011']);
    expect(result.stdout).toContain('rewriteAppHTTPProbers');
    expect(result.stdout).not.toContain('appProtocol');
    expect(run(['fix', copy.file, '--rules', 'MR001']).status).toBe(2);
  });

  it('never touches a file it cannot parse', () => {
    const broken = path.join(copy.dir, 'broken.yaml');
    const text = `${fs.readFileSync(
      CHART,
      'utf8',
    )}---\nkind: Pod\nmetadata:\n  name: [broken\n`;
    fs.writeFileSync(broken, text);
    const result = run(['fix', broken, '--write']);
    expect(result.status).toBe(2);
    expect(fs.readFileSync(broken, 'utf8')).toBe(text);
    expect(result.stderr).toContain(`not touched: ${broken}:`);
  });
});

describe('mesh-readiness fix on misspelt Istio keys (MR016)', () => {
  const copy = copiedFixture('istio-typos.yaml');

  it('diffs the renames of the pod template’s and the Service’s keys, and leaves an ambiguous key alone', () => {
    const result = run(['fix', copy.file]);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(copy.file, 'utf8')).toBe(
      fs.readFileSync(path.join(FIXTURES, 'istio-typos.yaml'), 'utf8'),
    );
    expect(result.stdout).toContain(
      '-        proxy.istio.io/confg: |\n+        proxy.istio.io/config: |\n           holdApplicationUntilProxyStarts: true\n',
    );
    expect(result.stdout).toContain(
      '-        "traffic.sidecar.istio.io/excludeOutboundPort": "5432"\n+        "traffic.sidecar.istio.io/excludeOutboundPorts": "5432"\n',
    );
    expect(result.stdout).toContain(
      '+    networking.istio.io/exportTo: "." # only this namespace\n',
    );
    expect(result.stdout).not.toMatch(/^[-+].*xncludeInboundPorts/m);
    expect(result.stderr).toContain(
      'left alone: annotations traffic.sidecar.istio.io/xncludeInboundPorts: no single known key is meant',
    );
  });

  it('writes the renames with --write, the check then names only the ambiguous key, and a second run changes nothing', () => {
    expect(run(['fix', copy.file, '--write', '--rules', 'MR016']).status).toBe(
      0,
    );
    const fixed = fs.readFileSync(copy.file, 'utf8');
    expect(fixed).toContain(
      '        # Hold the app until the proxy is up.\n        proxy.istio.io/config: |\n',
    );
    const check = JSON.parse(
      run(['check', copy.file, '--format', 'json']).stdout,
    );
    const mr016 = check.workloads[0].findings.find(
      (f: any) => f.ruleId === 'MR016',
    );
    expect(mr016.evidence.map((e: any) => e.field)).toEqual([
      'spec.template.metadata.annotations["traffic.sidecar.istio.io/xncludeInboundPorts"]',
    ]);
    const again = run(['fix', copy.file, '--write']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(fs.readFileSync(copy.file, 'utf8')).toBe(fixed);
  });
});

describe('the MR013 fix', () => {
  const job = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    metadata:
      labels: {app: migrate}   # the app label
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "db/migrate:1.0"}]
`;

  it('asks a Job for a native sidecar, as a quoted string, and does it once', () => {
    const doc = parseDocument(job);
    const object = doc.toJS();
    const outcome = fixJobCompletion({
      finding: {} as any,
      workload: { doc, path: [], object, changed: () => {} },
      find: () => undefined,
    });
    expect(outcome).toEqual({
      changed: true,
      what: [`annotation ${NATIVE_SIDECAR_ANNOTATION}: "true"`],
    });
    const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    expect(text).toContain(
      `      labels: {app: migrate} # the app label\n      annotations:\n        ${NATIVE_SIDECAR_ANNOTATION}: "true"\n`,
    );
    const again = parseDocument(text);
    expect(
      fixJobCompletion({
        finding: {} as any,
        workload: {
          doc: again,
          path: [],
          object: again.toJS(),
          changed: () => {},
        },
        find: () => undefined,
      }).changed,
    ).toBe(false);
  });

  it('puts it on a CronJob’s pod template and leaves a Deployment alone', () => {
    const cron = parseDocument(
      'kind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: []}\n',
    );
    fixJobCompletion({
      finding: {} as any,
      workload: { doc: cron, path: [], object: cron.toJS(), changed: () => {} },
      find: () => undefined,
    });
    expect(
      cron.toJS().spec.jobTemplate.spec.template.metadata.annotations,
    ).toEqual({ [NATIVE_SIDECAR_ANNOTATION]: 'true' });
    const deployment = parseDocument('kind: Deployment\nmetadata: {name: d}\n');
    expect(
      fixJobCompletion({
        finding: {} as any,
        workload: {
          doc: deployment,
          path: [],
          object: deployment.toJS(),
          changed: () => {},
        },
        find: () => undefined,
      }).changed,
    ).toBe(false);
  });

  it('reads image tags but not digests or registry ports', () => {
    expect(imageTag('registry:5000/app:1.2')).toBe('1.2');
    expect(imageTag('registry:5000/app')).toBeUndefined();
    expect(imageTag('app@sha256:abc')).toBeUndefined();
  });
});
