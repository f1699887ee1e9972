/*
 * Readiness, levels and scores: computed here and nowhere else, so the
 * CLI, the backend and the UI always agree.
 */
import { RULE_DEFINITIONS } from './rules';
import type { EntityReadinessResponse, FailingRule } from './api';
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

/**
 * How much each severity weighs in a score.
 *
 * @public
 */
export const SEVERITY_WEIGHTS: Record<Severity, number> = {
  error: 5,
  warning: 2,
  info: 1,
};

/**
 * The rule that says whether the data plane is actually on (level 3).
 *
 * @public
 */
export const DATA_PLANE_RULE_ID = 'MR008';

/** @public */
export const LEVEL_NAMES: Record<ReadinessLevel, string> = {
  0: 'Not compatible',
  1: 'Compatible',
  2: 'Observable',
  3: 'Meshed',
};

/**
 * Statuses that need someone to act: a failure, a warning, or a rule that
 * could not decide (never taken for a pass). The tab's "needs action"
 * filter, the onboarding checklist's "to do", the action's issues, the
 * CLI's fixes and the scorecards' failing rules all use this one list.
 *
 * @public
 */
export const NEEDS_ACTION_STATUSES: readonly FindingStatus[] = [
  'fail',
  'warn',
  'unknown',
];

/** @public */
export function needsAction(finding: Pick<Finding, 'status'>): boolean {
  return NEEDS_ACTION_STATUSES.includes(finding.status);
}

/** Statuses that do not hold a workload back: waived ones were accepted. */
function clears(status: FindingStatus): boolean {
  return status === 'pass' || status === 'skip' || status === 'waived';
}

/**
 * Ready: no error rule fails or is unknown.
 *
 * @public
 */
export function isReady(findings: Finding[]): boolean {
  return findings.every(f => f.severity !== 'error' || clears(f.status));
}

/**
 * The error rules that fail or are unknown: what keeps a workload from being ready.
 *
 * @public
 */
export function blockingRules(findings: Finding[]): string[] {
  const ids: string[] = [];
  for (const f of findings)
    if (f.severity === 'error' && !clears(f.status)) ids.push(f.ruleId);
  return ids;
}

/** @public */
export function levelOf(findings: Finding[]): ReadinessLevel {
  if (!isReady(findings)) return 0;
  const observable = findings.every(
    f => f.severity !== 'warning' || clears(f.status),
  );
  if (!observable) return 1;
  const dataPlane = findings.find(f => f.ruleId === DATA_PLANE_RULE_ID);
  return dataPlane && dataPlane.status === 'pass' ? 3 : 2;
}

/**
 * Passed over applicable checks, weighted by severity, 0 to 100.
 * Not applicable and waived findings are left out of both sides; a
 * workload with nothing applicable scores 100.
 *
 * @public
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

/** @public */
export function emptyStatusCounts(): Record<FindingStatus, number> {
  return { pass: 0, fail: 0, warn: 0, skip: 0, unknown: 0, waived: 0 };
}

/**
 * Rolls several workloads up, e.g. into one catalog component.
 *
 * @public
 */
export function summarize(workloads: WorkloadReport[]): ReadinessSummary {
  const statusCounts = emptyStatusCounts();
  for (const w of workloads)
    for (const f of w.findings) statusCounts[f.status]++;
  if (workloads.length === 0) {
    return {
      workloads: 0,
      readyWorkloads: 0,
      level: 0,
      score: 0,
      statusCounts,
    };
  }
  const level = Math.min(...workloads.map(w => w.level)) as ReadinessLevel;
  const score = averageScore(workloads.map(w => w.score));
  return {
    workloads: workloads.length,
    readyWorkloads: workloads.filter(w => w.ready).length,
    level,
    score,
    statusCounts,
    modes: {
      sidecar: summarizeMode(workloads, 'sidecar'),
      ambient: summarizeMode(workloads, 'ambient'),
    },
  };
}

/**
 * A component is ready when it is mapped, has workloads and every one of them is ready.
 *
 * @public
 */
export function componentReady(
  report: Pick<EntityReadinessResponse, 'mapped' | 'summary'>,
): boolean {
  return (
    report.mapped &&
    report.summary.workloads > 0 &&
    report.summary.readyWorkloads === report.summary.workloads
  );
}

/**
 * The rounded mean of scores, 0 for none: a team's, an organisation's, a scan's.
 *
 * @public
 */
export function averageScore(scores: number[]): number {
  return scores.length
    ? Math.round(scores.reduce((sum, s) => sum + s, 0) / scores.length)
    : 0;
}

/**
 * The findings a workload does not clear, in report order. Computed each
 * time: a filter over a workload's few findings costs less than keeping an
 * answer per report object, which would go stale if the report changed.
 *
 * @public
 */
export function findingsNeedingAction(workload: WorkloadReport): Finding[] {
  return workload.findings.filter(needsAction);
}

/** Catalogue order, to break ties; custom rules come after the built-in ones. */
const catalogueOrder = new Map(RULE_DEFINITIONS.map((r, i) => [r.id, i]));

/**
 * Rules that hold workloads back, most first; custom rules count as the built-in ones do.
 *
 * @public
 */
export function topFailingRules(
  workloads: WorkloadReport[],
  limit = 5,
): FailingRule[] {
  const rules = new Map<string, FailingRule>();
  for (const w of workloads) {
    for (const f of findingsNeedingAction(w)) {
      const rule = rules.get(f.ruleId);
      if (rule) rule.workloads++;
      else
        rules.set(f.ruleId, {
          ruleId: f.ruleId,
          title: f.title,
          severity: f.severity,
          workloads: 1,
        });
    }
  }
  const order = (id: string) =>
    catalogueOrder.get(id) ?? RULE_DEFINITIONS.length;
  return [...rules.values()]
    .sort(
      (a, b) =>
        b.workloads - a.workloads ||
        order(a.ruleId) - order(b.ruleId) ||
        a.ruleId.localeCompare(b.ruleId),
    )
    .slice(0, limit);
}

/**
 * How many workloads one data-plane mode suits, and what blocks the rest, most blocking first.
 *
 * @public
 */
export function summarizeMode(
  workloads: WorkloadReport[],
  mode: keyof DataPlaneModes,
): ModeSummary {
  const counts = new Map<string, number>();
  let judged = 0;
  let ready = 0;
  for (const w of workloads) {
    const readiness = w.modes?.[mode];
    if (!readiness) continue;
    judged++;
    if (readiness.ready) ready++;
    for (const id of readiness.blocking)
      counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const blocking = [...counts]
    .map(([ruleId, n]) => ({ ruleId, workloads: n }))
    .sort(
      (a, b) => b.workloads - a.workloads || (a.ruleId < b.ruleId ? -1 : 1),
    );
  return { workloads: judged, readyWorkloads: ready, blocking };
}
