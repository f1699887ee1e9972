/*
 * A cluster's result as the JSON the store writes, built one workload at a
 * time. JSON.stringify of the whole result at once builds it in V8's heap
 * as a two-byte string (the reports hold typographic quotes), 17 MB for
 * 10,000 pods' 1,000 workloads, and grows the heap by several times that
 * on the way: the largest step in a scan's peak memory (yarn
 * bench:scan-live). Here each workload's JSON is written as bytes outside
 * the heap, with every character beyond ASCII escaped (`\u2019`), so the
 * one string made at the end is one byte a character. JSON.parse reads the
 * same values back.
 */

/** `\uXXXX` for each UTF-16 unit beyond ASCII (a surrogate pair becomes two escapes, as JSON allows). */
const beyondAscii = /[\u007f-\uffff]/g;
const escaped = (unit: string) =>
  `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON of `value` in ASCII only. */
function asciiJson(value: unknown): Buffer {
  return Buffer.from(
    JSON.stringify(value).replace(beyondAscii, escaped),
    'latin1',
  );
}

/** `{"workloads":[…],"warnings":[…]}`, equal under JSON.parse to JSON.stringify of the same. */
export function storedJson(
  workloads: readonly unknown[],
  warnings: readonly string[],
): string {
  const parts: Buffer[] = [Buffer.from('{"workloads":[')];
  workloads.forEach((workload, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(asciiJson(workload));
  });
  parts.push(
    Buffer.from('],"warnings":'),
    asciiJson(warnings),
    Buffer.from('}'),
  );
  return Buffer.concat(parts).toString('latin1');
}
