/*
 * yarn bench:load — the entity and scorecard endpoints under concurrent
 * readers while scans keep writing. The app's real backend runs as its own
 * process on loopback (SQLite, as the demo), scanning the demo cluster and a
 * generated one of a few hundred workloads every few seconds; autocannon
 * reads an entity, a team scorecard and the organisation page in turn, for
 * a bounded time. Every answer is compared with the one before the load
 * (scan times aside): a failed request, a non-200 or an answer that differs
 * counts as an error. Prints figures; asserts nothing.
 * Last line: rps=<n> p99_ms=<n> errors=<n>
 */
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import {
  freePort,
  Replica,
  repoPath,
  tempDir,
  waitFor,
} from '../plugins/mesh-readiness-backend/src/reliability/harness';

const DURATION_S = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 16);
const GENERATED_WORKLOADS = 400;
const SCAN_EVERY_S = 2;

/** A folder of Deployments and Services in ten namespaces, as kubectl prints them. */
function generateCluster(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  for (let n = 0; n < 10; n++) {
    const ns = `load-${n}`;
    const docs: object[] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'istio-injection': 'enabled' } },
      },
    ];
    for (let i = n; i < GENERATED_WORKLOADS; i += 10) {
      const app = `svc-${i}`;
      const labels = { app, version: 'v1', 'backstage.io/kubernetes-id': app };
      docs.push(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: app, namespace: ns, labels },
          spec: {
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: app,
                    image: `registry.local/${app}:1`,
                    ports: [{ containerPort: 8080 }],
                  },
                ],
              },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: app, namespace: ns },
          spec: {
            selector: { app },
            ports: [
              { name: i % 3 ? 'http' : 'tcp-data', port: 80, targetPort: 8080 },
            ],
          },
        },
      );
    }
    fs.writeFileSync(
      path.join(dir, `${ns}.yaml`),
      docs.map(d => JSON.stringify(d)).join('\n---\n'),
    );
  }
}

/** An answer without the times that change with every scan. */
const stable = (text: string) =>
  JSON.stringify(JSON.parse(text), (key, value) =>
    ['scannedAt', 'attemptedAt', 'trend'].includes(key) ? undefined : value,
  );

async function main() {
  const dir = tempDir();
  generateCluster(path.join(dir, 'cluster'));
  const port = await freePort();
  const config = {
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { port, host: '127.0.0.1' },
    },
    meshReadiness: {
      manifestSources: [
        { name: 'demo-cluster', path: repoPath('examples/mesh-demo/cluster') },
        { name: 'generated', path: path.join(dir, 'cluster') },
      ],
      schedule: {
        frequency: { seconds: SCAN_EVERY_S },
        timeout: { minutes: 1 },
        initialDelay: { seconds: 1 },
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const backend = new Replica('load', port, path.join(dir, 'config.json'), dir);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => backend.kill().finally(() => process.exit(130)));
  }
  console.log('Starting the backend…');
  await backend.start();
  try {
    const paths = [
      '/api/mesh-readiness/entities/component/default/cart',
      '/api/mesh-readiness/groups/default/team-web/scorecard',
      '/api/mesh-readiness/scorecards',
    ];
    // The answers before the load, once the catalog is read and a scan stored.
    const expected = new Map<string, string>();
    await waitFor('the demo catalog and a scan', 120, async () => {
      const cart = await backend.get('/entities/component/default/cart');
      const team = await backend.get('/groups/default/team-web/scorecard');
      return cart.body?.workloads?.length && team.body?.components?.length
        ? true
        : undefined;
    });
    for (const p of paths)
      expected.set(
        p,
        stable((await backend.get(p.replace('/api/mesh-readiness', ''))).text),
      );
    const scansBefore = (await backend.get('/scans?limit=200')).body.scans
      .length;

    let mismatches = 0;
    const token = await backend.signIn();
    console.log(
      `Reading with ${CONNECTIONS} connections for ${DURATION_S} s while scans run every ${SCAN_EVERY_S} s…`,
    );
    const result = await autocannon({
      url: backend.baseUrl,
      connections: CONNECTIONS,
      duration: DURATION_S,
      maxOverallRequests: 200_000,
      headers: { authorization: `Bearer ${token}` },
      requests: paths.map(p => ({
        method: 'GET' as const,
        path: p,
        onResponse: (status: number, body: string) => {
          if (status === 200 && stable(body) !== expected.get(p)) mismatches++;
        },
      })),
    });
    const scansDuring =
      (await backend.get('/scans?limit=200')).body.scans.length - scansBefore;
    const errors = result.errors + result.timeouts + result.non2xx + mismatches;
    console.log(
      `${result.requests.total} requests: ${result.requests.average.toFixed(
        0,
      )}/s; latency p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ${scansDuring} scans wrote meanwhile`,
    );
    console.log(
      `errors: ${result.errors} failed, ${result.timeouts} timed out, ${result.non2xx} not 2xx, ${mismatches} answers that differed`,
    );
    console.log(
      `rps=${result.requests.average.toFixed(0)} p99_ms=${
        result.latency.p99
      } errors=${errors}`,
    );
  } finally {
    await backend.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
