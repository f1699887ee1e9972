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

type Paint = (text: string) => string;

/**
 * The colours the table uses. Resolved once per report: with colour off
 * (`--no-color`, or not a terminal) every one is the identity, so the
 * tens of thousands of lines a large input prints skip chalk altogether.
 */
interface Palette {
  bold: Paint;
  gray: Paint;
  cyan: Paint;
  yellow: Paint;
  red: Paint;
  underline: Paint;
  ready: Paint;
  notReady: Paint;
  bar: { red: Paint; yellow: Paint; green: Paint };
  /** Each status's coloured icon and label, padded, as a finding's line starts. */
  status: Record<FindingStatus, string>;
  newMark: string;
}

const STATUS: Record<
  FindingStatus,
  {
    icon: string;
    colour: 'green' | 'red' | 'yellow' | 'gray' | 'magenta' | 'cyan';
    label: string;
  }
> = {
  pass: { icon: '✔', colour: 'green', label: 'pass' },
  fail: { icon: '✖', colour: 'red', label: 'fail' },
  warn: { icon: '▲', colour: 'yellow', label: 'warn' },
  skip: { icon: '–', colour: 'gray', label: 'n/a' },
  unknown: { icon: '?', colour: 'magenta', label: 'unknown' },
  waived: { icon: '~', colour: 'cyan', label: 'waived' },
};

const plain: Paint = text => text;

function paletteOf(): Palette {
  const coloured = chalk.level > 0;
  const paint = (style: chalk.Chalk): Paint =>
    coloured ? text => style(text) : plain;
  const status = {} as Record<FindingStatus, string>;
  for (const [key, s] of Object.entries(STATUS) as Array<
    [FindingStatus, (typeof STATUS)[FindingStatus]]
  >) {
    status[key] = `  ${paint(chalk[s.colour])(
      `${s.icon} ${s.label.padEnd(7)}`,
    )} `;
  }
  return {
    bold: paint(chalk.bold),
    gray: paint(chalk.gray),
    cyan: paint(chalk.cyan),
    yellow: paint(chalk.yellow),
    red: paint(chalk.red),
    underline: paint(chalk.underline),
    ready: paint(chalk.green.bold),
    notReady: paint(chalk.red.bold),
    bar: {
      red: paint(chalk.red),
      yellow: paint(chalk.yellow),
      green: paint(chalk.green),
    },
    status,
    newMark: `${paint(chalk.bold.yellow)('new')} `,
  };
}

/** A ten-cell bar for a 0-100 score. */
export function scoreBar(
  score: number,
  palette: Palette = paletteOf(),
): string {
  const filled = Math.round(Math.max(0, Math.min(100, score)) / 10);
  let colour = palette.bar.red;
  if (score >= 90) colour = palette.bar.green;
  else if (score >= 60) colour = palette.bar.yellow;
  return colour('█'.repeat(filled)) + palette.gray('░'.repeat(10 - filled));
}

/** What one report's table reuses: the palette, and lines every finding of a rule shares. */
interface Printer {
  palette: Palette;
  /** The fix and docs lines by remediation and docs link: the same for every finding of a rule. */
  advice: Map<string, Map<string, string>>;
  bars: Map<number, string>;
}

function adviceOf(f: Finding, printer: Printer): string {
  let byDocs = printer.advice.get(f.remediation);
  if (!byDocs) {
    byDocs = new Map();
    printer.advice.set(f.remediation, byDocs);
  }
  let advice = byDocs.get(f.docsUrl);
  if (advice === undefined) {
    const { bold, underline } = printer.palette;
    advice = `      ${bold('fix:')} ${f.remediation}\n      ${bold(
      'docs:',
    )} ${underline(f.docsUrl)}`;
    byDocs.set(f.docsUrl, advice);
  }
  return advice;
}

// Every line is pushed onto the one list the report is joined from, not
// onto a list per finding spread into one per workload: a large input
// prints tens of thousands of lines.
function formatFinding(
  f: Finding,
  isNew: boolean,
  printer: Printer,
  lines: string[],
): void {
  const p = printer.palette;
  const mark = isNew ? p.newMark : '';
  lines.push(
    `${p.status[f.status]}${mark}${p.bold(f.ruleId)} ${f.title}: ${f.message}`,
  );
  if (f.status === 'waived' && f.waiver) {
    const until = f.waiver.until ? ` (until ${f.waiver.until})` : '';
    lines.push(
      p.cyan(
        `      waived (${f.waivedStatus})${until}: ${f.waiver.reason} — ${f.waiver.source}`,
      ),
    );
  }
  const expired = expiredWaiverNote(f);
  if (expired)
    lines.push(p.yellow(`      ${expired} — ${f.expiredWaiver!.source}`));
  if (needsAction(f)) {
    for (const e of f.evidence) {
      const where = `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${
        e.name
      }${e.field ? ` ${e.field}` : ''}`;
      lines.push(p.gray(`      • ${where}: `) + e.detail);
    }
    lines.push(adviceOf(f, printer));
  }
}

function formatWorkload(
  w: WorkloadReport,
  newFindings: Set<Finding> | undefined,
  printer: Printer,
  lines: string[],
): void {
  const p = printer.palette;
  const readiness = w.ready ? p.ready('ready') : p.notReady('not ready');
  let bar = printer.bars.get(w.score);
  if (bar === undefined) {
    bar = scoreBar(w.score, p);
    printer.bars.set(w.score, bar);
  }
  lines.push(
    `${p.bold(`${w.kind} ${w.namespace}/${w.name}`)}  ${readiness}  level ${
      w.level
    } ${LEVEL_NAMES[w.level]}  ${bar} ${w.score}`,
  );
  if (w.notice) lines.push(p.yellow(`  ! ${w.notice}`));
  for (const f of w.findings)
    formatFinding(f, !!newFindings?.has(f), printer, lines);
  lines.push('');
}

/** How many files holding no manifest the table names before it counts the rest. */
const NOT_MANIFESTS_SHOWN = 10;

export function formatTable(outcome: CheckOutcome): string {
  const { report, files, ignored, gate } = outcome;
  const lines: string[] = [];
  const printer: Printer = {
    palette: paletteOf(),
    advice: new Map(),
    bars: new Map(),
  };
  for (const w of report.workloads)
    formatWorkload(w, gate.newFindings, printer, lines);
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
  if (outcome.notManifests.length > 0) {
    const shown = outcome.notManifests.slice(0, NOT_MANIFESTS_SHOWN);
    const more = outcome.notManifests.length - shown.length;
    lines.push(
      chalk.gray(
        `Not checked (found in folders, no Kubernetes object in them): ${shown.join(
          ', ',
        )}${more > 0 ? ` and ${more} more` : ''}`,
      ),
      '',
    );
  }
  if (report.errors.length > 0) {
    lines.push(
      chalk.red.bold(
        `Input problems: unreadable inputs and refused waivers (${report.errors.length}):`,
      ),
    );
    for (const e of report.errors) {
      lines.push(
        `  ${chalk.red('✖')} ${e.file ?? e.cluster ?? ''}${
          e.line ? `:${e.line}` : ''
        }: ${e.message}`,
      );
    }
    lines.push('');
  }
  if (outcome.target.file)
    lines.push(chalk.gray(`Target profile: ${outcome.target.file}`));
  if (gate.failOn !== 'error' || gate.newFindings) {
    const baseline = gate.newFindings
      ? `, ${gate.newFindings.size} new since the baseline`
      : '';
    lines.push(
      `Gate --fail-on ${gate.failOn}: ${gate.failing.size} finding${
        gate.failing.size === 1 ? '' : 's'
      } failing${baseline}`,
    );
  }
  lines.push(summaryLine(report, files));
  return lines.join('\n');
}

export function summaryLine(report: Report, files: number): string {
  const ready = report.workloads.filter(w => w.ready).length;
  const notReady = report.workloads.length - ready;
  const counts = emptyStatusCounts();
  for (const w of report.workloads)
    for (const f of w.findings) counts[f.status]++;
  const count = (status: FindingStatus) => counts[status];
  const parts = [
    `${report.workloads.length} workload${
      report.workloads.length === 1 ? '' : 's'
    } in ${files} file${files === 1 ? '' : 's'}`,
    chalk.green(`${ready} ready`),
    notReady > 0 ? chalk.red(`${notReady} not ready`) : `${notReady} not ready`,
    `${count('fail')} failed, ${count('warn')} warned, ${count(
      'unknown',
    )} unknown, ${count('waived')} waived`,
  ];
  if (report.errors.length > 0)
    parts.push(
      chalk.red(
        `${report.errors.length} input error${
          report.errors.length === 1 ? '' : 's'
        }`,
      ),
    );
  return parts.join(' · ');
}
