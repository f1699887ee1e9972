import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { fixJobCompletion, imageTag, NATIVE_SIDECAR_ANNOTATION } from './fixers';

const BIN = path.resolve(__dirname, '../../../bin/mesh-readiness');
const CHART = path.resolve(__dirname, '../../__fixtures__/fix/chart.yaml');

function run(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [BIN, ...args, '--no-target'], { encoding: 'utf8', cwd });
}

describe('mesh-readiness fix', () => {
  let dir: string;
  let chart: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-fix-'));
    chart = path.join(dir, 'chart.yaml');
    fs.copyFileSync(CHART, chart);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a unified diff of what it would fix, and changes nothing without --write', () => {
    const result = run(['fix', chart]);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(chart, 'utf8')).toBe(fs.readFileSync(CHART, 'utf8'));
    expect(result.stdout).toContain(`--- ${chart}`);
    expect(result.stdout).toContain('+      appProtocol: http\n');
    expect(result.stdout).toContain('-      labels: {app: orders}   # version comes from the image\n');
    expect(result.stdout).toContain('+      labels: {app: orders, version: 2.3.1} # version comes from the image\n');
    expect(result.stdout).toContain("-        'sidecar.istio.io/rewriteAppHTTPProbers': \"false\"\n");
    expect(result.stderr).toContain('fixed: Deployment/shop/orders MR006: Service shop/orders port web: appProtocol http (from container port http-api)');
    // The admin port targets a container port whose name says no protocol: left alone, with the reason.
    expect(result.stderr).toContain('port admin: the container port it targets (admin) names no protocol');
  });

  it('writes the fixes with --write, keeps comments, key order and quoting, and a second run changes nothing', () => {
    expect(run(['fix', chart, '--write']).status).toBe(0);
    const fixed = fs.readFileSync(chart, 'utf8');
    expect(fixed).toContain('# helm template orders ./chart\n---\n# Source: orders/templates/service.yaml\n');
    expect(fixed).toContain('    - name: web # no protocol in the name\n      port: 80\n      targetPort: http-api\n      appProtocol: http\n');
    expect(fixed).toContain('          image: "registry.example.com/orders:2.3.1"\n');
    expect(fixed).toContain('  schedule: "0 3 * * *"\n');
    expect(fixed).not.toContain('rewriteAppHTTPProbers');
    // The check agrees.
    const check = JSON.parse(run(['check', chart, '--format', 'json']).stdout);
    const orders = check.workloads.find((w: any) => w.name === 'orders');
    expect(orders.findings.filter((f: any) => ['MR005', 'MR011'].includes(f.ruleId)).map((f: any) => f.status)).toEqual(['pass', 'pass']);
    // Idempotent.
    const again = run(['fix', chart, '--write']);
    expect(again.stdout).toBe('');
    expect(fs.readFileSync(chart, 'utf8')).toBe(fixed);
  });

  it('fixes only the rules asked for', () => {
    const result = run(['fix', chart, '--rules', 'MR011']);
    expect(result.stdout).toContain('rewriteAppHTTPProbers');
    expect(result.stdout).not.toContain('appProtocol');
    expect(run(['fix', chart, '--rules', 'MR001']).status).toBe(2);
  });

  it('never touches a file it cannot parse', () => {
    const broken = path.join(dir, 'broken.yaml');
    const text = `${fs.readFileSync(CHART, 'utf8')}---\nkind: Pod\nmetadata:\n  name: [broken\n`;
    fs.writeFileSync(broken, text);
    const result = run(['fix', broken, '--write']);
    expect(result.status).toBe(2);
    expect(fs.readFileSync(broken, 'utf8')).toBe(text);
    expect(result.stderr).toContain(`not touched: ${broken}:`);
  });
});

describe('mesh-readiness fix on misspelt Istio keys (MR016)', () => {
  const TYPOS = path.resolve(__dirname, '../../__fixtures__/fix/istio-typos.yaml');
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-fix-'));
    file = path.join(dir, 'istio-typos.yaml');
    fs.copyFileSync(TYPOS, file);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('diffs the renames of the pod template’s and the Service’s keys, and leaves an ambiguous key alone', () => {
    const result = run(['fix', file]);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(TYPOS, 'utf8'));
    expect(result.stdout).toContain('-        proxy.istio.io/confg: |\n+        proxy.istio.io/config: |\n           holdApplicationUntilProxyStarts: true\n');
    expect(result.stdout).toContain(
      '-        "traffic.sidecar.istio.io/excludeOutboundPort": "5432"\n+        "traffic.sidecar.istio.io/excludeOutboundPorts": "5432"\n',
    );
    expect(result.stdout).toContain('+    networking.istio.io/exportTo: "." # only this namespace\n');
    expect(result.stdout).not.toMatch(/^[-+].*xncludeInboundPorts/m);
    expect(result.stderr).toContain(
      'left alone: annotations traffic.sidecar.istio.io/xncludeInboundPorts: no single known key is meant',
    );
  });

  it('writes the renames with --write, the check then names only the ambiguous key, and a second run changes nothing', () => {
    expect(run(['fix', file, '--write', '--rules', 'MR016']).status).toBe(0);
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fixed).toContain('        # Hold the app until the proxy is up.\n        proxy.istio.io/config: |\n');
    const check = JSON.parse(run(['check', file, '--format', 'json']).stdout);
    const mr016 = check.workloads[0].findings.find((f: any) => f.ruleId === 'MR016');
    expect(mr016.evidence.map((e: any) => e.field)).toEqual(['spec.template.metadata.annotations["traffic.sidecar.istio.io/xncludeInboundPorts"]']);
    const again = run(['fix', file, '--write']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toBe(fixed);
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
    const outcome = fixJobCompletion({ finding: {} as any, workload: { doc, path: [], object, changed: () => {} }, find: () => undefined });
    expect(outcome).toEqual({ changed: true, what: [`annotation ${NATIVE_SIDECAR_ANNOTATION}: "true"`] });
    const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    expect(text).toContain(`      labels: {app: migrate} # the app label\n      annotations:\n        ${NATIVE_SIDECAR_ANNOTATION}: "true"\n`);
    const again = parseDocument(text);
    expect(fixJobCompletion({ finding: {} as any, workload: { doc: again, path: [], object: again.toJS(), changed: () => {} }, find: () => undefined }).changed).toBe(false);
  });

  it('puts it on a CronJob’s pod template and leaves a Deployment alone', () => {
    const cron = parseDocument('kind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: []}\n');
    fixJobCompletion({ finding: {} as any, workload: { doc: cron, path: [], object: cron.toJS(), changed: () => {} }, find: () => undefined });
    expect(cron.toJS().spec.jobTemplate.spec.template.metadata.annotations).toEqual({ [NATIVE_SIDECAR_ANNOTATION]: 'true' });
    const deployment = parseDocument('kind: Deployment\nmetadata: {name: d}\n');
    expect(fixJobCompletion({ finding: {} as any, workload: { doc: deployment, path: [], object: deployment.toJS(), changed: () => {} }, find: () => undefined }).changed).toBe(false);
  });

  it('reads image tags but not digests or registry ports', () => {
    expect(imageTag('registry:5000/app:1.2')).toBe('1.2');
    expect(imageTag('registry:5000/app')).toBeUndefined();
    expect(imageTag('app@sha256:abc')).toBeUndefined();
  });
});
