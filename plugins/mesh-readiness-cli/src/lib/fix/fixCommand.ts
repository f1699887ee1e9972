/*
 * `mesh-readiness fix PATH...`: its flags. What it does is in ./command.
 */
import type { Command } from 'commander';
import { FIXABLE_RULES } from './fixable';
import type runFixType from './command';

export interface FixFlags {
  write?: boolean;
  rules?: string;
  /** A file, false for --no-target, undefined to look for .mesh-readiness.yaml. */
  target?: string | false;
}

export function addFixCommand(
  program: Command,
  exit: (code: number) => void,
): void {
  program
    .command('fix')
    .description(
      `Fixes what can be fixed without guessing (${FIXABLE_RULES.join(
        ', ',
      )}). Prints a unified diff, or with --write edits the files. Comments, key order and quoting stay, and running it twice changes nothing.`,
    )
    .argument('<path...>', 'files or folders, as for check')
    .option('--write', 'edit the files')
    .option('--rules <ids>', "only these rules' fixes (comma-separated)")
    .option(
      '--target <file>',
      'the target profile, as for check (default: the nearest .mesh-readiness.yaml)',
    )
    .option('--no-target', 'read no target profile')
    .action(async (paths: string[], flags: FixFlags) =>
      exit(await (await loadRunFix())(paths, flags)),
    );
}

/**
 * The implementation, loaded when `fix` runs, so `check` never loads the diff
 * library. Built, `import()` of a CommonJS module gives its exports as
 * `default`; through the TypeScript transform, `default` is the module's
 * namespace (Backstage's own CLI unwraps its command loaders the same way).
 */
async function loadRunFix(): Promise<typeof runFixType> {
  const mod: { default: unknown } = await import('./command');
  const first = mod.default as
    | { default?: typeof runFixType }
    | typeof runFixType;
  return typeof first === 'function' ? first : first.default!;
}
