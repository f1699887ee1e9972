/*
 * yarn bench:engine — how long the engine takes to evaluate a snapshot,
 * against how long JSON.parse takes to read the same snapshot, at 1x, 2x
 * and 4x of 10,000 pods / 2,000 Services / 100 namespaces. Ratios measured
 * in one run hold on any machine. Prints figures; asserts nothing.
 * Last line: ratio=<evaluate/parse at 1x> growth=<evaluate 4x / evaluate 1x>
 */
import { evaluate } from '@mesh-readiness/plugin-mesh-readiness-common';
import { generateSnapshot } from './generateSnapshot';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown): number {
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
  // One untimed run first, so both sides are measured warm (JIT compiled).
  evaluate(JSON.parse(text));
  for (let run = 0; run < RUNS; run++) {
    let snapshot: any;
    parse.push(time(() => (snapshot = JSON.parse(text))));
    evaluation.push(time(() => (workloads = evaluate(snapshot).workloads.length)));
  }
  const row = { scale, parse: median(parse), evaluate: median(evaluation), workloads };
  results.push(row);
  console.log(
    `${scale}x: ${(text.length / 1e6).toFixed(1)} MB JSON, ${workloads} workloads; ` +
      `parse ${row.parse.toFixed(0)} ms, evaluate ${row.evaluate.toFixed(0)} ms (median of ${RUNS}), ` +
      `evaluate/parse ${(row.evaluate / row.parse).toFixed(2)}`,
  );
}
const ratio = results[0].evaluate / results[0].parse;
const growth = results[2].evaluate / results[0].evaluate;
console.log(`target: ratio <= 0.5, growth ~4 (linear)`);
console.log(`ratio=${ratio.toFixed(2)} growth=${growth.toFixed(2)}`);
