/*
 * `--format junit`: one test suite per workload, one test case per rule,
 * for CI systems that show test reports (GitLab, Jenkins, Azure). A case
 * fails when its rule fails, and when it fails the gate at `--fail-on`
 * (a warning or an unknown at that level); not applicable and waived
 * cases are skipped.
 */
import type { CheckOutcome } from '../check';
import { workloadId } from '../gate';
import { displayPath } from './findings';

/** Text that is safe inside XML attributes and elements (XML 1.0 forbids most control characters). */
export function xmlEscape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export function formatJunit(outcome: CheckOutcome): string {
  const { report, gate, locator } = outcome;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const w of report.workloads) {
    const id = workloadId(w);
    const cases: string[] = [];
    let suiteFailures = 0;
    let skipped = 0;
    for (const f of w.findings) {
      const known = gate.newFindings ? !gate.newFindings.has(f) : false;
      const failed = (f.status === 'fail' && !known) || gate.failing.has(f);
      const location = failed ? locator.locate(w, f.evidence[0]) : undefined;
      const where =
        location && location.file !== '<stdin>'
          ? ` file="${xmlEscape(displayPath(location.file))}" line="${
              location.line
            }"`
          : '';
      const open = `    <testcase classname="${xmlEscape(
        id,
      )}" name="${xmlEscape(`${f.ruleId} ${f.title}`)}"${where}`;
      if (failed) {
        suiteFailures++;
        const evidence = f.evidence.map(
          e =>
            `${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}${
              e.field ? ` ${e.field}` : ''
            }: ${e.detail}`,
        );
        const body = [
          ...evidence,
          `fix: ${f.remediation}`,
          `docs: ${f.docsUrl}`,
        ].join('\n');
        cases.push(
          `${open}>\n      <failure message="${xmlEscape(f.message)}" type="${
            f.status
          }">${xmlEscape(body)}</failure>\n    </testcase>`,
        );
      } else if (f.status === 'skip' || f.status === 'waived') {
        skipped++;
        const why =
          f.status === 'waived'
            ? `waived: ${f.waiver?.reason ?? ''}`
            : f.message;
        cases.push(
          `${open}>\n      <skipped message="${xmlEscape(
            why,
          )}"/>\n    </testcase>`,
        );
      } else if (f.status === 'pass') {
        cases.push(`${open}/>`);
      } else {
        cases.push(
          `${open}>\n      <system-out>${xmlEscape(
            `${f.status}: ${f.message}`,
          )}</system-out>\n    </testcase>`,
        );
      }
    }
    tests += w.findings.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${xmlEscape(id)}" tests="${
        w.findings.length
      }" failures="${suiteFailures}" errors="0" skipped="${skipped}">\n${cases.join(
        '\n',
      )}\n  </testsuite>`,
    );
  }
  if (report.errors.length > 0) {
    // Unreadable inputs are errors of the run: one suite, one case each.
    const cases = report.errors.map(
      e =>
        `    <testcase classname="inputs" name="${xmlEscape(
          `${displayPath(e.file ?? e.cluster ?? '')}${
            e.line ? `:${e.line}` : ''
          }`,
        )}">\n      <error message="${xmlEscape(
          e.message,
        )}"/>\n    </testcase>`,
    );
    suites.push(
      `  <testsuite name="inputs" tests="${
        cases.length
      }" failures="0" errors="${cases.length}" skipped="0">\n${cases.join(
        '\n',
      )}\n  </testsuite>`,
    );
  }
  const errors = report.errors.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mesh-readiness" tests="${
      tests + errors
    }" failures="${failures}" errors="${errors}">`,
    ...suites,
    '</testsuites>',
  ].join('\n');
}
