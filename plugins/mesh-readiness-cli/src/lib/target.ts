/*
 * The target cluster for `check`: `--target FILE`, else the nearest
 * `.mesh-readiness.yaml` from the working directory upward.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  parseTargetProfile,
  ReportError,
  TargetProfile,
} from '@mesh-readiness/plugin-mesh-readiness-common';

export const TARGET_FILE_NAME = '.mesh-readiness.yaml';

export interface LoadedTarget {
  /** The file read, when one was found. */
  file?: string;
  profile?: TargetProfile;
  errors: ReportError[];
}

/** The nearest `.mesh-readiness.yaml` in `from` or a folder above it. */
export function findTargetFile(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, TARGET_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads the given target file, or the one found from `cwd`; no file at all is fine. */
export function loadTarget(
  explicit: string | undefined,
  cwd: string,
): LoadedTarget {
  const file = explicit ?? findTargetFile(cwd);
  if (!file) return { errors: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return {
      file,
      errors: [
        {
          file,
          message: `cannot read the target profile: ${
            (e as NodeJS.ErrnoException).code ?? (e as Error).message
          }`,
        },
      ],
    };
  }
  const parsed = parseTargetProfile(text, file);
  return { file, profile: parsed.profile, errors: parsed.errors };
}
