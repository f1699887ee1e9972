/*
 * Readiness, levels and scores: computed here and nowhere else, so the
 * CLI, the backend and the UI always agree.
 */
import {
  DataPlaneModes,
  Finding,
  ModeSummary,
  FindingStatus,
  ReadinessLevel,
  ReadinessSummary,
  Severity,
  WorkloadReport,
} from './types';

/** How much each severity weighs in a score. */
export const SEVERITY_WEIGHTS: Record<Severity, number> = {
  error: 5,
  warning: 2,
  info: 1,
};

/** The rule that says whether the data plane is actually on (level 3). */
export const DATA_PLANE_RULE_ID = 'MR008';

export const LEVEL_NAMES: Record<ReadinessLevel, string> = {
  0: 'Not compatible',
  1: 'Compatible',
  2: 'Observable',
  3: 'Meshed',
};

/** Statuses that do not hold a workload back: waived ones were accepted. */
function clears(status: FindingStatus): boolean {
  return status === 'pass' || status === 'skip' || status === 'waived';
}

/** Ready: no error rule fails or is unknown. */
export function isReady(findings: Finding[]): boolean {
  return findings.every(f => f.severity !== 'error' || clears(f.status));
}

/** The error rules that fail or are unknown: what keeps a workload from being ready. */
export function blockingRules(findings: Finding[]): string[] {
  const ids: string[] = [];
  for (const f of findings) if (f.severity === 'error' && !clears(f.status)) ids.push(f.ruleId);
  return ids;
}

export function levelOf(findings: Finding[]): ReadinessLevel {
  if (!isReady(findings)) return 0;
  const observable = findings.every(f => f.severity !== 'warning' || clears(f.status));
  if (!observable) return 1;
  const dataPlane = findings.find(f => f.ruleId === DATA_PLANE_RULE_ID);
  return dataPlane && dataPlane.status === 'pass' ? 3 : 2;
}

/**
 * Passed over applicable checks, weighted by severity, 0 to 100.
 * Not applicable and waived findings are left out of both sides; a
 * workload with nothing applicable scores 100.
 */
export function scoreOf(findings: Finding[]): number {
  let passed = 0;
  let applicable = 0;
  for (const f of findings) {
    if (f.status === 'skip' || f.status === 'waived') continue;
    const weight = SEVERITY_WEIGHTS[f.severity] ?? 1;
    applicable += weight;
    if (f.status === 'pass') passed += weight;
  }
  return applicable === 0 ? 100 : Math.round((passed / applicable) * 100);
}

export function emptyStatusCounts(): Record<FindingStatus, number> {
  return { pass: 0, fail: 0, warn: 0, skip: 0, unknown: 0, waived: 0 };
}

/** Rolls several workloads up, e.g. into one catalog component. */
export function summarize(workloads: WorkloadReport[]): ReadinessSummary {
  const statusCounts = emptyStatusCounts();
  for (const w of workloads) for (const f of w.findings) statusCounts[f.status]++;
  if (workloads.length === 0) {
    return { workloads: 0, readyWorkloads: 0, level: 0, score: 0, statusCounts };
  }
  const level = Math.min(...workloads.map(w => w.level)) as ReadinessLevel;
  const score = Math.round(workloads.reduce((sum, w) => sum + w.score, 0) / workloads.length);
  return {
    workloads: workloads.length,
    readyWorkloads: workloads.filter(w => w.ready).length,
    level,
    score,
    statusCounts,
    modes: { sidecar: summarizeMode(workloads, 'sidecar'), ambient: summarizeMode(workloads, 'ambient') },
  };
}

/** How many workloads one data-plane mode suits, and what blocks the rest, most blocking first. */
export function summarizeMode(workloads: WorkloadReport[], mode: keyof DataPlaneModes): ModeSummary {
  const counts = new Map<string, number>();
  let judged = 0;
  let ready = 0;
  for (const w of workloads) {
    const readiness = w.modes?.[mode];
    if (!readiness) continue;
    judged++;
    if (readiness.ready) ready++;
    for (const id of readiness.blocking) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const blocking = [...counts]
    .map(([ruleId, n]) => ({ ruleId, workloads: n }))
    .sort((a, b) => b.workloads - a.workloads || (a.ruleId < b.ruleId ? -1 : 1));
  return { workloads: judged, readyWorkloads: ready, blocking };
}
