/*
 * `mesh-readiness check PATH...`: its flags and what it does with them.
 */
import type { Command } from 'commander';
import { check, loadRuleModules } from './check';
import { FAIL_ON_VALUES, FailOn } from './gate';
import { readBaseline } from './baseline';
import { FORMATS, isFormat } from './formats';

interface CheckFlags {
  format: string;
  failOn: string;
  /** A file, false for --no-target, undefined to look for .mesh-readiness.yaml. */
  target?: string | false;
  baseline?: string;
  istioCni?: boolean;
  ambient?: boolean;
  rules?: string[];
  color: boolean;
}

const EXIT_STATUS = `
Exit status: 0 the gate passes, 1 a finding fails it (by default, a
workload is not ready), 2 some input or the target profile could not be
read (the rest is still reported).`;

export function addCheckCommand(
  program: Command,
  exit: (code: number) => void,
): void {
  program
    .command('check')
    .description(
      'Reads Kubernetes manifests (multi-document YAML, kind List, Helm template output) and runs the Mesh Readiness rules on them, and any given with --rules.',
    )
    .argument(
      '<path...>',
      'files, folders (walked for .yaml, .yml and .json), or - for standard input',
    )
    .option(
      '--format <format>',
      `${FORMATS.join(
        ', ',
      )}; github prints workflow commands, markdown a PR comment`,
      'table',
    )
    .option(
      '--fail-on <level>',
      `what fails the gate, one of ${FAIL_ON_VALUES.join(
        ', ',
      )} (error: a workload is not ready)`,
      'error',
    )
    .option(
      '--target <file>',
      "the target cluster's profile (Istio version, CNI, ambient, native sidecars, namespace labels); default: the nearest .mesh-readiness.yaml from here upward",
    )
    .option('--no-target', 'read no target profile')
    .option(
      '--baseline <report>',
      'a previous --format json output; findings already in it do not fail the gate, and new ones are marked',
    )
    .option('--istio-cni', 'the target cluster has the Istio CNI node agent')
    .option('--ambient', 'the target cluster runs Istio in ambient mode')
    .option(
      '--rules <module>',
      'also run the rules a JavaScript module exports (as `rules`), as the portal’s rules extension point does; repeatable',
      (module: string, previous: string[] = []) => [...previous, module],
    )
    .option('--no-color', 'plain text')
    .addHelpText('after', EXIT_STATUS)
    .action(async (paths: string[], flags: CheckFlags) =>
      exit(await runCheck(paths, flags)),
    );
}

async function runCheck(paths: string[], flags: CheckFlags): Promise<number> {
  const format = flags.format;
  if (!isFormat(format)) {
    process.stderr.write(
      `--format must be one of ${FORMATS.join(', ')}, not "${format}".\n`,
    );
    return 2;
  }
  const failOn = flags.failOn as FailOn;
  if (!FAIL_ON_VALUES.includes(failOn)) {
    process.stderr.write(
      `--fail-on must be one of ${FAIL_ON_VALUES.join(
        ', ',
      )}, not "${failOn}".\n`,
    );
    return 2;
  }
  if (!flags.color || format !== 'table') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const chalk = require('chalk');
    chalk.level = 0;
  }
  let customRules;
  let baseline;
  try {
    customRules = loadRuleModules(flags.rules ?? []);
    baseline = flags.baseline ? readBaseline(flags.baseline) : undefined;
  } catch (e) {
    process.stderr.write(`mesh-readiness: ${(e as Error).message}\n`);
    return 2;
  }
  const result = await check(
    paths,
    {
      format,
      failOn,
      istioCni: flags.istioCni,
      ambient: flags.ambient,
      target:
        flags.target === false
          ? undefined
          : { file: flags.target, cwd: process.cwd() },
      baseline,
      customRules,
    },
    {
      progress: message => process.stderr.write(`mesh-readiness: ${message}\n`),
    },
  );
  // Two writes rather than one of `${stdout}\n`: appending to a report of
  // megabytes would copy all of it once more before it is encoded.
  process.stdout.write(result.stdout);
  process.stdout.write('\n');
  return result.exitCode;
}
