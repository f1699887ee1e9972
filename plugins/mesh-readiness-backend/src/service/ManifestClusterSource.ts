/*
 * A folder of YAML (kubectl or Helm output) read as a cluster. The demo
 * cluster is one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  applyTargetProfile,
  ClusterSnapshot,
  KubeObject,
  parseManifests,
  parseTargetProfile,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** The target profile a folder declares for itself, as the CLI reads it. */
export const TARGET_PROFILE_FILE = '.mesh-readiness.yaml';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Resolves a relative folder against the working directory, then its parents. */
export function resolveFolder(folder: string, from = process.cwd()): string {
  if (path.isAbsolute(folder)) return folder;
  let dir = from;
  for (;;) {
    const candidate = path.resolve(dir, folder);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, folder);
    dir = parent;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
      files.push(full);
  }
  return files;
}

/**
 * A folder of YAML manifests read as one cluster.
 *
 * @public
 */
export class ManifestClusterSource implements MeshReadinessClusterSource {
  constructor(
    readonly name: string,
    private readonly folder: string,
    private readonly environment: {
      istioCni?: boolean;
      ambient?: boolean;
    } = {},
    /** A target profile file; by default the folder's own `.mesh-readiness.yaml`, when it has one. */
    private readonly targetFile?: string,
  ) {}

  async readSnapshot(): Promise<ClusterSnapshot> {
    let files: string[];
    try {
      files = await listFiles(this.folder);
    } catch (e) {
      throw new Error(
        `cannot read manifest folder ${this.folder}: ${
          (e as NodeJS.ErrnoException).code ?? e
        }`,
      );
    }
    const objects: KubeObject[] = [];
    const problems: string[] = [];
    for (const file of files) {
      const parsed = parseManifests(
        await fs.promises.readFile(file, 'utf8'),
        path.relative(this.folder, file),
      );
      for (const o of parsed.objects) objects.push(o);
      for (const e of parsed.errors)
        problems.push(`${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    }
    const target =
      this.targetFile ?? path.join(this.folder, TARGET_PROFILE_FILE);
    let profile;
    try {
      const parsed = parseTargetProfile(
        await fs.promises.readFile(target, 'utf8'),
        path.basename(target),
      );
      profile = parsed.profile;
      for (const e of parsed.errors)
        problems.push(`${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    } catch (e) {
      // No profile file in the folder is fine: its facts stay unknown. A configured one must exist.
      if (this.targetFile || (e as NodeJS.ErrnoException).code !== 'ENOENT') {
        problems.push(
          `cannot read target profile ${target}: ${
            (e as NodeJS.ErrnoException).code ?? e
          }`,
        );
      }
    }
    // The config's istioCni and ambient win over the file's, as flags win in the CLI.
    const environment = Object.fromEntries(
      Object.entries(this.environment).filter(([, v]) => v !== undefined),
    );
    return applyTargetProfile(
      {
        cluster: this.name,
        source: 'manifests',
        objects,
        environment,
        // Documents that could not be read are reported, the rest is served.
        unreadable: problems.map(reason => ({ kind: 'Manifest', reason })),
      },
      profile,
    );
  }
}
