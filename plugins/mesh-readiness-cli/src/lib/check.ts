/*
 * `mesh-readiness check PATH...`: the engine on manifests, the same rules
 * the portal runs on clusters, so a pull request can be gated on them.
 */
import path from 'node:path';
import {
  applyTargetProfile,
  evaluate,
  IgnoredObject,
  Report,
  Rule,
  validateCustomRules,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { readInputs } from './readInputs';
import { FailOn, gate, GateResult } from './gate';
import { Baseline } from './baseline';
import { loadTarget, LoadedTarget } from './target';
import { Locator } from './locate';
import { Format, formatReport, showsModes } from './formats';

export interface CheckOptions {
  format: Format;
  /** The lowest severity that fails the gate (default `error`: a workload is not ready). */
  failOn?: FailOn;
  /** Flags: when given, they win over the target profile. */
  istioCni?: boolean;
  ambient?: boolean;
  /**
   * The target profile: `file` (`--target`), else the nearest
   * `.mesh-readiness.yaml` from `cwd` upward. No profile when absent.
   */
  target?: { file?: string; cwd?: string };
  /** Findings already accepted: they do not fail the gate. */
  baseline?: Baseline;
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

/** Everything a format needs to print a run. */
export interface CheckOutcome {
  report: Report;
  ignored: IgnoredObject[];
  /** Files found in folders that hold no Kubernetes object, so were not parsed. */
  notManifests: string[];
  files: number;
  gate: GateResult;
  target: LoadedTarget;
  locator: Locator;
  baseline?: Baseline;
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
  const target: LoadedTarget = options.target
    ? loadTarget(options.target.file, options.target.cwd ?? process.cwd())
    : { errors: [] };
  if (inputs.files >= 20)
    output.progress?.(`evaluating ${inputs.objects.length} objects`);
  const snapshot = applyTargetProfile(
    {
      cluster: 'manifests',
      source: 'manifests',
      objects: inputs.objects,
      // Only the flags given: a flag left out lets the profile say.
      environment: {
        ...(options.istioCni !== undefined
          ? { istioCni: options.istioCni }
          : {}),
        ...(options.ambient !== undefined ? { ambient: options.ambient } : {}),
      },
    },
    target.profile,
  );
  const evaluated = evaluate(snapshot, {
    customRules: options.customRules,
    modes: showsModes(options.format),
  });
  // Inputs that could not be read, then waivers refused by the engine.
  const report: Report = {
    workloads: evaluated.workloads,
    errors: [...target.errors, ...inputs.errors, ...evaluated.errors],
  };
  let locator: Locator | undefined;
  const outcome: CheckOutcome = {
    report,
    ignored: inputs.ignored,
    notManifests: inputs.notManifests,
    files: inputs.files,
    gate: gate(report, options.failOn ?? 'error', options.baseline),
    target,
    // Built for the formats that print positions; the table never asks.
    get locator() {
      locator ??= new Locator(inputs.objects, inputs.sources);
      return locator;
    },
    baseline: options.baseline,
  };
  return {
    exitCode: outcome.gate.exitCode,
    stdout: formatReport(options.format, outcome),
    report,
  };
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
      throw new Error(
        `cannot load rules from ${file}: ${(e as Error)?.message ?? e}`,
      );
    }
    const list =
      loaded?.rules ?? loaded?.default?.rules ?? loaded?.default ?? loaded;
    if (!Array.isArray(list))
      throw new Error(
        `${file} exports no list of rules (export them as \`rules\`)`,
      );
    rules.push(...list);
  }
  try {
    validateCustomRules(rules);
  } catch (e) {
    throw new Error(`${(e as Error).message} (from ${modules.join(', ')})`);
  }
  return rules;
}
