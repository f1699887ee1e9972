/*
 * The app's backend as a deployment runs it: built by `backstage-cli package
 * build` (packages/backend/dist/bundle.tar.gz, the archive the Dockerfile
 * unpacks), unpacked into a folder of its own and started with plain `node`
 * and NODE_ENV=production, no TypeScript transform.
 *
 * Dependencies: the Dockerfile runs `yarn workspaces focus --all
 * --production` in the unpacked folder. That installs the versions
 * yarn.lock pins, which are the ones already in the repo's node_modules, so
 * the cheapest faithful way is a hard-linked copy of the repo's
 * node_modules (`cp -al`: seconds, no disk). Its workspace links are
 * relative (`@mesh-readiness/plugin-mesh-readiness-backend ->
 * ../../plugins/mesh-readiness-backend`), so in the copy they point at the
 * unpacked, built packages, whose package.json names dist/ as main. The
 * only difference from a production install: devDependencies are there
 * too, and nothing the backend loads requires them.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  Replica,
  repoPath,
} from '../plugins/mesh-readiness-backend/src/reliability/harness';

const BUNDLE = repoPath('packages/backend/dist/bundle.tar.gz');

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed with ${
        result.status ?? result.signal
      }`,
    );
}

/** Builds the backend bundle (and the packages it holds), unless `reuse` and a bundle exists. */
export function buildBackendBundle(reuse: boolean): void {
  if (reuse && fs.existsSync(BUNDLE)) {
    console.log(
      `Reusing ${path.relative(repoPath(), BUNDLE)} (built ${fs
        .statSync(BUNDLE)
        .mtime.toISOString()})`,
    );
    return;
  }
  console.log('Building the backend bundle (backstage-cli package build)…');
  const started = Date.now();
  run(
    'yarn',
    ['backstage-cli', 'package', 'build'],
    repoPath('packages/backend'),
  );
  console.log(`Built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Unpacks the bundle into `dir` with the repo's dependencies beside it. */
export function unpackBackend(dir: string): void {
  run('tar', ['-xzf', BUNDLE, '-C', dir], dir);
  run(
    'cp',
    ['-al', repoPath('node_modules'), path.join(dir, 'node_modules')],
    dir,
  );
  const main = JSON.parse(
    fs.readFileSync(
      path.join(dir, 'plugins/mesh-readiness-backend/package.json'),
      'utf8',
    ),
  ).main;
  if (!String(main).startsWith('dist/'))
    throw new Error(`the unpacked plugin's main is ${main}, not its build`);
}

/**
 * One built backend process: app-config.yaml and the given config file, as
 * `node packages/backend --config …` in a container. `nodeArgs` go to node
 * (a CPU profile, say).
 */
export class ProductionReplica extends Replica {
  constructor(
    name: string,
    port: number,
    private readonly config: string,
    private readonly unpacked: string,
    private readonly nodeArgs: string[] = [],
  ) {
    super(name, port, config, unpacked);
  }

  protected spawnBackend(out: number) {
    return spawn(
      process.execPath,
      [
        ...this.nodeArgs,
        '.',
        '--config',
        repoPath('app-config.yaml'),
        '--config',
        this.config,
      ],
      {
        cwd: path.join(this.unpacked, 'packages/backend'),
        env: { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: '' },
        stdio: ['ignore', out, out],
      },
    );
  }

  /** Stops the process as a deployment does (SIGTERM), so that it writes what it writes on exit. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 60_000);
  }
}
