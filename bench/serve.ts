/*
 * yarn bench:serve — how fast the built backend serves a stored entity
 * report, beside the catalog serving the same entity from the same process.
 *
 * The app's backend is built and run as production runs it (see
 * productionBackend.ts: the bundle, plain node, NODE_ENV=production), with
 * the demo catalog and the demo cluster, once on SQLite and once on
 * PostgreSQL (bench/serve.sh starts a throwaway server). autocannon reads,
 * on loopback with a signed-in user's token, in rounds: our entity report
 * and the catalog's by-name endpoint for the same entity (cart), one after
 * the other in each round, their order swapped from round to round, then the
 * team scorecard, the organisation page and the rule catalogue (a request
 * that asks the catalog nothing: the platform's cost per request). The machine is shared, so the
 * figures are medians over the rounds, and the ratios are medians of each
 * round's ratio. Prints figures; asserts nothing.
 *
 * BENCH_SERVE_ROUNDS (5), BENCH_SERVE_SECONDS per endpoint and round (5),
 * BENCH_SERVE_CONNECTIONS (16), BENCH_SERVE_REUSE_BUILD=1 to reuse a bundle
 * already built, BENCH_SERVE_PROFILE=1 to also profile the backend (CPU,
 * --cpu-prof) while it serves the entity report alone, then the catalog's
 * entity alone, on PostgreSQL (BENCH_SERVE_PROFILE=only: no rounds).
 * Last line: rps_vs_catalog=<ours/catalog> p99_vs_catalog=<ours/catalog>,
 * for the entity report on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import {
  freePort,
  repoPath,
  waitFor,
} from '../plugins/mesh-readiness-backend/src/reliability/harness';
import {
  buildBackendBundle,
  ProductionReplica,
  unpackBackend,
} from './productionBackend';
import { summarizeProfile } from './cpuProfile';
import { cpuTicksOf } from './procStats';

const ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_SERVE_CONNECTIONS ?? 16);
const PROFILE = process.env.BENCH_SERVE_PROFILE; // '1': after the rounds; 'only': instead of them

const ENDPOINTS = {
  entity: '/api/mesh-readiness/entities/component/default/cart',
  catalog: '/api/catalog/entities/by-name/component/default/cart',
  scorecard: '/api/mesh-readiness/groups/default/team-web/scorecard',
  organisation: '/api/mesh-readiness/scorecards',
  // A request to our plugin that asks the catalog nothing: what the platform costs per request, before any work.
  rules: '/api/mesh-readiness/rules',
} as const;
type Endpoint = keyof typeof ENDPOINTS;

interface Measure {
  rps: number;
  /** The backend's CPU time (user and system) per request. */
  cpuMs: number;
  p50: number;
  p99: number;
  bytes: number;
  bad: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');

function configFor(port: number, database: object) {
  return {
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { port, host: '127.0.0.1' },
      database,
    },
    // The demo signs users in as guests; a production build allows it only when told.
    auth: {
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    catalog: {
      locations: [
        { type: 'file', target: repoPath('examples/mesh-demo/catalog.yaml') },
        {
          type: 'file',
          target: repoPath('examples/mesh-demo/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
      ],
    },
    meshReadiness: {
      manifestSources: [
        { name: 'demo-cluster', path: repoPath('examples/mesh-demo/cluster') },
      ],
      // One scan at start; none while the load runs.
      schedule: {
        frequency: { hours: 1 },
        timeout: { minutes: 1 },
        initialDelay: { seconds: 1 },
      },
    },
  };
}

/** CPU time a process has used so far, in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  return cpuTicksOf(pid) * 10;
}

async function measure(
  backend: ProductionReplica,
  token: string,
  endpoint: Endpoint,
  seconds: number,
): Promise<Measure> {
  let bad = 0;
  const cpuBefore = cpuMsOf(backend.pid!);
  const result = await autocannon({
    url: backend.baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    maxOverallRequests: 100_000,
    timeout: 10,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        method: 'GET',
        path: ENDPOINTS[endpoint],
        onResponse: (status: number) => {
          if (status !== 200) bad++;
        },
      },
    ],
  });
  const cpu = cpuMsOf(backend.pid!) - cpuBefore;
  return {
    rps: result.requests.average,
    cpuMs: result.requests.total ? cpu / result.requests.total : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytes: result.requests.total
      ? result.throughput.total / result.requests.total
      : 0,
    bad: bad + result.errors + result.timeouts,
  };
}

/** Backends to stop if the benchmark is interrupted. */
const running = new Set<ProductionReplica>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () =>
    Promise.all([...running].map(b => b.kill())).finally(() =>
      process.exit(130),
    ),
  );
}

/** Starts a built backend on the database, waits for the demo's catalog and scan, and returns it signed in. */
async function startBackend(
  dir: string,
  name: string,
  database: object,
  nodeArgs: string[] = [],
) {
  const port = await freePort();
  const configFile = path.join(dir, `${name}.json`);
  fs.writeFileSync(configFile, JSON.stringify(configFor(port, database)));
  const backend = new ProductionReplica(name, port, configFile, dir, nodeArgs);
  running.add(backend);
  await backend.start();
  await waitFor('the demo catalog and a scan', 120, async () => {
    const cart = await backend.get('/entities/component/default/cart');
    const team = await backend.get('/groups/default/team-web/scorecard');
    return cart.body?.workloads?.length && team.body?.components?.length
      ? true
      : undefined;
  });
  return { backend, token: await backend.signIn() };
}

/** Every endpoint in rounds on one backend; returns the medians and the per-round ratios of entity to catalog. */
async function benchmark(dir: string, name: string, database: object) {
  console.log(`\n## ${name}: starting the built backend…`);
  const { backend, token } = await startBackend(dir, name, database);
  try {
    const rounds: Array<Record<Endpoint, Measure>> = [];
    console.log(`load average before: ${load()}`);
    // Warm-up: the first seconds of each endpoint compile its code (a 2 s warm-up left round 1 at twice the CPU per request).
    for (const endpoint of Object.keys(ENDPOINTS) as Endpoint[])
      await measure(backend, token, endpoint, SECONDS);
    for (let r = 0; r < ROUNDS; r++) {
      const order: Endpoint[] =
        r % 2
          ? ['catalog', 'entity', 'scorecard', 'organisation', 'rules']
          : ['entity', 'catalog', 'scorecard', 'organisation', 'rules'];
      const round = {} as Record<Endpoint, Measure>;
      for (const endpoint of order)
        round[endpoint] = await measure(backend, token, endpoint, SECONDS);
      rounds.push(round);
      console.log(
        `round ${r + 1}: ${order
          .map(
            e =>
              `${e} ${round[e].rps.toFixed(0)} rps p99 ${
                round[e].p99
              } ms cpu ${round[e].cpuMs.toFixed(2)} ms`,
          )
          .join(', ')} (load ${load()})`,
      );
    }
    console.log(
      `${name}: median of ${ROUNDS} rounds, ${CONNECTIONS} connections, ${SECONDS} s each:`,
    );
    console.log(
      '| endpoint | rps | p50 ms | p99 ms | backend CPU ms per request | bytes | not 200 |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const endpoint of Object.keys(ENDPOINTS) as Endpoint[]) {
      const ms = rounds.map(r => r[endpoint]);
      console.log(
        `| ${ENDPOINTS[endpoint]} | ${median(ms.map(m => m.rps)).toFixed(
          0,
        )} | ${median(ms.map(m => m.p50))} | ` +
          `${median(ms.map(m => m.p99))} | ${median(
            ms.map(m => m.cpuMs),
          ).toFixed(2)} | ${median(ms.map(m => m.bytes)).toFixed(
            0,
          )} | ${ms.reduce((n, m) => n + m.bad, 0)} |`,
      );
    }
    const rpsRatio = median(rounds.map(r => r.entity.rps / r.catalog.rps));
    const p99Ratio = median(rounds.map(r => r.entity.p99 / r.catalog.p99));
    const cpuRatio = median(rounds.map(r => r.entity.cpuMs / r.catalog.cpuMs));
    console.log(
      `${name}: entity/catalog rps ${rpsRatio.toFixed(
        2,
      )}, p99 ${p99Ratio.toFixed(2)}, CPU per request ${cpuRatio.toFixed(
        2,
      )}; ` + `load average after: ${load()}`,
    );
    const cpu = (e: Endpoint) => median(rounds.map(r => r[e].cpuMs));
    console.log(
      `${name}: CPU per request, the report ${cpu('entity').toFixed(
        2,
      )} ms = the catalog's own read ${cpu('catalog').toFixed(2)} + ` +
        `a request to our plugin that asks nothing ${cpu('rules').toFixed(
          2,
        )} + the rest ${(cpu('entity') - cpu('catalog') - cpu('rules')).toFixed(
          2,
        )} ` +
        '(asking the catalog as the user: a token, the HTTP client, the catalog checking that token; and our store read and report)',
    );
    return { rpsRatio, p99Ratio };
  } finally {
    await backend.kill();
  }
}

/** The entity report, then the catalog's, alone under load, with a CPU profile of the backend for each load's window. */
async function profile(dir: string, database: object) {
  console.log(
    "\n## profile: the entity report, then the catalog's, on PostgreSQL, with --cpu-prof",
  );
  const profDir = path.join(dir, 'profile');
  const { backend, token } = await startBackend(dir, 'profiled', database, [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
  ]);
  const windows: Array<{ endpoint: Endpoint; from: number; to: number }> = [];
  for (const endpoint of ['entity', 'catalog'] as const) {
    await measure(backend, token, endpoint, 2);
    const from = Number(process.hrtime.bigint() / 1000n);
    const m = await measure(backend, token, endpoint, 3 * SECONDS);
    windows.push({
      endpoint,
      from,
      to: Number(process.hrtime.bigint() / 1000n),
    });
    console.log(
      `profiled ${endpoint}: ${m.rps.toFixed(0)} rps, p99 ${
        m.p99
      } ms, CPU ${m.cpuMs.toFixed(2)} ms per request (the profiler slows it)`,
    );
  }
  await backend.stop();
  const [file] = fs.readdirSync(profDir).filter(f => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the backend wrote no CPU profile');
  const kept = path.join(
    os.tmpdir(),
    `mr-bench-serve-${Date.now()}.cpuprofile`,
  );
  fs.copyFileSync(path.join(profDir, file), kept);
  console.log(`profile kept in ${kept}`);
  for (const w of windows) {
    console.log(`\n### profile of ${ENDPOINTS[w.endpoint]}`);
    summarizeProfile(kept, w.from, w.to, [
      'entityFor',
      'getEntityByRef',
      'entityReport',
      'reportFor',
      'clusters',
      'stringify',
      'credentials',
      'authenticate',
      'verifyToken',
      'issueToken',
      'getPluginRequestToken',
      'authorize',
    ]);
  }
}

async function main() {
  const postgres = process.env.MR_TEST_POSTGRES_URL;
  if (!postgres)
    throw new Error(
      'no PostgreSQL: run through bench/serve.sh (yarn bench:serve), which starts one',
    );
  buildBackendBundle(process.env.BENCH_SERVE_REUSE_BUILD === '1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-bench-serve-'));
  try {
    unpackBackend(dir);
    console.log(
      `${os.cpus().length} cores, node ${
        process.version
      }, ${new Date().toISOString()}`,
    );
    const pg = (prefix: string) => ({
      client: 'pg',
      connection: postgres,
      prefix: `${prefix}${Date.now()}_`,
    });
    if (PROFILE === 'only') {
      await profile(dir, pg('bench_serve_prof_'));
      return;
    }
    const sqlite = await benchmark(dir, 'sqlite', {
      client: 'better-sqlite3',
      connection: ':memory:',
    });
    const postgresql = await benchmark(dir, 'postgresql', pg('bench_serve_'));
    if (PROFILE) await profile(dir, pg('bench_serve_prof_'));
    console.log(
      `\nsqlite: rps_vs_catalog=${sqlite.rpsRatio.toFixed(
        2,
      )} p99_vs_catalog=${sqlite.p99Ratio.toFixed(2)}`,
    );
    console.log(
      'targets: rps_vs_catalog >= 0.8, p99_vs_catalog <= 1.5 (entity report on PostgreSQL)',
    );
    console.log(
      `rps_vs_catalog=${postgresql.rpsRatio.toFixed(
        2,
      )} p99_vs_catalog=${postgresql.p99Ratio.toFixed(2)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
