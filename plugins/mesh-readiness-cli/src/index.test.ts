import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../bin/mesh-readiness');
const MIXED = path.resolve(__dirname, '__fixtures__/mixed');
const RULES = path.resolve(__dirname, '__fixtures__/rules');
const RULE_FIXTURES = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-common/package.json'),
  '../src/rules/__fixtures__',
);

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    input,
  });
}

describe('the mesh-readiness command', () => {
  it('prints exactly one JSON document on stdout and exits 2 on a broken input', () => {
    const result = run(['check', MIXED, '--format', 'json']);
    expect(result.status).toBe(2);
    const output = JSON.parse(result.stdout);
    expect(output.workloads).toHaveLength(3);
    expect(output.errors).toHaveLength(2);
    // Each workload says whether it would be ready with a sidecar and in ambient mode.
    for (const workload of output.workloads) {
      for (const mode of ['sidecar', 'ambient'])
        expect(Object.keys(workload.modes[mode].messages)).toEqual(
          workload.modes[mode].blocking,
        );
      expect(workload.modes).toEqual({
        sidecar: {
          ready: expect.any(Boolean),
          blocking: expect.any(Array),
          messages: expect.any(Object),
        },
        ambient: {
          ready: expect.any(Boolean),
          blocking: expect.any(Array),
          messages: expect.any(Object),
        },
      });
    }
  });

  it('exits 0 when every workload is ready', () => {
    const result = run([
      'check',
      path.join(MIXED, '02-kubectl-list.yaml'),
      '--no-color',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 ready');
  });

  it('exits 2, not 0, when what it reads from a pipe holds nothing (the command before it failed)', () => {
    const result = run(['check', '-', '--no-color'], '');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(
      '<stdin>: standard input holds no Kubernetes object, so nothing was checked (did the command writing it fail?)',
    );
    const rendered = run(
      ['check', '-', '--no-color'],
      fs.readFileSync(path.join(MIXED, '02-kubectl-list.yaml'), 'utf8'),
    );
    expect(rendered.status).toBe(0);
  });

  it('stops quietly when the reader closes the pipe early, and still exits with the gate', () => {
    // Every rule's fixtures: a table of about 200 KB, more than a pipe holds,
    // with workloads that are not ready (exit 1); head reads one line.
    const result = spawnSync(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" "$1" check "$2" --no-color | head -n 1',
        process.execPath,
        BIN,
        RULE_FIXTURES,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.status).toBe(1);
  });

  it('explains its usage on bad flags and exits 2', () => {
    const result = run(['check', MIXED, '--format', 'xml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '--format must be one of table, json, sarif, junit, github, markdown',
    );
    const unknown = run(['check', MIXED, '--formt', 'json']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--formt'");
    expect(run(['check']).stderr).toContain("missing required argument 'path'");
    expect(run([]).status).toBe(2);
    const help = run(['check', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(
      'Usage: mesh-readiness check [options] <path...>',
    );
    expect(help.stdout).toContain(
      'Exit status: 0 the gate passes, 1 a finding fails it',
    );
  });

  it('runs the rules a module exports beside the built-in ones', () => {
    const file = path.join(MIXED, '02-kubectl-list.yaml');
    const result = run([
      'check',
      file,
      '--format',
      'json',
      '--rules',
      path.join(RULES, 'acme-rules.js'),
    ]);
    // The workload is ready by the built-in rules, not by the team's own error rule.
    expect(result.status).toBe(1);
    const [workload] = JSON.parse(result.stdout).workloads;
    expect(
      workload.findings.find((f: any) => f.ruleId === 'ACME001'),
    ).toMatchObject({
      status: 'fail',
      message: 'The pods have no team label.',
    });
    const table = run([
      'check',
      file,
      '--no-color',
      '--rules',
      path.join(RULES, 'acme-rules.js'),
    ]);
    expect(table.stdout).toContain(
      'ACME001 Pods carry a team label: The pods have no team label.',
    );
  });

  it('refuses rules it cannot use, naming the module, and exits 2', () => {
    const bad = run(['check', MIXED, '--rules', path.join(RULES, 'bad-id.js')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      '"MR001": ids MR<number> belong to the built-in catalogue',
    );
    expect(bad.stderr).toContain('bad-id.js');
    const missing = run([
      'check',
      MIXED,
      '--rules',
      path.join(RULES, 'nowhere.js'),
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot load rules from');
  });
});
