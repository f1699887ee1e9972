/*
 * Turns the paths a user gives into manifests: files, folders (walked for
 * .yaml, .yml and .json), or `-` for standard input.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  HELM_CHART_FILE,
  IgnoredObject,
  KubeObject,
  mayHoldObjects,
  ObjectSource,
  parseManifests,
  ReportError,
} from '@mesh-readiness/plugin-mesh-readiness-common';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A manifest file to read, and whether the user named it or a folder walk found it. */
export interface ManifestFile {
  path: string;
  /** Found in a folder the user named, rather than named itself (or `-`). */
  found: boolean;
  /** For a file found in a folder: the folder the user named. */
  folder?: string;
}

export interface Inputs {
  objects: KubeObject[];
  errors: ReportError[];
  /** Documents of kinds the rules do not read (ConfigMaps, CRDs, typos). */
  ignored: IgnoredObject[];
  /** Where each object was read from, for the locations of findings. */
  sources: Map<KubeObject, ObjectSource>;
  /** Files read for objects: those found that hold none are not counted. */
  files: number;
  /** Files found in folders that hold no Kubernetes object (no `kind` or `apiVersion` key). */
  notManifests: string[];
}

/**
 * Lists the manifest files under the given paths, in a stable order. A
 * folder that is a Helm chart is not walked: its templates are not
 * manifests until Helm renders them, so it is an input error that says so.
 */
export function listManifestFiles(
  paths: string[],
  errors: ReportError[],
): ManifestFile[] {
  const files: ManifestFile[] = [];
  // Each file and folder is read once, however many paths lead to it: a
  // symbolic link to a parent folder would otherwise be walked until ELOOP.
  const seen = new Set<string>();
  /** Whether the path gave a file to read, an error, or one already seen. */
  const walk = (p: string, folder?: string): boolean => {
    const explicit = folder === undefined;
    let stat: fs.Stats;
    let real: string;
    try {
      stat = fs.statSync(p);
      real = fs.realpathSync(p);
    } catch (e) {
      errors.push({
        file: p,
        message: `cannot read: ${
          (e as NodeJS.ErrnoException).code ?? (e as Error).message
        }`,
      });
      return true;
    }
    if (seen.has(real)) return true;
    seen.add(real);
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = fs.readdirSync(p).sort();
      } catch (e) {
        errors.push({
          file: p,
          message: `cannot list folder: ${(e as NodeJS.ErrnoException).code}`,
        });
        return true;
      }
      if (entries.includes(HELM_CHART_FILE)) {
        errors.push({
          file: p,
          message: `a Helm chart (it has a ${HELM_CHART_FILE}): its templates are not manifests until rendered; check what it renders instead: helm template NAME ${p} | mesh-readiness check -`,
        });
        return true;
      }
      let gave = false;
      for (const entry of entries) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        if (walk(path.join(p, entry), folder ?? p)) gave = true;
      }
      if (explicit && !gave) {
        errors.push({
          file: p,
          message:
            'no .yaml, .yml or .json file in this folder, so nothing was checked',
        });
      }
      return gave;
    }
    if (explicit) {
      files.push({ path: p, found: false });
      return true;
    }
    if (MANIFEST_EXTENSIONS.has(path.extname(p).toLowerCase())) {
      files.push({ path: p, found: true, folder });
      return true;
    }
    return false;
  };
  for (const p of paths) {
    if (p === '-') files.push({ path: '-', found: false });
    else walk(p);
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
  const notManifests: string[] = [];
  let done = 0;
  for (const { path: file, found } of files) {
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
    } else if (found && !mayHoldObjects(text)) {
      notManifests.push(name);
    } else {
      const parsed = parseManifests(text, name, { sources });
      for (const o of parsed.objects) objects.push(o);
      errors.push(...parsed.errors);
      ignored.push(...parsed.ignored);
      if (!found && parsed.documents === 0 && parsed.errors.length === 0) {
        // Nothing at all, or only comments: a gate must not pass on it.
        errors.push({
          file: name,
          message:
            file === '-'
              ? 'standard input holds no Kubernetes object, so nothing was checked (did the command writing it fail?)'
              : 'holds no Kubernetes object, so nothing was checked',
        });
      }
    }
    done++;
    onProgress?.(done, files.length, name);
  }
  errors.push(...foldersWithoutObjects(files, notManifests));
  return {
    objects,
    errors,
    ignored,
    sources,
    files: files.length - notManifests.length,
    notManifests,
  };
}

/** A folder the user named in which every file found was passed over. */
function foldersWithoutObjects(
  files: ManifestFile[],
  notManifests: string[],
): ReportError[] {
  const passedOver = new Set(notManifests);
  const folders = new Map<string, { read: boolean; passedOver: number }>();
  for (const { path: file, folder } of files) {
    if (folder === undefined) continue;
    const seen = folders.get(folder) ?? { read: false, passedOver: 0 };
    if (passedOver.has(file)) seen.passedOver++;
    else seen.read = true;
    folders.set(folder, seen);
  }
  return [...folders]
    .filter(([, seen]) => !seen.read)
    .map(([folder, seen]) => ({
      file: folder,
      message: `no Kubernetes object in this folder, so nothing was checked (${
        seen.passedOver
      } ${
        seen.passedOver === 1 ? 'file' : 'files'
      } passed over: no kind or apiVersion key)`,
    }));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
