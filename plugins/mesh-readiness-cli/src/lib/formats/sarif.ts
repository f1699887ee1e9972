/*
 * `--format sarif`: SARIF 2.1.0 for code scanning (GitHub's upload-sarif,
 * GitLab, Azure DevOps). Each result points at the line and column of the
 * field its first evidence names, so annotations land on the Service port
 * or container at fault rather than on line 1.
 */
import {
  Finding,
  Severity,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import type { CheckOutcome } from '../check';
import { workloadId } from '../gate';
import { actionableFindings, displayPath, rulesRun } from './findings';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/mesh-readiness/mesh-readiness';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export function formatSarif(outcome: CheckOutcome): string {
  const rules = rulesRun(outcome);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = actionableFindings(outcome, true).map(
    ({ workload, finding, location }) => ({
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: LEVELS[finding.severity] ?? 'warning',
      message: { text: messageOf(finding) },
      locations: [
        {
          ...(location && location.file !== '<stdin>'
            ? {
                physicalLocation: {
                  artifactLocation: { uri: displayPath(location.file) },
                  region: {
                    startLine: location.line,
                    startColumn: location.column,
                  },
                },
              }
            : {}),
          logicalLocations: [
            { fullyQualifiedName: workloadId(workload), kind: 'resource' },
          ],
        },
      ],
      ...(finding.status === 'waived'
        ? {
            suppressions: [
              { kind: 'inSource', justification: finding.waiver?.reason ?? '' },
            ],
          }
        : {}),
      ...(outcome.gate.newFindings && finding.status !== 'waived'
        ? {
            baselineState: outcome.gate.newFindings.has(finding)
              ? 'new'
              : 'unchanged',
          }
        : {}),
      properties: {
        status:
          finding.status === 'waived' ? finding.waivedStatus : finding.status,
      },
    }),
  );
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mesh-readiness',
            informationUri: INFORMATION_URI,
            rules: rules.map(r => ({
              id: r.id,
              ...(r.slug ? { name: r.slug } : {}),
              shortDescription: { text: r.title },
              ...(r.rationale
                ? { fullDescription: { text: r.rationale } }
                : {}),
              ...(r.remediation ? { help: { text: r.remediation } } : {}),
              helpUri: r.docsUrl,
              defaultConfiguration: { level: LEVELS[r.severity ?? 'warning'] },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: outcome.report.errors.length === 0,
            toolExecutionNotifications: outcome.report.errors.map(e => ({
              level: 'error',
              message: { text: e.message },
              ...(e.file
                ? {
                    locations: [
                      {
                        physicalLocation: {
                          artifactLocation: { uri: displayPath(e.file) },
                          ...(e.line ? { region: { startLine: e.line } } : {}),
                        },
                      },
                    ],
                  }
                : {}),
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

function messageOf(finding: Finding): string {
  const unknown =
    finding.status === 'unknown'
      ? ' (could not be decided from the input)'
      : '';
  return `${finding.message}${unknown} Fix: ${finding.remediation}`;
}
