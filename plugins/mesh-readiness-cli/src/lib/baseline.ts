/*
 * `--baseline REPORT.json`: a previous `check --format json`. A finding is
 * already known when the baseline holds the same workload (kind, namespace,
 * name), the same rule and the same status: a warning that became a
 * failure is new, and so is anything on a workload the baseline never saw.
 * Messages are not compared, so a changed port number or wording does not
 * make an old problem new.
 */
import fs from 'node:fs';
import {
  Finding,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';

export interface Baseline {
  file: string;
  keys: Set<string>;
}

function keyOf(
  w: Pick<WorkloadReport, 'kind' | 'namespace' | 'name'>,
  ruleId: string,
  status: string,
): string {
  return JSON.stringify([w.kind, w.namespace, w.name, ruleId, status]);
}

export function inBaseline(
  baseline: Baseline,
  w: WorkloadReport,
  f: Finding,
): boolean {
  return baseline.keys.has(keyOf(w, f.ruleId, f.status));
}

/** Reads a baseline; throws an Error naming the file when it is not a report. */
export function readBaseline(file: string): Baseline {
  let data: any;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`cannot read the baseline ${file}: ${reason}`);
  }
  if (!data || !Array.isArray(data.workloads)) {
    throw new Error(
      `the baseline ${file} is not a report of \`check --format json\` (it has no "workloads" list)`,
    );
  }
  const keys = new Set<string>();
  for (const w of data.workloads) {
    if (
      !w ||
      typeof w.kind !== 'string' ||
      typeof w.name !== 'string' ||
      !Array.isArray(w.findings)
    )
      continue;
    for (const f of w.findings) {
      // A finding waived in the baseline is known as waived only: once the
      // waiver expires (or is removed) the finding counts again, as the portal counts it.
      if (f && typeof f.ruleId === 'string' && typeof f.status === 'string')
        keys.add(keyOf(w, f.ruleId, f.status));
    }
  }
  return { file, keys };
}
