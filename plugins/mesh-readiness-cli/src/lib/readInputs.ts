/*
 * Turns the paths a user gives into manifests: files, folders (walked for
 * .yaml, .yml and .json), or `-` for standard input.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  IgnoredObject,
  KubeObject,
  ObjectSource,
  parseManifests,
  ReportError,
} from '@mesh-readiness/plugin-mesh-readiness-common';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface Inputs {
  objects: KubeObject[];
  errors: ReportError[];
  /** Documents of kinds the rules do not read (ConfigMaps, CRDs, typos). */
  ignored: IgnoredObject[];
  /** Where each object was read from, for the locations of findings. */
  sources: Map<KubeObject, ObjectSource>;
  files: number;
}

/** Lists the manifest files under the given paths, in a stable order. */
export function listManifestFiles(
  paths: string[],
  errors: ReportError[],
): string[] {
  const files: string[] = [];
  const walk = (p: string, explicit: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      errors.push({
        file: p,
        message: `cannot read: ${
          (e as NodeJS.ErrnoException).code ?? (e as Error).message
        }`,
      });
      return;
    }
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = fs.readdirSync(p).sort();
      } catch (e) {
        errors.push({
          file: p,
          message: `cannot list folder: ${(e as NodeJS.ErrnoException).code}`,
        });
        return;
      }
      for (const entry of entries) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        walk(path.join(p, entry), false);
      }
    } else if (
      explicit ||
      MANIFEST_EXTENSIONS.has(path.extname(p).toLowerCase())
    ) {
      files.push(p);
    }
  };
  for (const p of paths) {
    if (p === '-') files.push('-');
    else walk(p, true);
  }
  return files;
}

/** Reads and parses every file; one bad file never stops the others. */
export async function readInputs(
  paths: string[],
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<Inputs> {
  const errors: ReportError[] = [];
  const files = listManifestFiles(paths, errors);
  const objects: KubeObject[] = [];
  const ignored: IgnoredObject[] = [];
  const sources = new Map<KubeObject, ObjectSource>();
  let done = 0;
  for (const file of files) {
    let text: string;
    try {
      text =
        file === '-'
          ? await readStdin()
          : await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      errors.push({
        file,
        message: `cannot read: ${
          (e as NodeJS.ErrnoException).code ?? (e as Error).message
        }`,
      });
      continue;
    }
    const name = file === '-' ? '<stdin>' : file;
    if (text.includes('\u0000')) {
      errors.push({
        file: name,
        message: 'not a text file (it contains NUL bytes)',
      });
    } else {
      const parsed = parseManifests(text, name, { sources });
      for (const o of parsed.objects) objects.push(o);
      errors.push(...parsed.errors);
      ignored.push(...parsed.ignored);
    }
    done++;
    onProgress?.(done, files.length, name);
  }
  return { objects, errors, ignored, sources, files: files.length };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
