/*
 * `--format markdown`: a pull-request comment. A summary line, a table of
 * workloads, then what blocks each one, with the file and line.
 */
import { LEVEL_NAMES } from '@mesh-readiness/plugin-mesh-readiness-common';
import type { CheckOutcome } from '../check';
import { workloadId } from '../gate';
import { actionableFindings, displayPath } from './findings';

/** Text safe in a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function formatMarkdown(outcome: CheckOutcome): string {
  const { report, gate } = outcome;
  const ready = report.workloads.filter(w => w.ready).length;
  const passed = gate.exitCode === 0;
  const lines: string[] = [
    `### ${passed ? '✅' : '❌'} Mesh readiness: ${ready} of ${
      report.workloads.length
    } workloads ready`,
    '',
    `Gate: \`--fail-on ${gate.failOn}\`, ${gate.failing.size} finding${
      gate.failing.size === 1 ? '' : 's'
    } failing${
      gate.newFindings
        ? `, ${gate.newFindings.size} new since the baseline`
        : ''
    }.`,
    '',
  ];
  if (report.workloads.length > 0) {
    lines.push(
      '| workload | ready | level | score | needs action |',
      '|---|---|---|---|---|',
    );
    for (const w of report.workloads) {
      const open = w.findings.filter(
        f =>
          f.status === 'fail' || f.status === 'warn' || f.status === 'unknown',
      );
      lines.push(
        `| \`${cell(workloadId(w))}\` | ${w.ready ? '✅' : '❌'} | ${w.level} ${
          LEVEL_NAMES[w.level]
        } | ${w.score} | ${open.map(f => f.ruleId).join(', ') || '–'} |`,
      );
    }
    lines.push('');
  }
  const found = actionableFindings(outcome);
  if (found.length > 0) {
    lines.push('<details open><summary>Findings</summary>', '');
    for (const { workload, finding, location } of found) {
      const where =
        location && location.file !== '<stdin>'
          ? ` — \`${displayPath(location.file)}:${location.line}\``
          : '';
      const marks = [
        gate.failing.has(finding) ? '**fails the gate**' : '',
        gate.newFindings?.has(finding) ? '🆕 new' : '',
      ].filter(Boolean);
      lines.push(
        `- **[${finding.ruleId}](${finding.docsUrl})** ${
          finding.status
        } on \`${workloadId(workload)}\`${where}${
          marks.length ? ` (${marks.join(', ')})` : ''
        }: ${cell(finding.message)}`,
        `  Fix: ${cell(finding.remediation)}`,
      );
    }
    lines.push('', '</details>', '');
  }
  if (report.errors.length > 0) {
    lines.push(
      `**Inputs that could not be read (${report.errors.length}):**`,
      '',
    );
    for (const e of report.errors) {
      lines.push(
        `- \`${displayPath(e.file ?? e.cluster ?? '')}${
          e.line ? `:${e.line}` : ''
        }\`: ${cell(e.message)}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
