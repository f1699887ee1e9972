/*
 * The mesh-readiness command line.
 */
import { parseArgs } from 'node:util';
import { check, loadRuleModules } from './lib/check';

const USAGE = `Usage: mesh-readiness check PATH... [options]

Checks Kubernetes manifests (files, folders, or - for standard input:
multi-document YAML, kind: List, Helm template output) against the Mesh
Readiness rules MR001 to MR011, and any given with --rules.

Options:
  --format table|json  table (default) for people, json for tools
  --istio-cni          the target cluster has the Istio CNI plugin
  --ambient            the target cluster runs Istio in ambient mode
  --rules MODULE       also run the rules a JavaScript module exports
                       (as \`rules\`), as the portal's rules extension
                       point does; repeatable
  --no-color           plain text
  -h, --help           this text

Exit status: 0 every workload is ready, 1 some workload is not ready,
2 some input could not be read (the rest is still reported).`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'table' },
        'istio-cni': { type: 'boolean', default: false },
        ambient: { type: 'boolean', default: false },
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
  const format = parsed.values.format;
  if (format !== 'table' && format !== 'json') {
    process.stderr.write(`--format must be table or json, not "${format}".\n`);
    return 2;
  }
  if (paths.length === 0) {
    process.stderr.write(`check needs at least one file or folder.\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values['no-color'] || format === 'json') {
    const chalk = require('chalk');
    chalk.level = 0;
  }
  let customRules;
  try {
    customRules = loadRuleModules(parsed.values.rules ?? []);
  } catch (e) {
    process.stderr.write(`mesh-readiness: ${(e as Error).message}\n`);
    return 2;
  }
  const result = await check(
    paths,
    { format, istioCni: !!parsed.values['istio-cni'], ambient: !!parsed.values.ambient, customRules },
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
