/*
 * The mesh-readiness command line.
 */
import { parseArgs } from 'node:util';
import { check, loadRuleModules } from './lib/check';
import { FAIL_ON_VALUES, FailOn } from './lib/gate';
import { readBaseline } from './lib/baseline';
import { FORMATS, isFormat } from './lib/formats';
import { fixMain } from './lib/fix/command';

const USAGE = `Usage: mesh-readiness check PATH... [options]
       mesh-readiness fix PATH... [--write] [--rules MR005,...]

check reads Kubernetes manifests (files, folders, or - for standard input:
multi-document YAML, kind: List, Helm template output) and runs the Mesh
Readiness rules on them, and any given with --rules.

Options of check:
  --format FORMAT      table (default), json, sarif, junit, github
                       (workflow commands) or markdown (a PR comment)
  --fail-on LEVEL      error (default: a workload is not ready), warning,
                       info, or never
  --target FILE        the target cluster's profile (Istio version, CNI,
                       ambient, native sidecars, namespace labels); default:
                       the nearest .mesh-readiness.yaml from here upward
  --no-target          read no target profile
  --baseline REPORT    a previous --format json: findings already in it do
                       not fail the gate, and new ones are marked
  --istio-cni          the target cluster has the Istio CNI plugin
  --ambient            the target cluster runs Istio in ambient mode
  --rules MODULE       also run the rules a JavaScript module exports
                       (as \`rules\`), as the portal's rules extension
                       point does; repeatable
  --no-color           plain text
  -h, --help           this text

Exit status: 0 the gate passes, 1 a finding fails it (by default: some
workload is not ready), 2 some input could not be read (the rest is still
reported).`;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'fix') return fixMain(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'table' },
        'fail-on': { type: 'string', default: 'error' },
        target: { type: 'string' },
        'no-target': { type: 'boolean', default: false },
        baseline: { type: 'string' },
        'istio-cni': { type: 'boolean' },
        ambient: { type: 'boolean' },
        rules: { type: 'string', multiple: true, default: [] },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, ...paths] = parsed.positionals;
  if (parsed.values.help || !command) {
    (parsed.values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  if (command !== 'check') {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
    return 2;
  }
  const format = parsed.values.format!;
  if (!isFormat(format)) {
    process.stderr.write(`--format must be one of ${FORMATS.join(', ')}, not "${format}".\n`);
    return 2;
  }
  const failOn = parsed.values['fail-on']! as FailOn;
  if (!FAIL_ON_VALUES.includes(failOn)) {
    process.stderr.write(`--fail-on must be one of ${FAIL_ON_VALUES.join(', ')}, not "${failOn}".\n`);
    return 2;
  }
  if (paths.length === 0) {
    process.stderr.write(`check needs at least one file or folder.\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values['no-color'] || format !== 'table') {
    const chalk = require('chalk');
    chalk.level = 0;
  }
  let customRules;
  let baseline;
  try {
    customRules = loadRuleModules(parsed.values.rules ?? []);
    baseline = parsed.values.baseline ? readBaseline(parsed.values.baseline) : undefined;
  } catch (e) {
    process.stderr.write(`mesh-readiness: ${(e as Error).message}\n`);
    return 2;
  }
  const result = await check(
    paths,
    {
      format,
      failOn,
      istioCni: parsed.values['istio-cni'],
      ambient: parsed.values.ambient,
      target: parsed.values['no-target'] ? undefined : { file: parsed.values.target, cwd: process.cwd() },
      baseline,
      customRules,
    },
    { progress: message => process.stderr.write(`mesh-readiness: ${message}\n`) },
  );
  process.stdout.write(`${result.stdout}\n`);
  return result.exitCode;
}

if (require.main === module || process.argv[1]?.endsWith('mesh-readiness')) {
  main(process.argv.slice(2)).then(
    code => {
      process.exitCode = code;
    },
    error => {
      process.stderr.write(`mesh-readiness: ${error?.stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
}
