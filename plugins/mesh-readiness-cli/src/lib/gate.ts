/*
 * The CI gate: which findings fail the build, given `--fail-on` and an
 * optional baseline of findings the team has already accepted.
 */
import {
  Finding,
  needsAction,
  Report,
  Severity,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { Baseline, inBaseline } from './baseline';

/** The lowest severity that fails the gate; `never` only fails on unreadable input. */
export type FailOn = Severity | 'never';

export const FAIL_ON_VALUES: readonly FailOn[] = [
  'error',
  'warning',
  'info',
  'never',
];

const SEVERITY_RANK: Record<Severity, number> = {
  info: 0,
  warning: 1,
  error: 2,
};

/**
 * Whether a finding fails the gate at this level, before the baseline.
 * At `error` this is exactly "the workload is not ready".
 */
export function blocksAt(f: Finding, failOn: FailOn): boolean {
  if (failOn === 'never' || !needsAction(f)) return false;
  return (SEVERITY_RANK[f.severity] ?? 0) >= SEVERITY_RANK[failOn];
}

export interface GateResult {
  exitCode: 0 | 1 | 2;
  failOn: FailOn;
  /** Findings that fail the gate: they block at the level and are not in the baseline. */
  failing: Set<Finding>;
  /** With a baseline: findings that need action and were not in it. */
  newFindings?: Set<Finding>;
}

/** 2 when an input could not be read, 1 when a finding fails the gate, else 0. */
export function gate(
  report: Report,
  failOn: FailOn,
  baseline?: Baseline,
): GateResult {
  const failing = new Set<Finding>();
  const newFindings = baseline ? new Set<Finding>() : undefined;
  for (const w of report.workloads) {
    for (const f of w.findings) {
      const known = baseline ? inBaseline(baseline, w, f) : false;
      if (newFindings && needsAction(f) && !known) newFindings.add(f);
      if (blocksAt(f, failOn) && !known) failing.add(f);
    }
  }
  let exitCode: 0 | 1 | 2 = failing.size > 0 ? 1 : 0;
  if (report.errors.length > 0) exitCode = 2;
  return { exitCode, failOn, failing, newFindings };
}

/** `Kind/namespace/name`: how a workload is named in every output. */
export function workloadId(
  w: Pick<WorkloadReport, 'kind' | 'namespace' | 'name'>,
): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}
