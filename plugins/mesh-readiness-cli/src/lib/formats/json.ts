/*
 * `--format json`: exactly one JSON document, the report as the portal's
 * API has it plus what only a CI run has (ignored kinds, files found that
 * hold no manifest, the gate). It is also what `--baseline` reads back.
 */
import { summarize } from '@mesh-readiness/plugin-mesh-readiness-common';
import type { CheckOutcome } from '../check';

export function formatJson(outcome: CheckOutcome): string {
  const { report, gate } = outcome;
  const workloads = gate.newFindings
    ? report.workloads.map(w => ({
        ...w,
        findings: w.findings.map(f =>
          gate.newFindings!.has(f) ? { ...f, new: true } : f,
        ),
      }))
    : report.workloads;
  return JSON.stringify(
    {
      workloads,
      errors: report.errors,
      ignored: outcome.ignored,
      notManifests: outcome.notManifests,
      summary: summarize(report.workloads),
      gate: {
        failOn: gate.failOn,
        failing: gate.failing.size,
        exitCode: gate.exitCode,
        ...(outcome.baseline
          ? {
              baseline: outcome.baseline.file,
              new: gate.newFindings?.size ?? 0,
            }
          : {}),
        ...(outcome.target.file ? { target: outcome.target.file } : {}),
      },
    },
    null,
    2,
  );
}
