/*
 * What changed for a component between two scans, as its owner is told:
 * it stopped being ready, or a rule that passed now fails or warns. Pure.
 */
import {
  componentReady,
  EntityReadinessResponse,
  Finding,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** A rule's state over a component's workloads: the worst workload decides. */
export type RuleState = 'pass' | 'fail' | 'warn' | 'other';

export interface ComponentState {
  ready: boolean;
  rules: Record<string, RuleState>;
}

export interface RuleRegression {
  ruleId: string;
  title: string;
  status: 'fail' | 'warn';
  /** The workloads where it now fails or warns, `Kind namespace/name`. */
  workloads: string[];
}

export interface Regression {
  /** It was ready and is not any more. */
  noLongerReady: boolean;
  rules: RuleRegression[];
}

const RANK: Record<RuleState, number> = { pass: 0, other: 1, warn: 2, fail: 3 };

function ruleStateOf(finding: Finding): RuleState {
  if (
    finding.status === 'pass' ||
    finding.status === 'fail' ||
    finding.status === 'warn'
  )
    return finding.status;
  return 'other';
}

export function componentStateOf(
  report: EntityReadinessResponse,
): ComponentState {
  const rules: Record<string, RuleState> = {};
  for (const w of report.workloads) {
    for (const f of w.findings) {
      const state = ruleStateOf(f);
      const was = rules[f.ruleId];
      if (was === undefined || RANK[state] > RANK[was]) rules[f.ruleId] = state;
    }
  }
  return { ready: componentReady(report), rules };
}

/** The regression from `before` to the report, or undefined when nothing got worse. */
export function regressionOf(
  before: ComponentState,
  report: EntityReadinessResponse,
): Regression | undefined {
  const after = componentStateOf(report);
  const rules: RuleRegression[] = [];
  for (const [ruleId, state] of Object.entries(after.rules)) {
    if (
      before.rules[ruleId] !== 'pass' ||
      (state !== 'fail' && state !== 'warn')
    )
      continue;
    const findings = report.workloads.flatMap(w =>
      w.findings
        .filter(f => f.ruleId === ruleId && f.status === state)
        .map(f => ({ f, w })),
    );
    rules.push({
      ruleId,
      title: findings[0]?.f.title ?? ruleId,
      status: state,
      workloads: findings.map(({ w }) => `${w.kind} ${w.namespace}/${w.name}`),
    });
  }
  const noLongerReady = before.ready && !after.ready;
  return noLongerReady || rules.length > 0
    ? { noLongerReady, rules }
    : undefined;
}

/** The notice's text: what changed, in a sentence per change. */
export function describeRegression(regression: Regression): string {
  const lines = regression.rules.map(
    r =>
      `${r.ruleId} ${r.title} now ${
        r.status === 'fail' ? 'fails' : 'warns'
      } (${r.workloads.join(', ')}).`,
  );
  return [
    ...(regression.noLongerReady
      ? ['It is no longer ready for the mesh.']
      : []),
    ...lines,
  ].join(' ');
}
