/*
 * Runs bench/scanLive/scanWorker.ts in a child process: a scan of the named
 * clusters (each a `config` cluster of the Kubernetes plugin on the same API
 * server), with the memory of that process alone.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ScanWorkerInput, ScanWorkerResult } from './scanWorker';

export interface ScanInChildOptions {
  /** Extra node flags for the child, such as `--cpu-prof`. */
  nodeFlags?: string[];
  cwd?: string;
}

export function scanInChild(input: ScanWorkerInput, options: ScanInChildOptions = {}): Promise<ScanWorkerResult> {
  const worker = path.resolve(__dirname, 'scanWorker.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--expose-gc', '-r', '@backstage/cli/config/nodeTransform.cjs', worker, JSON.stringify(input)],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('error', reject);
    child.on('exit', code => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`the scan worker exited with ${code}:\n${err.slice(-3000)}`));
        return;
      }
      resolve(JSON.parse(last));
    });
  });
}
