/*
 * One scan in a process of its own, so that its memory is its own: the
 * Kubernetes plugin's real backend with one `config` cluster per name given,
 * all on the API server of MR_KUBE_SERVER (admin token), and the backend's
 * Scanner reading them through its proxy into a SQLite store (a file), as a deployed
 * portal does. Prints one JSON line: the scan's time, the time its reads
 * took, the process's peak RSS during the scan (VmHWM, reset as the scan
 * starts), and a digest of every stored report, to compare findings.
 *
 * Run built (bench/scanLive/buildWorker.ts), as bench/scanLive/scanInChild.ts does:
 *   NODE_ENV=production node node_modules/.cache/mesh-readiness-bench/scanWorker.cjs '{"clusters":["bench"]}'
 * with MR_KUBE_* of a loaded server (add "traceFile":"/tmp/trace.jsonl" for a memory trace).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startLiveClusters,
  testCluster,
} from '../../plugins/mesh-readiness-backend/src/cluster/__testUtils__/liveClusters';
import { harness } from '../backendHarness';
import { statusBytes } from '../procStats';
import type { KeptFields } from '../../plugins/mesh-readiness-backend/src/service/KubernetesClusterSource';

export interface ScanWorkerInput {
  clusters: string[];
  /** Where to write every stored report (JSON), to compare two versions' findings. */
  reportFile?: string;
  /** What each read keeps, instead of what the scanner asks for: `all` to compare with whole objects. */
  fields?: KeptFields;
  /**
   * Where to write the process's memory every 20 ms during the scan (JSON
   * lines), with the peak so far at the end of the read, the evaluation and
   * the store: where a scan's peak memory comes from.
   */
  traceFile?: string;
}

export interface ScanWorkerResult {
  scanMs: number;
  /** The slowest cluster's read (list calls through the proxy, into a snapshot). */
  readMs: number;
  /** Peak resident memory during the scan, and resident memory right before it. */
  peakRssBytes: number;
  rssBeforeBytes: number;
  /** The highest V8 heap in use seen while scanning (sampled). */
  peakHeapUsedBytes: number;
  workloads: number;
  failures: string[];
  reportDigest: string;
  /** The scan's start and end on the monotonic clock (µs), as a CPU profile counts time. */
  windowUs: [number, number];
}

async function main() {
  const input: ScanWorkerInput = JSON.parse(process.argv[2]);
  const live = await startLiveClusters(
    input.clusters.map(name =>
      testCluster(name, process.env.MR_KUBE_ADMIN_TOKEN!),
    ),
  );
  const sources = input.clusters.map(name => live.source(name));
  let readMs = 0;
  const trace: Array<Record<string, number | string>> = [];
  // A mark carries the peak RSS so far: the event loop stands still while a snapshot is evaluated, so no sample sees that.
  const mark = (what: string) =>
    input.traceFile &&
    trace.push({
      t: Math.round(performance.now()),
      mark: what,
      peakRss: statusBytes('self', 'VmHWM'),
      rss: process.memoryUsage().rss,
    });
  for (const source of sources) {
    const read = source.readSnapshot.bind(source);
    source.readSnapshot = async options => {
      const started = performance.now();
      try {
        return await read(
          input.fields ? { ...options, fields: input.fields } : options,
        );
      } finally {
        readMs = Math.max(readMs, performance.now() - started);
        mark(`read ${source.name}`);
      }
    };
  }
  // The store in a file, as a deployment keeps its database out of the process (a store in memory would count its rows as the scan's).
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-scan-live-db-'));
  const h = await harness(sources, [], {
    sqliteFile: path.join(dbDir, 'mesh-readiness.sqlite'),
  });
  const save = h.store.saveClusterResult.bind(h.store);
  h.store.saveClusterResult = async (...args) => {
    mark('evaluated');
    await save(...args);
    mark('stored');
  };

  (globalThis as any).gc?.();
  const rssBeforeBytes = process.memoryUsage().rss;
  // Linux: writing 5 resets the peak RSS (VmHWM) to the current RSS.
  fs.writeFileSync('/proc/self/clear_refs', '5');
  let peakHeapUsedBytes = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, m.heapUsed);
    if (input.traceFile)
      trace.push({
        t: Math.round(performance.now()),
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
      });
  }, 20);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const outcomes = await h.scanner.scan();
  const scanMs = performance.now() - started;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  clearInterval(sampler);
  const peakRssBytes = statusBytes('self', 'VmHWM');
  if (input.traceFile)
    fs.writeFileSync(
      input.traceFile,
      trace.map(x => JSON.stringify(x)).join('\n'),
    );

  const stored = await h.store.clusters();
  const reports = stored.flatMap(c => c.workloads.map(w => w.report));
  const text = JSON.stringify(reports);
  if (input.reportFile) fs.writeFileSync(input.reportFile, text);
  const result: ScanWorkerResult = {
    scanMs,
    readMs,
    peakRssBytes,
    rssBeforeBytes,
    peakHeapUsedBytes,
    workloads: reports.length,
    failures: outcomes.filter(o => !o.ok).map(o => `${o.cluster}: ${o.error}`),
    windowUs: [fromUs, toUs],
    reportDigest: crypto
      .createHash('sha256')
      .update(text)
      .digest('hex')
      .slice(0, 16),
  };
  await h.db.destroy();
  fs.rmSync(dbDir, { recursive: true, force: true });
  await live.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
