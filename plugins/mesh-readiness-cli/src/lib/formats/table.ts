/*
 * The human-readable report: grouped by workload, coloured by status, the
 * evidence, fix and docs link under every finding that needs action.
 */
import chalk from 'chalk';
import {
  emptyStatusCounts,
  expiredWaiverNote,
  Finding,
  FindingStatus,
  LEVEL_NAMES,
  needsAction,
  Report,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import type { CheckOutcome } from '../check';

const STATUS: Record<FindingStatus, { icon: string; colour: chalk.Chalk; label: string }> = {
  pass: { icon: '✔', colour: chalk.green, label: 'pass' },
  fail: { icon: '✖', colour: chalk.red, label: 'fail' },
  warn: { icon: '▲', colour: chalk.yellow, label: 'warn' },
  skip: { icon: '–', colour: chalk.gray, label: 'n/a' },
  unknown: { icon: '?', colour: chalk.magenta, label: 'unknown' },
  waived: { icon: '~', colour: chalk.cyan, label: 'waived' },
};

/** A ten-cell bar for a 0-100 score. */
export function scoreBar(score: number): string {
  const filled = Math.round(Math.max(0, Math.min(100, score)) / 10);
  let colour = chalk.red;
  if (score >= 90) colour = chalk.green;
  else if (score >= 60) colour = chalk.yellow;
  return colour('█'.repeat(filled)) + chalk.gray('░'.repeat(10 - filled));
}

// Every line is pushed onto the one list the report is joined from, not
// onto a list per finding spread into one per workload: a large input
// prints tens of thousands of lines.
function formatFinding(f: Finding, isNew: boolean, lines: string[]): void {
  const s = STATUS[f.status];
  const mark = isNew ? `${chalk.bold.yellow('new')} ` : '';
  lines.push(`  ${s.colour(`${s.icon} ${s.label.padEnd(7)}`)} ${mark}${chalk.bold(f.ruleId)} ${f.title}: ${f.message}`);
  if (f.status === 'waived' && f.waiver) {
    const until = f.waiver.until ? ` (until ${f.waiver.until})` : '';
    lines.push(chalk.cyan(`      waived (${f.waivedStatus})${until}: ${f.waiver.reason} — ${f.waiver.source}`));
  }
  const expired = expiredWaiverNote(f);
  if (expired) lines.push(chalk.yellow(`      ${expired} — ${f.expiredWaiver!.source}`));
  if (needsAction(f)) {
    for (const e of f.evidence) {
      const where = `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}${e.field ? ` ${e.field}` : ''}`;
      lines.push(chalk.gray(`      • ${where}: `) + e.detail);
    }
    lines.push(`      ${chalk.bold('fix:')} ${f.remediation}`);
    lines.push(`      ${chalk.bold('docs:')} ${chalk.underline(f.docsUrl)}`);
  }
}

function formatWorkload(w: WorkloadReport, newFindings: Set<Finding> | undefined, lines: string[]): void {
  const readiness = w.ready ? chalk.green.bold('ready') : chalk.red.bold('not ready');
  lines.push(
    `${chalk.bold(`${w.kind} ${w.namespace}/${w.name}`)}  ${readiness}  level ${w.level} ${LEVEL_NAMES[w.level]}  ${scoreBar(w.score)} ${w.score}`,
  );
  if (w.notice) lines.push(chalk.yellow(`  ! ${w.notice}`));
  for (const f of w.findings) formatFinding(f, !!newFindings?.has(f), lines);
  lines.push('');
}

export function formatTable(outcome: CheckOutcome): string {
  const { report, files, ignored, gate } = outcome;
  const lines: string[] = [];
  for (const w of report.workloads) formatWorkload(w, gate.newFindings, lines);
  if (ignored.length > 0) {
    const byKind = new Map<string, number>();
    for (const i of ignored) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
    lines.push(
      chalk.gray(
        `Not checked (kinds the rules do not read): ${[...byKind]
          .map(([kind, n]) => `${kind} ×${n}`)
          .join(', ')}`,
      ),
      '',
    );
  }
  if (report.errors.length > 0) {
    lines.push(chalk.red.bold(`Input problems: unreadable inputs and refused waivers (${report.errors.length}):`));
    for (const e of report.errors) {
      lines.push(`  ${chalk.red('✖')} ${e.file ?? e.cluster ?? ''}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    }
    lines.push('');
  }
  if (outcome.target.file) lines.push(chalk.gray(`Target profile: ${outcome.target.file}`));
  if (gate.failOn !== 'error' || gate.newFindings) {
    const baseline = gate.newFindings ? `, ${gate.newFindings.size} new since the baseline` : '';
    lines.push(`Gate --fail-on ${gate.failOn}: ${gate.failing.size} finding${gate.failing.size === 1 ? '' : 's'} failing${baseline}`);
  }
  lines.push(summaryLine(report, files));
  return lines.join('\n');
}

export function summaryLine(report: Report, files: number): string {
  const ready = report.workloads.filter(w => w.ready).length;
  const notReady = report.workloads.length - ready;
  const counts = emptyStatusCounts();
  for (const w of report.workloads) for (const f of w.findings) counts[f.status]++;
  const count = (status: FindingStatus) => counts[status];
  const parts = [
    `${report.workloads.length} workload${report.workloads.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`,
    chalk.green(`${ready} ready`),
    notReady > 0 ? chalk.red(`${notReady} not ready`) : `${notReady} not ready`,
    `${count('fail')} failed, ${count('warn')} warned, ${count('unknown')} unknown, ${count('waived')} waived`,
  ];
  if (report.errors.length > 0) parts.push(chalk.red(`${report.errors.length} input error${report.errors.length === 1 ? '' : 's'}`));
  return parts.join(' · ');
}
