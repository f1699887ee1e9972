/*
 * The fixture format shared by the engine's tests and the `check` command's
 * tests (see src/rules/__fixtures__/README.md), pure: takes text; and, for
 * tests on Node only, the walk that finds every YAML file the repository
 * ships as fixtures, examples or demo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClusterEnvironment, FindingStatus, UnreadableKind } from './types';

export type {
  ClusterEnvironment,
  FindingStatus,
  UnreadableKind,
} from './types';

/** @public */
export interface FixtureExpectation {
  /** `Kind/namespace/name` */
  workload: string;
  status: FindingStatus;
  /** Text the finding's message must contain. */
  messageContains?: string;
}

/** @public */
export interface FixtureHeader {
  expectations: FixtureExpectation[];
  source: 'live' | 'manifests';
  environment?: ClusterEnvironment;
  /** Kinds the cluster would not let us read: `# unreadable: DaemonSet 403 forbidden` */
  unreadable?: UnreadableKind[];
}

const EXPECT =
  /^#\s*expect:\s*(\S+)\s+(pass|fail|warn|skip|unknown|waived)(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/;

/**
 * Reads the `# expect:`, `# source:` and `# env:` comment lines of a fixture.
 *
 * @public
 */
export function parseFixtureHeader(text: string): FixtureHeader {
  const header: FixtureHeader = { expectations: [], source: 'manifests' };
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) continue;
    const expect = line.match(EXPECT);
    if (expect) {
      header.expectations.push({
        workload: expect[1],
        status: expect[2] as FindingStatus,
        messageContains: expect[3]?.replace(/\\"/g, '"'),
      });
      continue;
    }
    if (/^#\s*expect:/.test(line))
      throw new Error(`Cannot read fixture line: ${line}`);
    const source = line.match(/^#\s*source:\s*(live|manifests)\s*$/);
    if (source) header.source = source[1] as 'live' | 'manifests';
    const env = line.match(/^#\s*env:\s*(\{.*\})\s*$/);
    if (env) header.environment = JSON.parse(env[1]);
    const unreadable = line.match(/^#\s*unreadable:\s*(\S+)\s+(.+)$/);
    if (unreadable)
      header.unreadable = [
        ...(header.unreadable ?? []),
        { kind: unreadable[1], reason: unreadable[2].trim() },
      ];
  }
  return header;
}

/**
 * Every YAML file under the repository's `plugins`, `packages` and
 * `examples` folders whose path names fixtures, examples or a demo: what
 * users write, for tests that compare two readings of the same text.
 * Node only (it reads the file system); sorted, so test names are stable.
 *
 * @public
 */
export function repositoryYamlFiles(repositoryRoot: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (
        entry.name.startsWith('.') ||
        entry.name === 'node_modules' ||
        entry.name === 'dist'
      )
        continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (
        /\.ya?ml$/.test(entry.name) &&
        /fixtures|examples|demo/.test(full)
      )
        found.push(full);
    }
  };
  for (const top of ['plugins', 'packages', 'examples']) {
    if (fs.existsSync(path.join(repositoryRoot, top)))
      walk(path.join(repositoryRoot, top));
  }
  return found.sort();
}
