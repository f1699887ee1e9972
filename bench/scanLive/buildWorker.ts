/*
 * The scan worker as a deployment runs its code: compiled ahead of time
 * into plain JavaScript (esbuild, as `backstage-cli package build` compiles
 * the backend's packages) and started with plain `node` and
 * NODE_ENV=production, not through the TypeScript transform, which keeps
 * every module's source, its compiled output and a source map in memory
 * (about a third of the process's memory before a scan).
 *
 * Our workspace packages and the worker's own files are compiled into one
 * file; everything from the registry (Backstage, the Kubernetes plugin,
 * knex, better-sqlite3) stays external and is loaded from node_modules, as
 * in a deployed image. The file goes under node_modules/.cache so that
 * those packages resolve from there.
 */
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
export const BUILT_WORKER = path.join(
  root,
  'node_modules/.cache/mesh-readiness-bench/scanWorker.cjs',
);

export async function buildScanWorker(): Promise<string> {
  await build({
    entryPoints: [path.join(__dirname, 'scanWorker.ts')],
    outfile: BUILT_WORKER,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'warning',
    plugins: [
      {
        name: 'registry-packages-external',
        setup(b) {
          // A bare import that is not one of ours comes from node_modules at run time.
          b.onResolve({ filter: /^[^./]/ }, args =>
            args.path.startsWith('@mesh-readiness/')
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return BUILT_WORKER;
}
