/*
 * yarn bench:engine — how long the engine takes to evaluate a snapshot,
 * against how long JSON.parse takes to read the same snapshot, at 1x, 2x
 * and 4x of 10,000 pods / 2,000 Services / 100 namespaces. Ratios measured
 * in one run hold on any machine. Prints figures; asserts nothing.
 * Two snapshots of the same cluster: as the API server lists it (what a scan
 * reads), and its skeleton (only the fields the rules read), for comparison.
 * Evaluation is what a scan runs: every rule, and readiness per data-plane
 * mode (the rules that read the mode judged again for sidecar and ambient).
 * How much of it is that per-mode work is measured beside it: the same
 * evaluation with each mode-reading rule judged once (its findings reused
 * for both modes, as for the other rules), timed in the same run.
 * Last line, for the listed one: ratio=<evaluate/parse at 1x>
 * growth=<evaluate 4x / evaluate 1x> modes_share=<per-mode work / evaluate at 1x>
 *
 * Both sides are measured warm (WARMUP untimed runs per scale) and the
 * median of RUNS is taken. BENCH_GC=1 collects garbage before each timed
 * parse and each timed evaluation (node --expose-gc, set from inside), so
 * neither phase pays for collecting what the other left. It is not the
 * default: a forced full collection also resets V8's heap sizing, and the
 * evaluation after it is measured slower than without it, not faster (see
 * docs/benchmarks.md for both figures).
 */
import v8 from 'v8';
import vm from 'vm';
import {
  evaluate,
  EvaluateOptions,
  RULES,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { generateSnapshot, skeletonOf } from './generateSnapshot';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
/** Untimed runs of both sides per scale, so both are measured JIT-compiled. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

const FORCE_GC = process.env.BENCH_GC === '1';
let gc = () => {};
if (FORCE_GC) {
  // `node --expose-gc` without changing how the script is started.
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
}

/**
 * The catalogue with the per-mode runs left out: each rule that reads the
 * mode stands in as a copy that says it does not (another id, as custom
 * rules need), so it is judged once and its finding reused per mode.
 */
const JUDGED_ONCE: EvaluateOptions = (() => {
  const readers = RULES.filter(r => r.readsDataPlaneMode);
  const copies = readers.map(r => ({
    ...r,
    id: `${r.id}-once`,
    readsDataPlaneMode: false,
  }));
  const others = RULES.filter(r => !r.readsDataPlaneMode).map(r => r.id);
  return { rules: [...others, ...copies.map(r => r.id)], customRules: copies };
})();
const MODE_RULES = RULES.filter(r => r.readsDataPlaneMode).map(r => r.id);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown): number {
  gc();
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `modesShare`: per run, (evaluate − judged once) / evaluate, the median of the runs: paired in one run, so load on the machine cancels out. */
type Row = {
  scale: number;
  parse: number;
  evaluate: number;
  modesShare: number;
  workloads: number;
  mb: number;
};

/** Parse and evaluation times of one kind of snapshot at 1x, 2x and 4x. */
function measure(label: string, make: (scale: number) => unknown): Row[] {
  const rows: Row[] = [];
  for (const scale of [1, 2, 4]) {
    const text = JSON.stringify(make(scale));
    const parse: number[] = [];
    const evaluation: number[] = [];
    const shares: number[] = [];
    let workloads = 0;
    for (let run = 0; run < WARMUP; run++) {
      evaluate(JSON.parse(text));
      evaluate(JSON.parse(text), JUDGED_ONCE);
    }
    for (let run = 0; run < RUNS; run++) {
      let snapshot: any;
      parse.push(time(() => (snapshot = JSON.parse(text))));
      // Alternate which goes first, so neither always runs on the other's garbage.
      let full = 0;
      let once = 0;
      const judgeFully = () =>
        (full = time(() => (workloads = evaluate(snapshot).workloads.length)));
      const judgeOnce = () =>
        (once = time(() => evaluate(snapshot, JUDGED_ONCE)));
      if (run % 2) {
        judgeOnce();
        judgeFully();
      } else {
        judgeFully();
        judgeOnce();
      }
      evaluation.push(full);
      shares.push((full - once) / full);
    }
    const row = {
      scale,
      parse: median(parse),
      evaluate: median(evaluation),
      modesShare: median(shares),
      workloads,
      mb: text.length / 1e6,
    };
    rows.push(row);
    console.log(
      `${label} ${scale}x: ${row.mb.toFixed(
        1,
      )} MB JSON, ${workloads} workloads; ` +
        `parse ${row.parse.toFixed(0)} ms, evaluate ${row.evaluate.toFixed(
          0,
        )} ms (median of ${RUNS}${
          FORCE_GC ? ', collected before each' : ''
        }), ` +
        `per-mode work ${(100 * row.modesShare).toFixed(0)}% of it; ` +
        `evaluate/parse ${(row.evaluate / row.parse).toFixed(2)}`,
    );
  }
  return rows;
}

// The skeleton first, for comparison: the same cluster with only the fields
// the rules read. Then the cluster as the API server lists it, which is what
// a scan parses and evaluates: the figures of the last line.
const skeleton = measure('skeleton', scale =>
  skeletonOf(generateSnapshot(scale)),
);
const listed = measure('listed', scale => generateSnapshot(scale));
const figures = (rows: Row[]) => ({
  ratio: (rows[0].evaluate / rows[0].parse).toFixed(2),
  growth: (rows[2].evaluate / rows[0].evaluate).toFixed(2),
  modesShare: rows[0].modesShare.toFixed(2),
});
console.log(
  `skeleton (only what the rules read): ratio=${
    figures(skeleton).ratio
  } growth=${figures(skeleton).growth}`,
);
console.log(
  `per-mode work: ${MODE_RULES.join(
    ', ',
  )} judged again for sidecar and ambient`,
);
console.log(
  `target: ratio <= 0.5, growth ~4 (linear), for snapshots as the API server lists them, per-mode work included`,
);
console.log(
  `ratio=${figures(listed).ratio} growth=${
    figures(listed).growth
  } modes_share=${figures(listed).modesShare}`,
);
