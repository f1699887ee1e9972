import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFixtureHeader } from '@mesh-readiness/plugin-mesh-readiness-common/testUtils';
import { check } from './check';

const MIXED = path.resolve(__dirname, '../__fixtures__/mixed');
const REPO = path.resolve(__dirname, '../__fixtures__/repo');
const NOTHING = path.resolve(__dirname, '../__fixtures__/nothing');
const RULE_FIXTURES = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-common/package.json'),
  '../src/rules/__fixtures__',
);

const json = { format: 'json' as const, istioCni: false, ambient: false };

describe('check on a folder a user might hand it', () => {
  it('reports every readable workload, names each broken file and line, and exits 2', async () => {
    const result = await check([MIXED], json);
    const output = JSON.parse(result.stdout);

    expect(result.exitCode).toBe(2);
    expect(
      output.workloads.map((w: any) => `${w.kind}/${w.namespace}/${w.name}`),
    ).toEqual([
      'CronJob/shop/shop-cleanup',
      'Deployment/shop/web',
      'StatefulSet/shop/redis',
    ]);
    expect(output.errors).toEqual([
      expect.objectContaining({
        file: path.join(MIXED, '01-broken.yaml'),
        line: 11,
      }),
      expect.objectContaining({
        file: path.join(MIXED, '04-statefulset.yml'),
        line: 38,
      }),
    ]);
    // The Deployment came from a kind: List, its Namespace too (injection on).
    const web = output.workloads.find((w: any) => w.name === 'web');
    expect(web).toMatchObject({ ready: true, level: 3, score: 100 });
    // The Helm CronJob runs as the proxy's UID.
    const cleanup = output.workloads.find(
      (w: any) => w.name === 'shop-cleanup',
    );
    expect(cleanup.ready).toBe(false);
    expect(
      cleanup.findings.find((f: any) => f.ruleId === 'MR003'),
    ).toMatchObject({
      status: 'fail',
      severity: 'error',
      docsUrl: expect.stringMatching(/^https:\/\/istio\.io\//),
      evidence: [
        expect.objectContaining({
          name: 'shop-cleanup',
          detail: expect.stringContaining('cleanup'),
        }),
      ],
    });
    // Kinds the rules do not read are listed, so a typo in a kind is seen.
    expect(output.ignored).toEqual([
      expect.objectContaining({ kind: 'ConfigMap', name: 'shop-config' }),
    ]);
    // The Secret in the Helm output is never read into the report.
    expect(result.stdout).not.toContain('do-not-print-me');
    expect(result.stdout).not.toContain('shop-db');
  });

  it('on a whole repository: names a Helm chart rather than reading its templates, and passes over files that hold no manifest', async () => {
    const result = await check([REPO], json);
    const output = JSON.parse(result.stdout);

    // The chart's templates are not read as manifests (their {{ }} would
    // parse as maps); the misspelt kind is still an error; so exit 2.
    expect(
      output.workloads.map((w: any) => `${w.kind}/${w.namespace}/${w.name}`),
    ).toEqual(['Deployment/shop/web']);
    expect(output.errors).toEqual([
      {
        file: path.join(REPO, 'chart'),
        message: `a Helm chart (it has a Chart.yaml): its templates are not manifests until rendered; check what it renders instead: helm template NAME ${path.join(
          REPO,
          'chart',
        )} | mesh-readiness check -`,
      },
      {
        file: path.join(REPO, 'deploy/worker.yaml'),
        line: 2,
        message: 'the document has no "kind"',
      },
    ]);
    expect(result.exitCode).toBe(2);
    // Found in folders with no kind or apiVersion key: listed, not errors.
    expect(output.notManifests).toEqual([
      path.join(REPO, 'config/app-values.yaml'),
      path.join(REPO, 'package.json'),
    ]);

    const table = await check([REPO], { ...json, format: 'table' });
    expect(table.stdout).toContain(
      `Not checked (found in folders, no Kubernetes object in them): ${path.join(
        REPO,
        'config/app-values.yaml',
      )}, ${path.join(REPO, 'package.json')}`,
    );
    expect(table.stdout).toMatch(/1 workload in 2 files/);
  });

  it('still reads a file named on the command line that holds no manifest, and says why it is not one', async () => {
    const named = path.join(REPO, 'config/app-values.yaml');
    const result = await check([named], json);
    const output = JSON.parse(result.stdout);
    expect(output.notManifests).toEqual([]);
    expect(output.errors).toEqual([
      { file: named, line: 2, message: 'the document has no "kind"' },
    ]);
    expect(result.exitCode).toBe(2);
  });

  it('fails rather than passes an input that holds nothing to check', async () => {
    // A render with every object switched off, named on the command line.
    const commentedOut = path.join(NOTHING, 'commented-out.yaml');
    // A folder in which every file found is a values file.
    const valuesOnly = path.join(NOTHING, 'values-only');
    // A folder with no manifest file at all.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-empty-'));
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'kind: Deployment\n');

    const result = await check([commentedOut, valuesOnly, empty], json);
    const output = JSON.parse(result.stdout);
    expect(output.errors).toEqual([
      {
        file: empty,
        message:
          'no .yaml, .yml or .json file in this folder, so nothing was checked',
      },
      {
        file: commentedOut,
        message: 'holds no Kubernetes object, so nothing was checked',
      },
      {
        file: valuesOnly,
        message:
          'no Kubernetes object in this folder, so nothing was checked (1 file passed over: no kind or apiVersion key)',
      },
    ]);
    expect(output.notManifests).toEqual([path.join(valuesOnly, 'values.yaml')]);
    expect(result.exitCode).toBe(2);

    // A folder named on the command line must hold an object, whatever is
    // named beside it; inside a folder that holds one, the values file is
    // only listed as not checked.
    const beside = await check(
      [valuesOnly, path.join(REPO, 'deploy/web.yaml')],
      json,
    );
    expect(JSON.parse(beside.stdout).errors).toEqual([
      expect.objectContaining({ file: valuesOnly }),
    ]);
    const repo = await check([REPO], json);
    expect(JSON.parse(repo.stdout).errors).not.toContainEqual(
      expect.objectContaining({ file: REPO }),
    );
  });

  it('reads each file once, however many paths lead to it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-links-'));
    const web = path.join(dir, 'web.yaml');
    fs.copyFileSync(path.join(REPO, 'deploy/web.yaml'), web);
    // A link back to the parent folder, and one to the folder beside it.
    fs.mkdirSync(path.join(dir, 'overlays'));
    fs.symlinkSync('..', path.join(dir, 'overlays/up'));
    fs.symlinkSync(dir, path.join(os.tmpdir(), `${path.basename(dir)}-link`));

    const result = await check(
      [dir, web, path.join(os.tmpdir(), `${path.basename(dir)}-link`)],
      { ...json, format: 'table' },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1 workload in 1 file ·/);
    expect(result.stdout).not.toContain('ELOOP');
  });

  it('gives every workload one finding per rule in the documented JSON shape', async () => {
    const result = await check(
      [path.join(MIXED, '02-kubectl-list.yaml')],
      json,
    );
    const output = JSON.parse(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(output.errors).toEqual([]);
    const [web] = output.workloads;
    expect(Object.keys(web)).toEqual(
      expect.arrayContaining([
        'kind',
        'namespace',
        'name',
        'ready',
        'level',
        'score',
        'findings',
      ]),
    );
    expect(web.findings.map((f: any) => f.ruleId)).toEqual([
      'MR001',
      'MR002',
      'MR003',
      'MR004',
      'MR005',
      'MR006',
      'MR007',
      'MR008',
      'MR009',
      'MR010',
      'MR011',
      'MR012',
      'MR013',
      'MR014',
      'MR015',
      'MR016',
    ]);
    for (const f of web.findings) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          'ruleId',
          'status',
          'severity',
          'message',
          'evidence',
          'docsUrl',
        ]),
      );
    }
  });

  it('defaults a manifest without a namespace to "default" and exits 1 when a workload is not ready', async () => {
    const file = path.join(
      RULE_FIXTURES,
      'MR001',
      'edge-portless-service-cronjob-and-pod.yaml',
    );
    const result = await check([file], json);
    expect(result.exitCode).toBe(1);
    expect(
      JSON.parse(result.stdout).workloads.map((w: any) => w.namespace),
    ).toEqual(['default', 'default']);
  });

  it('takes --istio-cni into account for MR004', async () => {
    const file = path.join(
      RULE_FIXTURES,
      'MR004',
      'fail-baseline-namespace.yaml',
    );
    const without = JSON.parse((await check([file], json)).stdout);
    const withCni = JSON.parse(
      (await check([file], { ...json, istioCni: true })).stdout,
    );
    const mr004 = (o: any) =>
      o.workloads[0].findings.find((f: any) => f.ruleId === 'MR004').status;
    expect(mr004(without)).toBe('fail');
    expect(mr004(withCni)).toBe('pass');
  });

  it('prints a table grouped by workload with a summary line', async () => {
    const result = await check([path.join(MIXED, '02-kubectl-list.yaml')], {
      ...json,
      format: 'table',
    });
    expect(result.stdout).toMatch(
      /Deployment shop\/web\s+ready\s+level 3 Meshed/,
    );
    expect(result.stdout).toContain('MR001');
    expect(result.stdout.trim().split('\n').pop()).toMatch(
      /^1 workload in 1 file · 1 ready · 0 not ready/,
    );
  });

  it('checks the pods of `kubectl get pods -o yaml` under their owner, saying the owner was not given', async () => {
    const owners = path.resolve(
      RULE_FIXTURES,
      '../../__fixtures__/owners/unreadable-daemonset.yaml',
    );
    const result = await check([owners], { ...json, format: 'table' });
    expect(result.stdout).toMatch(
      /DaemonSet observability\/node-agent\s+not ready/,
    );
    expect(result.stdout).toContain(
      '! The DaemonSet observability/node-agent itself is not in the snapshot',
    );
  });

  it('reports a path that does not exist as an input error', async () => {
    const result = await check([path.join(MIXED, 'missing.yaml')], json);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).errors[0]).toMatchObject({
      message: expect.stringContaining('ENOENT'),
    });
  });
});

describe('check on every rule fixture', () => {
  const cases: Array<[string, string]> = [];
  for (const rule of fs
    .readdirSync(RULE_FIXTURES)
    .filter(d => /^MR\d{3}$/.test(d))
    .sort()) {
    for (const file of fs
      .readdirSync(path.join(RULE_FIXTURES, rule))
      .filter(f => f.endsWith('.yaml'))
      .sort()) {
      cases.push([`${rule}/${file}`, path.join(RULE_FIXTURES, rule, file)]);
    }
  }

  it('covers all sixteen rules', () => {
    expect(new Set(cases.map(([name]) => name.split('/')[0])).size).toBe(16);
  });

  // Running pods and SubjectAccessReview answers exist only on live clusters;
  // the Istio facts a fixture assumes are what a target profile declares.
  const TARGET_KEYS = ['istioCni', 'ambient', 'istioVersion', 'nativeSidecars'];
  const manifestCases = cases.filter(([, file]) => {
    const header = parseFixtureHeader(fs.readFileSync(file, 'utf8'));
    const env = header.environment ?? {};
    return (
      header.source === 'manifests' &&
      Object.keys(env).every(k => TARGET_KEYS.includes(k))
    );
  });

  it('runs most fixtures, leaving out only the live-cluster ones', () => {
    expect(manifestCases.length).toBeGreaterThan(cases.length - 8);
  });

  it.each(manifestCases)(
    '%s gives the finding the engine test expects',
    async (name, file) => {
      const header = parseFixtureHeader(fs.readFileSync(file, 'utf8'));
      const env = header.environment ?? {};
      const ruleId = name.split('/')[0];
      // The fixture's environment, handed over as a user would: a target profile file.
      const profile = path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'mr-target-')),
        '.mesh-readiness.yaml',
      );
      const istio = [
        `  cni: ${!!env.istioCni}`,
        `  ambient: ${!!env.ambient}`,
        ...(env.istioVersion !== undefined
          ? [`  version: "${env.istioVersion}"`]
          : []),
        ...(env.nativeSidecars !== undefined
          ? [`  nativeSidecars: ${env.nativeSidecars}`]
          : []),
      ];
      fs.writeFileSync(profile, `istio:\n${istio.join('\n')}\n`);
      const result = await check([file], {
        format: 'json',
        target: { file: profile },
      });
      fs.rmSync(path.dirname(profile), { recursive: true, force: true });
      const output = JSON.parse(result.stdout);
      expect(output.errors).toEqual([]);
      const actual = Object.fromEntries(
        output.workloads.map((w: any) => [
          `${w.kind}/${w.namespace}/${w.name}`,
          w.findings.find((f: any) => f.ruleId === ruleId),
        ]),
      );
      for (const e of header.expectations) {
        expect({
          workload: e.workload,
          status: actual[e.workload]?.status,
        }).toEqual({
          workload: e.workload,
          status: e.status,
        });
        expect(actual[e.workload].message).toContain(e.messageContains ?? '');
      }
    },
  );
});

describe('check on waivers with a last day', () => {
  const waivers = path.resolve(
    RULE_FIXTURES,
    '../../__fixtures__/waivers/expiring-waivers.yaml',
  );

  it('counts an expired waiver’s finding again, applies a live one, and refuses a malformed date as an input error', async () => {
    const result = await check([waivers], json);
    const output = JSON.parse(result.stdout);
    const mr006 = (name: string) =>
      output.workloads
        .find((w: any) => w.name === name)
        .findings.find((f: any) => f.ruleId === 'MR006');
    expect(mr006('ledger')).toMatchObject({
      status: 'warn',
      expiredWaiver: { until: '2020-01-31' },
    });
    expect(mr006('billing')).toMatchObject({
      status: 'waived',
      waiver: { until: '2099-12-31' },
    });
    expect(mr006('refunds').status).toBe('warn');
    expect(output.errors).toEqual([
      {
        cluster: 'manifests',
        message: expect.stringContaining(
          'annotation mesh-readiness.io/waive-until "31/12/2026" is not a date',
        ),
      },
    ]);
    expect(result.exitCode).toBe(2);
  });

  it('shows when each waiver ends, and the expired one with its reason', async () => {
    const result = await check([waivers], { ...json, format: 'table' });
    expect(result.stdout).toContain(
      'waiver expired on 2020-01-31: the ledger port is renamed in the January release',
    );
    expect(result.stdout).toContain(
      'waived (warn) (until 2099-12-31): the gateway still sniffs this port',
    );
    expect(result.stdout).toContain(
      'Deployment payments/refunds: annotation mesh-readiness.io/waive-until "31/12/2026"',
    );
  });
});
