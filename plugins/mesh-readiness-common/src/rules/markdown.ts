/*
 * The rule catalogue as Markdown, for the README and docs/rules.md, so the
 * documentation is generated from the same data the engine runs.
 * `node scripts/rules-docs.js` rewrites both; a test fails when they are stale.
 */
import { RuleDefinition } from '../types';

export function renderRuleTable(rules: RuleDefinition[]): string {
  const rows = rules.map(
    r =>
      `| [${r.id}](docs/rules.md#${r.id.toLowerCase()}-${r.slug}) | ${
        r.title
      } | ${r.severity} | ${
        [r.istioAnalyzer, r.kiali]
          .filter(c => c)
          .map(c => `[${c!.code}](${c!.url})`)
          .join(', ') || '–'
      } | [Istio docs](${r.docsUrl}) |`,
  );
  return [
    '| id | checks | severity | istioctl / Kiali | source |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function renderRuleReference(rules: RuleDefinition[]): string {
  const sections = rules.map(r => {
    const lines = [
      `## ${r.id} ${r.slug}`,
      '',
      `**${r.title}** · severity \`${r.severity}\` · onboarding step ${
        r.onboardingOrder + 1
      }`,
      '',
      `Why: ${r.rationale}`,
      '',
      `Fix: ${r.remediation}`,
    ];
    if (r.remediationSnippet)
      lines.push('', '```yaml', r.remediationSnippet, '```');
    if (r.ambient) lines.push('', `In ambient mode: ${r.ambient}`);
    lines.push('', `Istio documentation: ${r.docsUrl}`);
    if (r.istioAnalyzer) {
      lines.push(
        '',
        `Nearest \`istioctl analyze\` message: [${r.istioAnalyzer.code} ${r.istioAnalyzer.name}](${r.istioAnalyzer.url})`,
      );
    }
    if (r.kiali)
      lines.push(
        '',
        `Kiali validation: [${r.kiali.code} ${r.kiali.name}](${r.kiali.url})`,
      );
    return lines.join('\n');
  });
  return [
    '# Mesh Readiness rules',
    '',
    '<!-- Generated from the rule catalogue by `node scripts/rules-docs.js`; do not edit by hand. -->',
    '',
    'Statuses: `pass`, `fail` (an error rule fails), `warn` (a warning or info rule fails),',
    '`skip` (not applicable), `unknown` (could not be decided: never counted as a pass),',
    '`waived` (accepted with a reason through `mesh-readiness.io/waive`).',
    '',
    '## Readiness per data-plane mode',
    '',
    'Every workload report carries `modes`: whether the workload would be ready with a',
    'sidecar (classic or native, as the target injects it) and in ambient mode, and which',
    'error rules block each, with what each of those rules says in that mode (for the',
    'mode a workload does not run in, the reason its own findings do not give):',
    '`"modes": {"sidecar": {"ready": true, "blocking": [], "messages": {}}, "ambient":',
    '{"ready": false, "blocking": ["MR015"], "messages": {"MR015": "1 NetworkPolicy …"}}}`.',
    'Each mode comes from the same',
    "rules, judged as if the workload's namespace were labelled for that mode",
    '(`istio-injection=enabled`, or `istio.io/dataplane-mode=ambient`) and the rest of the',
    'cluster as it is: pod labels still count (a pod labelled `sidecar.istio.io/inject: "true"`',
    'gets a sidecar even in an ambient namespace), and live pods are not required to have',
    'been restarted. Rules that do not depend on the mode give the same finding in both.',
    '',
    '## The target profile',
    '',
    "Some rules depend on the target cluster's Istio: its version (MR001 on 1.20 and later),",
    'the CNI node agent and ambient (MR004), native sidecars (MR013). Live clusters detect it;',
    "manifests declare it in `.mesh-readiness.yaml` (the CLI's `--target`). What is not",
    "known stays unknown: such findings say `unknown`, or keep the requirements page's",
    'behaviour where the page gives one (MR001 without a version).',
    '',
    ...sections.flatMap(s => [s, '']),
  ].join('\n');
}

export const TABLE_START = '<!-- rules:start -->';
export const TABLE_END = '<!-- rules:end -->';

/** Replaces the generated table between the markers of a README. */
export function withRuleTable(readme: string, rules: RuleDefinition[]): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return readme;
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderRuleTable(
    rules,
  )}\n${readme.slice(end)}`;
}
