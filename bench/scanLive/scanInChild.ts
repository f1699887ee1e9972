/*
 * Runs bench/scanLive/scanWorker.ts in a child process: a scan of the named
 * clusters (each a `config` cluster of the Kubernetes plugin on the same API
 * server), with the memory of that process alone. The worker runs as built
 * code under plain node and NODE_ENV=production (buildWorker.ts), as a
 * deployed backend does.
 */
import { spawn } from 'node:child_process';
import type { ScanWorkerInput, ScanWorkerResult } from './scanWorker';
import { BUILT_WORKER } from './buildWorker';

export interface ScanInChildOptions {
  /** Extra node flags for the child, such as `--cpu-prof`. */
  nodeFlags?: string[];
  cwd?: string;
  /** Variables on top of this process's environment (which API server, say). */
  env?: Record<string, string>;
}

export function scanInChild(
  input: ScanWorkerInput,
  options: ScanInChildOptions = {},
): Promise<ScanWorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(options.nodeFlags ?? []),
        '--expose-gc',
        BUILT_WORKER,
        JSON.stringify(input),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: options.cwd,
        env: {
          ...process.env,
          ...options.env,
          NODE_ENV: 'production',
          NODE_OPTIONS: '',
          NODE_NO_WARNINGS: '1',
        },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('error', reject);
    child.on('exit', code => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(
            `the scan worker exited with ${code}:\n${err.slice(-3000)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(last));
    });
  });
}
