/*
 * `--format github`: GitHub Actions workflow commands, so findings show as
 * annotations on the pull request's files. A finding that fails the gate
 * is an `error`; other findings that need action are a `warning` (or a
 * `notice` for info rules).
 */
import type { CheckOutcome } from '../check';
import { actionableFindings, displayPath, findingText } from './findings';
import { summaryLine } from './table';

/** A command's message: `%`, CR and LF are encoded (GitHub's toolkit `escapeData`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: also `:` and `,`, which separate properties (`escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(
  name: string,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function formatGithub(outcome: CheckOutcome): string {
  const lines: string[] = [];
  for (const { workload, finding, location } of actionableFindings(outcome)) {
    let level = 'warning';
    if (outcome.gate.failing.has(finding)) level = 'error';
    else if (finding.severity === 'info') level = 'notice';
    const file =
      location && location.file !== '<stdin>'
        ? displayPath(location.file)
        : undefined;
    const isNew = outcome.gate.newFindings?.has(finding) ? ' (new)' : '';
    lines.push(
      command(
        level,
        {
          file,
          line: file ? location?.line : undefined,
          col: file ? location?.column : undefined,
          title: `${finding.ruleId} ${finding.title}${isNew}`,
        },
        findingText(workload, finding),
      ),
    );
  }
  for (const e of outcome.report.errors) {
    lines.push(
      command(
        'error',
        {
          file: e.file ? displayPath(e.file) : undefined,
          line: e.line,
          title: 'mesh-readiness: unreadable input',
        },
        e.message,
      ),
    );
  }
  lines.push(summaryLine(outcome.report, outcome.files));
  return lines.join('\n');
}
