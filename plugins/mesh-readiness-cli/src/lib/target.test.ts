import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { check } from './check';

const BIN = path.resolve(__dirname, '../../bin/mesh-readiness');
const GATE = path.resolve(__dirname, '../__fixtures__/gate');
const SHOP = path.join(GATE, 'shop.yaml');

const findingOf = (stdout: string, workload: string, ruleId: string) =>
  JSON.parse(stdout)
    .workloads.find((w: any) => w.name === workload)
    .findings.find((f: any) => f.ruleId === ruleId);

describe('the target profile', () => {
  it('is found from the working directory upward and describes what the PR does not carry', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'check', 'shop.yaml', '--format', 'json'],
      {
        cwd: path.join(GATE, 'project/deploy'),
        encoding: 'utf8',
      },
    );
    const output = JSON.parse(result.stdout);
    expect(output.gate.target).toBe(
      path.join(GATE, 'project/.mesh-readiness.yaml'),
    );
    // The namespace is known now (injection on, baseline), and the CNI agent makes MR004 pass.
    expect(findingOf(result.stdout, 'worker', 'MR008').status).toBe('pass');
    expect(findingOf(result.stdout, 'worker', 'MR004').status).toBe('pass');
    expect(output.workloads.find((w: any) => w.name === 'worker').ready).toBe(
      true,
    );
    // web still runs a container as UID 1337.
    expect(result.status).toBe(1);
  });

  it('is not read with --no-target, so unknown stays unknown', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'check', 'shop.yaml', '--format', 'json', '--no-target'],
      {
        cwd: path.join(GATE, 'project/deploy'),
        encoding: 'utf8',
      },
    );
    expect(findingOf(result.stdout, 'worker', 'MR008').status).toBe('unknown');
  });

  it('gives each mistake in the file with its line, exits 2, and keeps what is right', async () => {
    const file = path.join(GATE, 'broken-target.yaml');
    const result = await check([SHOP], { format: 'json', target: { file } });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).errors).toEqual([
      {
        file,
        line: 3,
        message: 'istio.cni must be true or false, found "yes"',
      },
    ]);
    // Its namespaces still apply.
    expect(findingOf(result.stdout, 'worker', 'MR008').status).toBe('pass');
  });

  it('names a --target file that does not exist and exits 2', async () => {
    const file = path.join(GATE, 'nowhere.yaml');
    const result = await check([SHOP], { format: 'json', target: { file } });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).errors[0]).toMatchObject({
      file,
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('gives way to Namespace objects in the input', async () => {
    const file = path.join(GATE, 'project/.mesh-readiness.yaml');
    const result = await check(
      [SHOP, path.join(GATE, 'namespace-disabled.yaml')],
      { format: 'json', target: { file } },
    );
    const mr008 = findingOf(result.stdout, 'worker', 'MR008');
    expect(mr008.status).toBe('warn');
    expect(JSON.stringify(mr008)).toContain('disabled');
  });

  it('gives way to --istio-cni and --ambient given on the command line', async () => {
    const file = path.join(GATE, 'project/.mesh-readiness.yaml');
    const result = await check([SHOP], {
      format: 'json',
      target: { file },
      istioCni: false,
    });
    // The profile says cni: true, the flag says no: baseline forbids istio-init's capabilities.
    expect(findingOf(result.stdout, 'worker', 'MR004').status).toBe('fail');
  });
});
