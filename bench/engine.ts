/*
 * yarn bench:engine — how long the engine takes to evaluate a snapshot,
 * against how long JSON.parse takes to read the same snapshot, at 1x, 2x
 * and 4x of 10,000 pods / 2,000 Services / 100 namespaces. Ratios measured
 * in one run hold on any machine. Prints figures; asserts nothing.
 * Last line: ratio=<evaluate/parse at 1x> growth=<evaluate 4x / evaluate 1x>
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
import { evaluate } from '@mesh-readiness/plugin-mesh-readiness-common';
import { generateSnapshot } from './generateSnapshot';

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

const results: Array<{ scale: number; parse: number; evaluate: number; workloads: number }> = [];
for (const scale of [1, 2, 4]) {
  const text = JSON.stringify(generateSnapshot(scale));
  const parse: number[] = [];
  const evaluation: number[] = [];
  let workloads = 0;
  for (let run = 0; run < WARMUP; run++) evaluate(JSON.parse(text));
  for (let run = 0; run < RUNS; run++) {
    let snapshot: any;
    parse.push(time(() => (snapshot = JSON.parse(text))));
    evaluation.push(time(() => (workloads = evaluate(snapshot).workloads.length)));
  }
  const row = { scale, parse: median(parse), evaluate: median(evaluation), workloads };
  results.push(row);
  console.log(
    `${scale}x: ${(text.length / 1e6).toFixed(1)} MB JSON, ${workloads} workloads; ` +
      `parse ${row.parse.toFixed(0)} ms, evaluate ${row.evaluate.toFixed(0)} ms (median of ${RUNS}${FORCE_GC ? ', collected before each' : ''}), ` +
      `evaluate/parse ${(row.evaluate / row.parse).toFixed(2)}`,
  );
}
const ratio = results[0].evaluate / results[0].parse;
const growth = results[2].evaluate / results[0].evaluate;
console.log(`target: ratio <= 0.5, growth ~4 (linear)`);
console.log(`ratio=${ratio.toFixed(2)} growth=${growth.toFixed(2)}`);
