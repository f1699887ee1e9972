import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/mesh-readiness');
const GATE = path.resolve(__dirname, '../__fixtures__/gate');
const PROFILE = path.join(GATE, 'project/.mesh-readiness.yaml');

function run(args: string[]) {
  return spawnSync(
    process.execPath,
    [BIN, 'check', ...args, '--target', PROFILE],
    { encoding: 'utf8' },
  );
}

describe('--baseline', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-baseline-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets findings already in the baseline pass the gate and marks only the new ones', () => {
    // main: the chart as it is (web runs as UID 1337: a known failure).
    const before = run([path.join(GATE, 'shop.yaml'), '--format', 'json']);
    expect(before.status).toBe(1);
    const baseline = path.join(dir, 'baseline.json');
    fs.writeFileSync(baseline, before.stdout);

    // The same chart again: nothing new, the gate passes.
    const same = run([
      path.join(GATE, 'shop.yaml'),
      '--format',
      'json',
      '--baseline',
      baseline,
    ]);
    expect(same.status).toBe(0);
    expect(JSON.parse(same.stdout).gate).toMatchObject({
      failing: 0,
      new: 0,
      baseline,
    });

    // The PR turns the worker's port name into one without a protocol and runs it as UID 1337.
    const changed = path.join(dir, 'shop.yaml');
    fs.writeFileSync(
      changed,
      fs
        .readFileSync(path.join(GATE, 'shop.yaml'), 'utf8')
        .replace(
          '    - name: grpc\n      port: 7000',
          '    - name: rpc\n      port: 7000',
        )
        .replace(
          '          image: shop/worker:2.0.0',
          '          image: shop/worker:2.0.0\n          securityContext: {runAsUser: 1337}',
        ),
    );
    const pr = run([changed, '--format', 'json', '--baseline', baseline]);
    expect(pr.status).toBe(1);
    const output = JSON.parse(pr.stdout);
    const marked = output.workloads.flatMap((w: any) =>
      w.findings
        .filter((f: any) => f.new)
        .map((f: any) => `${w.name} ${f.ruleId}`),
    );
    expect(marked).toEqual(['worker MR003', 'worker MR006']);
    expect(output.gate).toMatchObject({ failing: 1, new: 2 });

    // The table says which are new; SARIF gives baselineState.
    const table = run([changed, '--no-color', '--baseline', baseline]);
    expect(table.stdout).toMatch(/✖ fail\s+new MR003/);
    expect(table.stdout).toContain(
      'Gate --fail-on error: 1 finding failing, 2 new since the baseline',
    );
    const sarif = JSON.parse(
      run([changed, '--format', 'sarif', '--baseline', baseline]).stdout,
    );
    const states = sarif.runs[0].results.map(
      (r: any) =>
        `${r.locations[0].logicalLocations[0].fullyQualifiedName} ${r.ruleId} ${r.baselineState}`,
    );
    expect(states).toEqual(
      expect.arrayContaining([
        'Deployment/shop/web MR003 unchanged',
        'Deployment/shop/worker MR003 new',
      ]),
    );
  });

  it('refuses a baseline that is not a report, and exits 2', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"results": []}');
    const result = run([path.join(GATE, 'shop.yaml'), '--baseline', bad]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `the baseline ${bad} is not a report of \`check --format json\``,
    );
  });
});
