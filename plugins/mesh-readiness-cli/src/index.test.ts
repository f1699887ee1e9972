import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../bin/mesh-readiness');
const MIXED = path.resolve(__dirname, '__fixtures__/mixed');

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('the mesh-readiness command', () => {
  it('prints exactly one JSON document on stdout and exits 2 on a broken input', () => {
    const result = run(['check', MIXED, '--format', 'json']);
    expect(result.status).toBe(2);
    const output = JSON.parse(result.stdout);
    expect(output.workloads).toHaveLength(3);
    expect(output.errors).toHaveLength(2);
  });

  it('exits 0 when every workload is ready', () => {
    const result = run(['check', path.join(MIXED, '02-kubectl-list.yaml'), '--no-color']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 ready');
  });

  it('explains its usage on bad flags and exits 2', () => {
    const result = run(['check', MIXED, '--format', 'xml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--format must be table or json');
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: mesh-readiness check PATH...');
  });
});
