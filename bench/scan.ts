/*
 * yarn bench:scan — Kubernetes API calls made by one scan of N components
 * (and reading each component's report), against a counting stand-in API
 * on loopback. The count must not grow with N: one snapshot per cluster
 * is shared by all entities; lists grow only by pages (PAGE_SIZE objects each).
 * Last line: calls_10=<n> calls_100=<n> calls_1000=<n>
 */
import { PAGE_SIZE } from '../plugins/mesh-readiness-backend/src/service/KubernetesClusterSource';
import {
  componentEntities,
  componentsCluster,
  standInSource,
  startStandInApi,
} from './standInApi';
import { harness } from './backendHarness';

async function main() {
  const figures: string[] = [];
  for (const n of [10, 100, 1000]) {
    const api = await startStandInApi(componentsCluster(n));
    const source = standInSource(api);
    const entities = componentEntities(n);
    const h = await harness([source], entities);
    api.reset();
    const started = Date.now();
    await h.scanner.scan();
    for (const e of entities) await h.readiness.entityReport(e);
    const calls = api.calls();
    console.log(
      `N=${n}: ${calls} API calls for one scan and ${n} entity reports (${
        Date.now() - started
      } ms, pods listed in ${Math.ceil((2 * n) / PAGE_SIZE)} page(s))`,
    );
    figures.push(`calls_${n}=${calls}`);
    await h.db.destroy();
    await api.close();
  }
  console.log(
    `target: the count does not grow with N (beyond list pages of ${PAGE_SIZE})`,
  );
  console.log(figures.join(' '));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
