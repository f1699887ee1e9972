/*
 * yarn bench:api — a team scorecard over 2,000 components served from the
 * store, against the same scorecard computed by a live scan first (read
 * the cluster through the API, evaluate, store, then answer). Median of
 * several runs, as a ratio measured in one run.
 * Last line: speedup=<live/store>
 */
import {
  componentEntities,
  componentsCluster,
  standInSource,
  startStandInApi,
} from './standInApi';
import { harness } from './backendHarness';

const N = 2000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn: () => Promise<unknown>) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
  const api = await startStandInApi(componentsCluster(N));
  const source = standInSource(api);
  // One team owns all 2,000 components.
  const entities = componentEntities(N, 1);
  const group = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-0', namespace: 'default' },
    spec: {},
  };
  const h = await harness([source], [...entities, group]);
  await h.scanner.scan();
  await h.readiness.groupScorecard(group as any, h.credentials); // warm up
  const stored: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    stored.push(
      await time(() => h.readiness.groupScorecard(group as any, h.credentials)),
    );
    live.push(
      await time(async () => {
        await h.scanner.scan();
        await h.readiness.groupScorecard(group as any, h.credentials);
      }),
    );
  }
  const s = median(stored);
  const l = median(live);
  console.log(
    `${N} components: scorecard from the store ${s.toFixed(
      0,
    )} ms, with a live scan ${l.toFixed(0)} ms (median of ${RUNS})`,
  );
  console.log('target: speedup >= 50');
  console.log(`speedup=${(l / s).toFixed(1)}`);
  await h.db.destroy();
  await api.close();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
