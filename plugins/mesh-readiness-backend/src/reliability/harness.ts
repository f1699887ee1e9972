/*
 * What the reliability suite runs on: the app's real backend
 * (packages/backend, every plugin a deployment has) started as its own
 * process on a shared PostgreSQL, a TCP relay in front of the real API
 * server that can be told to hang or refuse, and a way to read every row
 * the plugin stored.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  KubeObject,
  parseManifests,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { adminClient } from '../cluster/adminClient';

const REPO = resolvePackagePath(
  '@mesh-readiness/plugin-mesh-readiness-backend',
  '../..',
);
const BACKEND = path.join(REPO, 'packages/backend');

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

/** Polls until the check returns a value, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  seconds: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && (value as unknown) !== false)
        return value;
    } catch (e) {
      last = e;
    }
    await sleep(500);
  }
  throw new Error(
    `waited ${seconds} s for ${what}${last ? `; last error: ${last}` : ''}`,
  );
}

/** Every response body the suite read, to be searched for secrets. */
export const responses: string[] = [];

/**
 * One backend process, configured like a deployment: app-config.yaml plus
 * the given config on top. Its output is kept in a file, to be searched.
 */
export class Replica {
  private child?: ChildProcess;
  readonly baseUrl: string;
  readonly logFile: string;
  private token?: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly configFile: string,
    dir: string,
    /** The backend's entry, in packages/backend: the deployed one unless a test needs another. */
    private readonly entry = 'src/index.ts',
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.logFile = path.join(dir, `${name}.log`);
  }

  /** Starts the backend's process, its output going to `out`. */
  protected spawnBackend(out: number): ChildProcess {
    return spawn(
      process.execPath,
      [
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        this.entry,
        '--config',
        path.join(REPO, 'app-config.yaml'),
        '--config',
        this.configFile,
      ],
      {
        cwd: BACKEND,
        // The guest sign-in of the demo is for development, as `yarn start` runs it.
        env: { ...process.env, NODE_ENV: 'development', NODE_OPTIONS: '' },
        stdio: ['ignore', out, out],
      },
    );
  }

  async start(): Promise<void> {
    const out = fs.openSync(this.logFile, 'a');
    this.child = this.spawnBackend(out);
    fs.closeSync(out);
    const child = this.child;
    await waitFor(`${this.name} to answer`, 120, async () => {
      if (child.exitCode !== null)
        throw new Error(
          `${this.name} exited with ${child.exitCode}: ${this.log().slice(
            -2000,
          )}`,
        );
      const res = await fetch(
        `${this.baseUrl}/.backstage/health/v1/readiness`,
        { signal: AbortSignal.timeout(2000) },
      );
      return res.ok || undefined;
    });
    this.token = undefined;
  }

  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null
      ? child.pid
      : undefined;
  }

  /** Stops the process at once, as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Sends the process a signal and waits for it to exit; killed if it has not within `graceMs`. */
  protected async signal(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill(signal);
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      return;
    }
    await exited;
  }

  log(): string {
    return fs.existsSync(this.logFile)
      ? fs.readFileSync(this.logFile, 'utf8')
      : '';
  }

  /** A signed-in guest's token, as the demo's frontend gets it. */
  async signIn(): Promise<string> {
    if (!this.token) {
      const res = await fetch(`${this.baseUrl}/api/auth/guest/refresh`);
      const body: any = await res.json();
      if (!body.backstageIdentity?.token)
        throw new Error(`${this.name}: guest sign-in failed: ${res.status}`);
      this.token = body.backstageIdentity.token;
    }
    return this.token!;
  }

  /** GET (or POST) from the plugin's API as the signed-in guest; the raw text is kept for the secret search. */
  async get(
    apiPath: string,
    method: 'GET' | 'POST' = 'GET',
  ): Promise<{ status: number; body: any; text: string }> {
    const res = await fetch(`${this.baseUrl}/api/mesh-readiness${apiPath}`, {
      method,
      headers: { Authorization: `Bearer ${await this.signIn()}` },
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    responses.push(text);
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      text,
    };
  }
}

/**
 * A TCP relay to the API server: `pass` relays, `hang` accepts and never
 * answers, `refuse` stops listening so connections are refused. With
 * `delayMs`, every chunk the API server sends arrives that much later, as
 * over a slow link: a cluster that takes a while to read.
 */
export class Relay {
  private server = net.createServer(socket => this.accept(socket));
  private sockets = new Set<net.Socket>();
  private mode: 'pass' | 'hang' | 'refuse' = 'pass';
  port = 0;

  constructor(private readonly target: URL, private readonly delayMs = 0) {}

  async listen(port = 0): Promise<void> {
    this.server = net.createServer(socket => this.accept(socket));
    await new Promise<void>(r => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async set(mode: 'pass' | 'hang' | 'refuse'): Promise<void> {
    if (mode === this.mode) return;
    // Connections kept alive from before must not bypass the new mode.
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (mode === 'refuse') await new Promise(r => this.server.close(r));
    if (this.mode === 'refuse') await this.listen(this.port);
    this.mode = mode;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.mode !== 'refuse') await new Promise(r => this.server.close(r));
  }

  private accept(socket: net.Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (this.mode !== 'pass') return; // hang: read nothing, answer nothing
    const upstream = net.connect(
      Number(this.target.port),
      this.target.hostname,
    );
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream);
    if (!this.delayMs) {
      upstream.pipe(socket);
      return;
    }
    // Chunks keep their order: each leaves delayMs after it came, queued behind the one before.
    let last = Promise.resolve();
    upstream.on('data', chunk => {
      last = last
        .then(() => sleep(this.delayMs))
        .then(() => {
          if (!socket.destroyed) socket.write(chunk);
        });
    });
    upstream.on('end', () => {
      last = last.then(() => {
        socket.end();
      });
    });
  }
}

/** The plugin's own database on the shared server, as the backend names it. */
export function pluginDatabase(serverUrl: string, prefix: string): Knex {
  return databaseOn(serverUrl, `${prefix}mesh-readiness`);
}

/** A database on the shared server, by name. */
export function databaseOn(serverUrl: string, name: string): Knex {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 0, max: 2 },
  });
}

/** Every row of every table in a database, as text. */
export async function dumpTables(db: Knex): Promise<string> {
  const tables = await db('pg_tables')
    .select('tablename')
    .where('schemaname', 'public');
  const parts: string[] = [];
  for (const { tablename } of tables) {
    parts.push(JSON.stringify(await db(tablename).select()));
  }
  return parts.join('\n');
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mr-reliability-'));
}

/** Removes a suite's folder (configs, backend logs), unless MR_RELIABILITY_KEEP asks to keep it for a post-mortem. */
export function removeTempDir(dir: string) {
  if (process.env.MR_RELIABILITY_KEEP) {
    process.stderr.write(`reliability: kept ${dir}\n`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export const repoPath = (...parts: string[]) => path.join(REPO, ...parts);

/**
 * A backend's config on loopback: its port, the shared PostgreSQL (each
 * suite's databases under their own prefix), the demo catalog, and the
 * suite's own settings on top.
 */
export function backendConfig(
  port: number,
  postgresUrl: string,
  prefix: string,
  rest: Record<string, unknown>,
) {
  return {
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { port, host: '127.0.0.1' },
      database: { client: 'pg', connection: postgresUrl, prefix },
    },
    catalog: {
      locations: [
        { type: 'file', target: repoPath('examples/mesh-demo/catalog.yaml') },
        {
          type: 'file',
          target: repoPath('examples/mesh-demo/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
      ],
    },
    ...rest,
  };
}

/** The demo's manifests, applied to the real API server with the admin token (those already there are left). */
export async function applyDemo() {
  const client = adminClient();
  const dir = repoPath('examples/mesh-demo/cluster');
  const objects: KubeObject[] = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(
      f =>
        parseManifests(fs.readFileSync(path.join(dir, f), 'utf8'), f).objects,
    );
  for (const o of [
    ...objects.filter(x => x.kind === 'Namespace'),
    ...objects.filter(x => x.kind !== 'Namespace'),
  ]) {
    await client.create(o as any).catch((e: any) => {
      if (e?.code !== 409) throw e; // already there from another suite
    });
  }
}

/** The Kubernetes plugin's config for these clusters: its `config` locator, service-account tokens, the test API server's CA. */
export function kubernetesConfig(
  clusters: Array<{ name: string; url: string; token: string }>,
) {
  return {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: clusters.map(c => ({
          name: c.name,
          url: c.url,
          authProvider: 'serviceAccount',
          serviceAccountToken: c.token,
          caData: process.env.MR_KUBE_CA_DATA,
        })),
      },
    ],
  };
}
