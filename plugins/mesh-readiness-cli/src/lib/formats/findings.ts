/*
 * What every CI format walks: the findings that ask for action (or were
 * waived), each with its workload and where it is in the input.
 */
import path from 'node:path';
import {
  Finding,
  needsAction,
  RULE_DEFINITIONS,
  RuleDefinition,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import type { CheckOutcome } from '../check';
import { Location } from '../locate';

export interface LocatedFinding {
  workload: WorkloadReport;
  finding: Finding;
  location?: Location;
}

/** Findings that need action, and waived ones when asked, in report order. */
export function actionableFindings(
  outcome: CheckOutcome,
  withWaived = false,
): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const workload of outcome.report.workloads) {
    for (const finding of workload.findings) {
      if (!needsAction(finding) && !(withWaived && finding.status === 'waived'))
        continue;
      out.push({
        workload,
        finding,
        location: outcome.locator.locate(workload, finding.evidence[0]),
      });
    }
  }
  return out;
}

/** Every rule that ran: the catalogue, then custom rules as their findings describe them. */
export function rulesRun(
  outcome: CheckOutcome,
): Array<
  Pick<RuleDefinition, 'id' | 'title' | 'docsUrl'> & Partial<RuleDefinition>
> {
  const rules: Array<
    Pick<RuleDefinition, 'id' | 'title' | 'docsUrl'> & Partial<RuleDefinition>
  > = [...RULE_DEFINITIONS];
  const known = new Set(rules.map(r => r.id));
  for (const w of outcome.report.workloads) {
    for (const f of w.findings) {
      if (known.has(f.ruleId)) continue;
      known.add(f.ruleId);
      rules.push({
        id: f.ruleId,
        title: f.title,
        docsUrl: f.docsUrl,
        severity: f.severity,
        remediation: f.remediation,
      });
    }
  }
  return rules;
}

/** A file as CI tools want it: relative to the working directory, with `/`. */
export function displayPath(file: string): string {
  if (file === '<stdin>') return file;
  const relative = path.isAbsolute(file)
    ? path.relative(process.cwd(), file)
    : file;
  return relative.split(path.sep).join('/');
}

/** A finding's one-line text for annotations: the message, with what to do. */
export function findingText(
  workload: WorkloadReport,
  finding: Finding,
): string {
  const status = finding.status === 'unknown' ? ' (could not be decided)' : '';
  return `${workload.kind}/${workload.namespace}/${workload.name}: ${finding.message}${status} Fix: ${finding.remediation}`;
}
