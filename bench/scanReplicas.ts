/*
 * yarn bench:scan-replicas: many clusters, one replica or two. The app's
 * real backend (packages/backend) reads 20 clusters, which are the API
 * server of MR_KUBE_SERVER under 20 names, through the Kubernetes plugin,
 * on one PostgreSQL, with Backstage's scheduler spreading the clusters'
 * tasks; once with one replica, once with two (each run on a fresh
 * database). Each replica reads at most `scan.concurrency` clusters at once.
 *
 * Measured: the time from the first read's start to the last read's end
 * (from GET /scans), and each replica's peak resident memory while it
 * reads (VmHWM, reset once the replica is up, before the first read).
 * Also where the machine's CPU went while they read (from /proc): how busy
 * its cores were, and the cores the replicas, the API server and etcd used.
 * The demo's objects are applied first (those there already are left);
 * bench:scan-live loads a big cluster into a kept server, which this reads.
 *
 * Last line: clusters20_peak_rss_mb=<peak of the one replica reading 20 clusters>
 *            replicas2_speedup=<one replica's time / two replicas' time>
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScanSummary } from '@mesh-readiness/plugin-mesh-readiness-common';
import { cpuTicksOf, statusBytes } from './procStats';
import {
  applyDemo,
  backendConfig,
  freePort,
  kubernetesConfig,
  Replica,
  removeTempDir,
  tempDir,
  waitFor,
} from '../plugins/mesh-readiness-backend/src/reliability/harness';

const CLUSTERS = Array.from(
  { length: Number(process.env.MR_BENCH_CLUSTERS ?? 20) },
  (_, i) => `bench-${i + 1}`,
);
const CONCURRENCY = Number(process.env.MR_BENCH_CONCURRENCY ?? 4);
/** Long enough for every replica of a run to be up before the clusters' tasks are first due. */
const FIRST_READ_AFTER_S = 90;

const server = process.env.MR_KUBE_SERVER;
const postgres = process.env.MR_TEST_POSTGRES_URL;

/** Jiffies of CPU: the machine's busy and total, and each watched process's. */
interface CpuSample {
  at: number;
  busy: number;
  total: number;
  byProcess: Record<string, number>;
}

function cpuSample(processes: Record<string, number>): CpuSample {
  // /proc/stat's first line: user nice system idle iowait irq softirq steal ...
  const fields = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  const byProcess: Record<string, number> = {};
  for (const [name, pid] of Object.entries(processes)) {
    try {
      byProcess[name] = cpuTicksOf(pid);
    } catch {
      // The process ended: it is left out of this sample.
    }
  }
  return { at: Date.now(), busy: total - idle, total, byProcess };
}

/** The API server's and etcd's process ids, from the state directory scripts/kube/up.sh wrote. */
function serverProcesses(): Record<string, number> {
  const dir = process.env.MR_KUBE_STATE_DIR;
  const found: Record<string, number> = {};
  for (const name of ['kube-apiserver', 'etcd']) {
    try {
      found[name] = Number(
        fs.readFileSync(path.join(dir ?? '', `${name}.pid`), 'utf8').trim(),
      );
    } catch {
      // A server not started by scripts/kube/up.sh: its CPU is not split out.
    }
  }
  return found;
}

/**
 * Where the machine's CPU went between the first read's start and the last
 * read's end: the share of all cores busy, and the cores each process used.
 */
function cpuBetween(samples: CpuSample[], from: number, to: number) {
  const first = [...samples].reverse().find(s => s.at <= from) ?? samples[0];
  const last = samples.find(s => s.at >= to) ?? samples[samples.length - 1];
  const cores = os.cpus().length;
  const jiffiesPerCore = (last.total - first.total) / cores;
  const byProcess = Object.fromEntries(
    Object.keys(last.byProcess)
      .filter(name => first.byProcess[name] !== undefined)
      .map(name => [
        name,
        (last.byProcess[name] - first.byProcess[name]) / jiffiesPerCore,
      ]),
  );
  return {
    busy: (last.busy - first.busy) / (last.total - first.total),
    cores,
    byProcess,
  };
}

interface Run {
  replicas: number;
  readMs: number;
  cpu: ReturnType<typeof cpuBetween>;
  peakRssBytes: number[];
  rssBeforeBytes: number[];
  readsBy: number[];
}

async function run(replicaCount: number): Promise<Run> {
  const dir = tempDir();
  const prefix = `mr_bench_replicas_${process.pid}_${replicaCount}_`;
  const replicas: Replica[] = [];
  try {
    for (let i = 0; i < replicaCount; i++) {
      const port = await freePort();
      const config = backendConfig(port, postgres!, prefix, {
        kubernetes: kubernetesConfig(
          CLUSTERS.map(name => ({
            name,
            url: server!,
            token: process.env.MR_KUBE_ADMIN_TOKEN!,
          })),
        ),
        meshReadiness: {
          manifestSources: [],
          clusterTimeoutSeconds: 600,
          scan: { concurrency: CONCURRENCY },
          schedule: {
            frequency: { hours: 1 },
            timeout: { minutes: 20 },
            initialDelay: { seconds: FIRST_READ_AFTER_S },
          },
        },
      });
      const file = path.join(dir, `replica-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(config));
      replicas.push(new Replica(`replica-${i}`, port, file, dir));
    }
    const firstStarted = Date.now();
    // One after the other: two processes migrating a new database at once race.
    for (const r of replicas) await r.start();
    if (Date.now() - firstStarted > (FIRST_READ_AFTER_S - 10) * 1000) {
      throw new Error(
        `the replicas took longer than ${
          FIRST_READ_AFTER_S - 10
        } s to start: raise FIRST_READ_AFTER_S`,
      );
    }
    const rssBeforeBytes = replicas.map(r => statusBytes(r.pid!, 'VmRSS'));
    // Linux: writing 5 resets a process's peak RSS (VmHWM) to its current RSS.
    for (const r of replicas)
      fs.writeFileSync(`/proc/${r.pid}/clear_refs`, '5');

    const watched = {
      ...serverProcesses(),
      ...Object.fromEntries(replicas.map(r => [r.name, r.pid!])),
    };
    const samples: CpuSample[] = [cpuSample(watched)];
    const sampler = setInterval(() => samples.push(cpuSample(watched)), 500);
    const reads: ScanSummary[] = await waitFor(
      `one read of each of ${CLUSTERS.length} clusters`,
      FIRST_READ_AFTER_S + 1200,
      async () => {
        const scans: ScanSummary[] = (await replicas[0].get('/scans?limit=200'))
          .body.scans;
        const done = scans.filter(
          s => s.trigger === 'schedule' && s.state === 'finished',
        );
        return CLUSTERS.every(c => done.some(s => s.planned?.includes(c)))
          ? done
          : undefined;
      },
    );
    samples.push(cpuSample(watched));
    clearInterval(sampler);
    const failed = reads.filter(s => !s.clusters?.[0]?.ok);
    if (failed.length > 0)
      throw new Error(
        `reads failed: ${failed
          .map(s => JSON.stringify(s.clusters))
          .join('; ')}`,
      );
    const firstRead = Math.min(...reads.map(s => Date.parse(s.startedAt)));
    const lastRead = Math.max(...reads.map(s => Date.parse(s.finishedAt!)));
    const readMs = lastRead - firstRead;
    return {
      replicas: replicaCount,
      readMs,
      cpu: cpuBetween(samples, firstRead, lastRead),
      peakRssBytes: replicas.map(r => statusBytes(r.pid!, 'VmHWM')),
      rssBeforeBytes,
      readsBy: replicas.map(
        r => reads.filter(s => s.runner.endsWith(`:${r.pid}`)).length,
      ),
    };
  } finally {
    await Promise.all(replicas.map(r => r.kill()));
    removeTempDir(dir);
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function main() {
  if (!server || !postgres)
    throw new Error(
      'needs MR_KUBE_SERVER and MR_TEST_POSTGRES_URL (bench/scanReplicas.sh starts both)',
    );
  await applyDemo();
  const one = await run(1);
  const two = await run(2);
  for (const r of [one, two]) {
    console.log(
      `replicas=${r.replicas} clusters=${
        CLUSTERS.length
      } concurrency=${CONCURRENCY} read_s=${(r.readMs / 1000).toFixed(1)} ` +
        `reads_by_replica=${r.readsBy.join(
          '/',
        )} rss_before_mb=${r.rssBeforeBytes
          .map(mb)
          .join('/')} peak_rss_mb=${r.peakRssBytes.map(mb).join('/')}`,
    );
    const used = Object.entries(r.cpu.byProcess).map(
      ([name, c]) => `${name} ${c.toFixed(2)}`,
    );
    console.log(
      `  while reading: ${r.cpu.cores} cores ${(100 * r.cpu.busy).toFixed(
        0,
      )} % busy; cores used: ${used.join(', ')}`,
    );
  }
  console.log(
    `clusters20_peak_rss_mb=${mb(one.peakRssBytes[0])} replicas2_speedup=${(
      one.readMs / two.readMs
    ).toFixed(2)}`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
