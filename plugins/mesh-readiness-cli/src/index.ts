/*
 * The mesh-readiness command line: its commands, parsed by commander (as
 * Backstage's own CLIs are, so @backstage/repo-tools can report them).
 */
import { Command, CommanderError } from 'commander';
import { addCheckCommand } from './lib/checkCommand';
import { addFixCommand } from './lib/fix/fixCommand';

/** Runs the command line `argv` (without node and the script) and resolves to its exit status. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const exit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('mesh-readiness')
    .description(
      'Checks Kubernetes manifests against the Mesh Readiness rules before they reach a cluster.',
    )
    // Commander would exit 1 on a usage error; here 1 means that the gate fails.
    .exitOverride()
    .showHelpAfterError('(add --help for the commands and their options)');
  addCheckCommand(program, exit);
  addFixCommand(program, exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // --help asked for is a success; no command, a bad flag or a missing path is a usage error.
    return e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version'
      ? 0
      : 2;
  }
  return exitCode;
}

if (require.main === module || process.argv[1]?.endsWith('mesh-readiness')) {
  // A reader that stops early (`| head`) closes the pipe: what is left is
  // not written, and the exit status is still the gate's.
  process.stdout.on('error', error => {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  });
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
