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
  HELM_CHART_FILE,
  KubeObject,
  mayHoldObjects,
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

/**
 * The manifest files under a folder. A Helm chart in it is not walked: its
 * templates are not manifests until rendered, and that is a problem to show.
 */
async function listFiles(
  dir: string,
  root: string,
  problems: string[],
): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  if (entries.some(e => e.name === HELM_CHART_FILE)) {
    problems.push(
      `${
        path.relative(root, dir) || '.'
      }: a Helm chart (it has a ${HELM_CHART_FILE}): its templates are not manifests until rendered; put what helm template renders in the folder instead`,
    );
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      files.push(...(await listFiles(full, root, problems)));
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
    const problems: string[] = [];
    let files: string[];
    try {
      files = await listFiles(this.folder, this.folder, problems);
    } catch (e) {
      throw new Error(
        `cannot read manifest folder ${this.folder}: ${
          (e as NodeJS.ErrnoException).code ?? e
        }`,
      );
    }
    const objects: KubeObject[] = [];
    let documents = 0;
    for (const file of files) {
      const text = await fs.promises.readFile(file, 'utf8');
      // A values file or package.json beside the manifests holds no object.
      if (!mayHoldObjects(text)) continue;
      const parsed = parseManifests(text, path.relative(this.folder, file));
      for (const o of parsed.objects) objects.push(o);
      documents += parsed.documents;
      for (const e of parsed.errors)
        problems.push(`${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
    }
    if (documents === 0 && problems.length === 0) {
      // A mistyped path or a render not yet written: not an empty cluster.
      problems.push(
        `no Kubernetes object in ${files.length} ${
          files.length === 1 ? 'file' : 'files'
        } of the folder (${this.folder})`,
      );
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
