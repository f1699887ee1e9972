/*
 * `mesh-readiness check PATH...`: the engine on manifests, the same rules
 * the portal runs on clusters, so a pull request can be gated on them.
 */
import path from 'node:path';
import {
  evaluate,
  Report,
  Rule,
  summarize,
  validateCustomRules,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { readInputs } from './readInputs';
import { formatTable } from './formatTable';

export interface CheckOptions {
  format: 'table' | 'json';
  istioCni: boolean;
  ambient: boolean;
  /** Rules of the adopter's own, run after the built-in ones. */
  customRules?: Rule[];
}

export interface CheckResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
  report: Report;
}

export interface Output {
  /** Progress for people watching a terminal; never on stdout. */
  progress?: (message: string) => void;
}

/** 2 when an input could not be read, 1 when a workload is not ready, else 0. */
export function exitCodeOf(report: Report): 0 | 1 | 2 {
  if (report.errors.length > 0) return 2;
  return report.workloads.every(w => w.ready) ? 0 : 1;
}

export async function check(
  paths: string[],
  options: CheckOptions,
  output: Output = {},
): Promise<CheckResult> {
  const inputs = await readInputs(paths, (done, total) => {
    if (total >= 20 && (done === total || done % Math.ceil(total / 10) === 0)) {
      output.progress?.(`read ${done}/${total} files`);
    }
  });
  if (inputs.files >= 20) output.progress?.(`evaluating ${inputs.objects.length} objects`);
  const evaluated = evaluate({
    cluster: 'manifests',
    source: 'manifests',
    objects: inputs.objects,
    environment: { istioCni: options.istioCni, ambient: options.ambient },
  }, { customRules: options.customRules });
  // Inputs that could not be read, then waivers refused by the engine.
  const report: Report = { workloads: evaluated.workloads, errors: [...inputs.errors, ...evaluated.errors] };
  const stdout =
    options.format === 'json'
      ? JSON.stringify({ ...report, ignored: inputs.ignored, summary: summarize(report.workloads) }, null, 2)
      : formatTable(report, inputs.files, inputs.ignored);
  return { exitCode: exitCodeOf(report), stdout, report };
}

/**
 * Custom rules from JavaScript modules (the ones a backend module adds to
 * the portal), so a pull request is gated on the same rules: each module
 * exports its rules as `rules`, as its default export, or as itself.
 */
export function loadRuleModules(modules: string[]): Rule[] {
  const rules: Rule[] = [];
  for (const file of modules) {
    let loaded: any;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path.resolve(file));
    } catch (e) {
      throw new Error(`cannot load rules from ${file}: ${(e as Error)?.message ?? e}`);
    }
    const list = loaded?.rules ?? loaded?.default?.rules ?? loaded?.default ?? loaded;
    if (!Array.isArray(list)) throw new Error(`${file} exports no list of rules (export them as \`rules\`)`);
    rules.push(...list);
  }
  try {
    validateCustomRules(rules);
  } catch (e) {
    throw new Error(`${(e as Error).message} (from ${modules.join(', ')})`);
  }
  return rules;
}
