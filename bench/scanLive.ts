/*
 * yarn bench:scan-live — a full scan of a big cluster held by a real
 * kube-apiserver (scripts/kube), through the Kubernetes plugin's proxy as in
 * production, against `kubectl get` of the same kinds, in the same run.
 *
 * The cluster is bench/generateSnapshot.ts's (10,000 pods, 2,000 Services,
 * 100 namespaces at 1x, as the API server lists them), loaded through the
 * API (bench/scanLive/loadCluster.ts); 2x adds as many namespaces again.
 * At each scale, runs alternate: kubectl, then a scan in a child process of
 * its own (bench/scanLive/scanWorker.ts, built and run with plain node and
 * NODE_ENV=production as a deployed backend is), order swapped every run; medians.
 *
 * Last line: vs_kubectl=<scan/kubectl at 1x> growth=<scan 2x/1x>
 *            peak_rss_mb=<scan's peak RSS at 1x> peak_vs_listed=<that / listed JSON bytes at 1x>
 *            scan_rss_vs_listed=<(that - the RSS before the scan) / listed JSON bytes at 1x>
 *            clusters20_peak_rss_mb=<n> replicas2_speedup=<n> (bench:scan-replicas on the 1x server)
 *
 * A server holds one scale: 2x is 1x and as much again, so a server loaded
 * to 2x cannot be scanned as 1x. BENCH_SCAN_LIVE_ENV_<k>X=path/env.sh
 * (scripts/kube/up.sh's) names a kept server for scale k; without one, the
 * run's own server (MR_KUBE_*) takes the scales in order.
 *
 * BENCH_SCAN_LIVE_RUNS (default 5), BENCH_SCAN_LIVE_SCALES (default "1,2"),
 * BENCH_SCAN_LIVE_REPLICAS=0 leaves out the 20 clusters on 1 and 2 replicas,
 * BENCH_SCAN_LIVE_REPORTS=dir writes each scale's stored reports there,
 * BENCH_SCAN_LIVE_PROFILE=1 adds a CPU profile of one more scan, summarised.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSnapshot } from './generateSnapshot';
import { kubeApi, KubeApi } from './scanLive/kubeApi';
import { loadCluster } from './scanLive/loadCluster';
import { scanInChild } from './scanLive/scanInChild';
import { buildScanWorker } from './scanLive/buildWorker';
import { summarizeProfile } from './cpuProfile';
import {
  KINDS_READ,
  PAGE_SIZE,
} from '../plugins/mesh-readiness-backend/src/service/KubernetesClusterSource';

const RUNS = Number(process.env.BENCH_SCAN_LIVE_RUNS ?? 5);
const SCALES = (process.env.BENCH_SCAN_LIVE_SCALES ?? '1,2')
  .split(',')
  .map(Number);
/** Also 20 clusters on 1 replica and on 2, after the 1x scale (BENCH_SCAN_LIVE_REPLICAS=0 leaves it out). */
const REPLICAS = process.env.BENCH_SCAN_LIVE_REPLICAS !== '0';
const root = path.resolve(__dirname, '..');

/** kubectl's pages, as the issue asks (its default too); the scan uses PAGE_SIZE. */
const KUBECTL_CHUNK_SIZE = 500;

/** Every list the scan makes: the kinds the rules read, and Nodes. */
const LISTS: Array<[kind: string, path: string]> = [
  ...KINDS_READ,
  ['Node', '/api/v1/nodes'],
];

/** `/apis/apps/v1/deployments` → `deployments.apps`, as kubectl names a resource. */
const kubectlResource = (listPath: string) => {
  const parts = listPath.split('/').filter(Boolean);
  return parts[0] === 'api' ? parts[2] : `${parts[3]}.${parts[1]}`;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The objects of the cluster at `scale` in its namespaces from team-`fromNamespace` on. */
function objectsOf(scale: number, fromNamespace: number) {
  return generateSnapshot(scale).objects.filter(o => {
    const ns =
      o.kind === 'Namespace' ? o.metadata?.name : o.metadata?.namespace;
    return Number(/^team-(\d+)$/.exec(ns ?? '')?.[1]) >= fromNamespace;
  });
}

/**
 * Loads what the cluster lacks for `scale`: the k-th hundred namespaces are
 * those of the cluster at scale k, so 2x is 1x and as much again. A
 * ConfigMap marks each finished hundred, so a kept API server is reused.
 */
async function ensureScale(api: KubeApi, kube: KubeEnv, scale: number) {
  const beyond = `bench-scan-live-${scale + 1}x`;
  if (
    (
      await api.request(
        'GET',
        `/api/v1/namespaces/default/configmaps/${beyond}`,
      )
    ).status === 200
  ) {
    throw new Error(
      `the API server at ${kube.MR_KUBE_SERVER} holds more than ${scale}x (${beyond} is loaded): ` +
        `give ${scale}x a server of its own with BENCH_SCAN_LIVE_ENV_${scale}X=path/to/env.sh`,
    );
  }
  for (let part = 1; part <= scale; part++) {
    const marker = `bench-scan-live-${part}x`;
    if (
      (
        await api.request(
          'GET',
          `/api/v1/namespaces/default/configmaps/${marker}`,
        )
      ).status === 200
    )
      continue;
    const objects = objectsOf(part, 100 * (part - 1));
    console.log(
      `${part}x: loading ${objects.length} objects (namespaces team-${
        100 * (part - 1)
      } to team-${100 * part - 1})`,
    );
    const started = Date.now();
    await loadCluster(api, objects, ({ created, total }) =>
      console.log(
        `  ${created}/${total} (${Math.round(
          created / ((Date.now() - started) / 1000),
        )} objects/s)`,
      ),
    );
    const r = await api.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      { metadata: { name: marker } },
    );
    if (r.status !== 201) throw new Error(`marking the load: ${r.status}`);
    await compactEtcd(kube.MR_KUBE_ETCD);
  }
}

/** Old revisions (every create, then its status) out of etcd, so that 2x stays inside its quota. */
async function compactEtcd(etcd: string) {
  const range = await fetch(`${etcd}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({
      key: Buffer.from('/').toString('base64'),
      limit: 1,
    }),
  });
  const revision = (await range.json()).header.revision;
  await fetch(`${etcd}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision, physical: true }),
  });
  await fetch(`${etcd}/v3/maintenance/defragment`, {
    method: 'POST',
    body: '{}',
  });
}

/** One `kubectl get` of every kind the scan lists: wall seconds and kubectl's peak RSS. */
function runKubectl(
  kubectl: string,
  kubeconfig: string,
  cacheDir: string,
): Promise<{ ms: number; rssBytes: number }> {
  const args = [
    '-f',
    '%M',
    kubectl,
    '--kubeconfig',
    kubeconfig,
    '--cache-dir',
    cacheDir,
    'get',
    LISTS.map(([, p]) => kubectlResource(p)).join(','),
    '-A',
    '-o',
    'json',
    `--chunk-size=${KUBECTL_CHUNK_SIZE}`,
  ];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', d => (err += d));
    child.on('error', reject);
    child.on('exit', code => {
      const ms = performance.now() - started;
      if (code !== 0)
        reject(new Error(`kubectl exited with ${code}: ${err.slice(-2000)}`));
      else
        resolve({ ms, rssBytes: Number(err.trim().split('\n').pop()) * 1024 });
    });
  });
}

interface ScaleFigures {
  scale: number;
  listedBytes: number;
  kubectlMs: number;
  kubectlRssBytes: number;
  scanMs: number;
  readMs: number;
  peakRssBytes: number;
  rssBeforeBytes: number;
  peakHeapUsedBytes: number;
  ratio: number;
}

async function measure(
  scale: number,
  kube: KubeEnv,
  kubectl: string,
  cacheDir: string,
  listedBytes: number,
): Promise<ScaleFigures> {
  const kubeconfig = kube.MR_KUBE_ADMIN_KUBECONFIG;
  const env = { env: kube };
  const reports = process.env.BENCH_SCAN_LIVE_REPORTS;
  // Warm-up: the API server's and etcd's caches, kubectl's discovery cache.
  await runKubectl(kubectl, kubeconfig, cacheDir);
  const first = await scanInChild(
    {
      clusters: ['bench'],
      ...(reports
        ? { reportFile: path.join(reports, `reports-${scale}x.json`) }
        : {}),
    },
    env,
  );
  if (first.failures.length)
    throw new Error(`the scan failed: ${first.failures.join('; ')}`);
  console.log(
    `  warm-up scan: ${first.workloads} workloads, reports ${first.reportDigest}`,
  );
  const k: Array<{ ms: number; rssBytes: number }> = [];
  const s: Array<typeof first> = [];
  const ratios: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const kubectlFirst = run % 2 === 0;
    const kube = kubectlFirst
      ? await runKubectl(kubectl, kubeconfig, cacheDir)
      : undefined;
    const scan = await scanInChild({ clusters: ['bench'] }, env);
    const kubeAfter = kube ?? (await runKubectl(kubectl, kubeconfig, cacheDir));
    if (scan.reportDigest !== first.reportDigest)
      throw new Error('two scans of the same cluster stored different reports');
    k.push(kubeAfter);
    s.push(scan);
    ratios.push(scan.scanMs / kubeAfter.ms);
    console.log(
      `  run ${run + 1}: kubectl ${Math.round(kubeAfter.ms)} ms (${mb(
        kubeAfter.rssBytes,
      )} MB), scan ${Math.round(scan.scanMs)} ms ` +
        `(reads ${Math.round(scan.readMs)} ms; peak RSS ${mb(
          scan.peakRssBytes,
        )} MB, ${mb(scan.rssBeforeBytes)} MB before; ` +
        `heap ${mb(scan.peakHeapUsedBytes)} MB), ${(
          scan.scanMs / kubeAfter.ms
        ).toFixed(2)}`,
    );
  }
  return {
    scale,
    listedBytes,
    kubectlMs: median(k.map(x => x.ms)),
    kubectlRssBytes: median(k.map(x => x.rssBytes)),
    scanMs: median(s.map(x => x.scanMs)),
    readMs: median(s.map(x => x.readMs)),
    peakRssBytes: median(s.map(x => x.peakRssBytes)),
    rssBeforeBytes: median(s.map(x => x.rssBeforeBytes)),
    peakHeapUsedBytes: median(s.map(x => x.peakHeapUsedBytes)),
    ratio: median(ratios),
  };
}

/** A CPU profile of one scan, summarised: where its time goes. */
async function profileScan(kube: KubeEnv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-scan-live-prof-'));
  const scan = await scanInChild(
    { clusters: ['bench'] },
    { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], env: kube },
  );
  const file = path.join(
    dir,
    fs.readdirSync(dir).find(f => f.endsWith('.cpuprofile'))!,
  );
  console.log(
    `CPU profile of one scan (${Math.round(scan.scanMs)} ms; ${file}):`,
  );
  summarizeProfile(file, scan.windowUs[0], scan.windowUs[1], [
    'readSnapshot',
    'listAll',
    'evaluateWorkloads',
    'saveClusterResult',
    'parse',
  ]);
}

const KUBE_VARIABLES = [
  'MR_KUBE_SERVER',
  'MR_KUBE_CA_FILE',
  'MR_KUBE_CA_DATA',
  'MR_KUBE_ADMIN_TOKEN',
  'MR_KUBE_ADMIN_KUBECONFIG',
  'MR_KUBE_ETCD',
] as const;
/** What reaches one API server: scripts/kube/up.sh's variables. */
type KubeEnv = Record<(typeof KUBE_VARIABLES)[number], string>;

/** The API server of `scale`: the env.sh BENCH_SCAN_LIVE_ENV_<k>X names, or the run's own. */
function kubeEnvFor(scale: number): KubeEnv {
  const file = process.env[`BENCH_SCAN_LIVE_ENV_${scale}X`];
  const vars: Record<string, string | undefined> = file
    ? Object.fromEntries(
        execFileSync('bash', ['-c', '. "$1" && env -0', 'env', file], {
          encoding: 'utf8',
        })
          .split('\0')
          .filter(Boolean)
          .map(line => [
            line.slice(0, line.indexOf('=')),
            line.slice(line.indexOf('=') + 1),
          ]),
      )
    : process.env;
  for (const v of KUBE_VARIABLES) {
    if (!vars[v])
      throw new Error(
        `${v} is not set${
          file ? ` by ${file}` : ''
        }: run through yarn bench:scan-live (scripts/kube/with-cluster.sh)`,
      );
  }
  return Object.fromEntries(KUBE_VARIABLES.map(v => [v, vars[v]!])) as KubeEnv;
}

/**
 * bench:scan-replicas (bench/scanReplicas.ts) on the 1x server: the app's
 * backend reads it under 20 names, on one replica and then two. Its output
 * shows as it comes; returns its last line.
 */
async function scanReplicas(kube: KubeEnv): Promise<string> {
  console.log(
    '20 clusters (the 1x server under 20 names), on 1 replica and on 2 (bench:scan-replicas):',
  );
  const child = spawn('bash', [path.join(root, 'bench/scanReplicas.sh')], {
    env: { ...process.env, ...kube },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', chunk => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const code = await new Promise<number | null>(resolve =>
    child.on('close', resolve),
  );
  const last = output.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('clusters20_peak_rss_mb='))
    throw new Error(`bench:scan-replicas failed (exit ${code})`);
  return last;
}

async function main() {
  await buildScanWorker();
  const kubectl = execFileSync(
    'bash',
    [path.join(root, 'scripts/kube/build.sh'), 'kubectl'],
    { encoding: 'utf8' },
  ).trim();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-kubectl-cache-'));
  const apiOf = (kube: KubeEnv) =>
    kubeApi({
      server: kube.MR_KUBE_SERVER,
      caFile: kube.MR_KUBE_CA_FILE,
      token: kube.MR_KUBE_ADMIN_TOKEN,
      concurrency: Number(process.env.BENCH_SCAN_LIVE_LOAD_CONCURRENCY ?? 32),
    });
  console.log(
    `machine: ${os.cpus().length} cores, ${mb(
      os.totalmem(),
    )} MB, load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  const figures: ScaleFigures[] = [];
  let replicasLine: string | undefined;
  let profiled: KubeEnv | undefined;
  for (const scale of SCALES) {
    const kube = kubeEnvFor(scale);
    profiled = kube;
    const api = apiOf(kube);
    await ensureScale(api, kube, scale);
    let listedBytes = 0;
    const counts: string[] = [];
    for (const [kind, p] of LISTS) {
      const { bytes, items } = await api.listedBytes(p, PAGE_SIZE);
      listedBytes += bytes;
      if (items) counts.push(`${items} ${kind}`);
    }
    console.log(
      `${scale}x: ${counts.join(', ')}; listed JSON ${mb(listedBytes)} MB`,
    );
    api.close();
    const f = await measure(scale, kube, kubectl, cacheDir, listedBytes);
    figures.push(f);
    if (scale === 1 && REPLICAS) replicasLine = await scanReplicas(kube);
    console.log(
      `${scale}x: kubectl ${Math.round(f.kubectlMs)} ms (peak RSS ${mb(
        f.kubectlRssBytes,
      )} MB), scan ${Math.round(f.scanMs)} ms ` +
        `(reads ${Math.round(f.readMs)} ms), scan/kubectl ${f.ratio.toFixed(
          2,
        )}; scan peak RSS ${mb(f.peakRssBytes)} MB ` +
        `(${mb(f.rssBeforeBytes)} MB before it, peak heap ${mb(
          f.peakHeapUsedBytes,
        )} MB), ${(f.peakRssBytes / listedBytes).toFixed(2)} of listed ` +
        `(the scan's own ${(
          (f.peakRssBytes - f.rssBeforeBytes) /
          listedBytes
        ).toFixed(2)})`,
    );
  }
  if (process.env.BENCH_SCAN_LIVE_PROFILE && profiled)
    await profileScan(profiled);
  const one = figures.find(f => f.scale === 1) ?? figures[0];
  const two = figures.find(f => f.scale === 2);
  console.log(
    `targets: vs_kubectl <= 1.3, growth <= 2.2, peak_vs_listed <= 3 (runs: ${RUNS}, medians; load average ${os
      .loadavg()[0]
      .toFixed(1)})`,
  );
  console.log(
    [
      `vs_kubectl=${one.ratio.toFixed(2)}`,
      ...(two ? [`growth=${(two.scanMs / one.scanMs).toFixed(2)}`] : []),
      `peak_rss_mb=${mb(one.peakRssBytes)}`,
      `peak_vs_listed=${(one.peakRssBytes / one.listedBytes).toFixed(2)}`,
      // What the scan itself adds: its peak over the process's resident memory right before it.
      `scan_rss_vs_listed=${(
        (one.peakRssBytes - one.rssBeforeBytes) /
        one.listedBytes
      ).toFixed(2)}`,
      ...(replicasLine ? [replicasLine] : []),
    ].join(' '),
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
