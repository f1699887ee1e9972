import path from 'node:path';
import { check } from './check';

const SHOP = path.resolve(__dirname, '../__fixtures__/gate/shop.yaml');
const PROFILE = path.resolve(
  __dirname,
  '../__fixtures__/gate/project/.mesh-readiness.yaml',
);

const json = (extra = {}) => ({ format: 'json' as const, ...extra });

describe('--fail-on', () => {
  // With the profile: web fails MR003 (error) and warns MR005/MR006; worker passes everything.
  const withProfile = { target: { file: PROFILE } };

  it('fails on a workload that is not ready by default', async () => {
    const result = await check([SHOP], json(withProfile));
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout).gate).toMatchObject({
      failOn: 'error',
      failing: 1,
      exitCode: 1,
    });
  });

  it('counts warnings at --fail-on warning and info, and nothing at never', async () => {
    const gateOf = async (failOn: string) =>
      JSON.parse((await check([SHOP], json({ ...withProfile, failOn }))).stdout)
        .gate;
    expect(await gateOf('warning')).toMatchObject({ failing: 3, exitCode: 1 });
    expect(await gateOf('info')).toMatchObject({ failing: 3, exitCode: 1 });
    expect(await gateOf('never')).toMatchObject({ failing: 0, exitCode: 0 });
  });

  it('passes at --fail-on error once the error is gone, and still fails at warning', async () => {
    const worker = path.resolve(
      __dirname,
      '../__fixtures__/gate/project/deploy/shop.yaml',
    );
    // Without the profile the namespace is unknown: MR004 is unknown at error severity.
    expect((await check([worker], json())).exitCode).toBe(1);
    expect((await check([worker], json({ failOn: 'never' }))).exitCode).toBe(0);
  });

  it('still exits 2 when an input cannot be read, whatever the level', async () => {
    const broken = path.resolve(
      __dirname,
      '../__fixtures__/mixed/01-broken.yaml',
    );
    expect(
      (await check([broken, SHOP], json({ failOn: 'never' }))).exitCode,
    ).toBe(2);
  });
});
