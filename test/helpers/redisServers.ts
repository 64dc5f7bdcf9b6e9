/**
 * Real Redis servers on free loopback ports, started from the machine's `redis-server`
 * (REDIS_SERVER_BIN; `.ci/run` installs it): one node, optionally with TLS and an ACL user; a
 * Redis Cluster of 3 primaries + 3 replicas; a Sentinel set (1 primary, 1 replica, 3
 * sentinels). Every wait is bounded; every process is killed by `stop()` and, whatever
 * happens, when the test process exits.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function run(file: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout),
    ),
  );
}

/** Why `redis-server` cannot be used here ('' when it can): Redis 7+ (cluster-port, ACL users). A build without TLS fails test/redis/tls.test.ts with redis-server's own message. */
export function redisServerProblem(): string {
  const version = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8', timeout: 5_000 });
  if (version.error || version.status !== 0) return `${REDIS_SERVER} is not usable: ${version.error?.message ?? version.stderr}`;
  if (!/v=([7-9]|\d{2,})\./.test(version.stdout)) return `Redis 7+ needed, found ${version.stdout.trim()}`;
  return '';
}

/** A short-lived admin connection to one node. */
export async function withNode<T>(port: number, work: (redis: Redis) => Promise<T>, options: RedisOptions = {}): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    ...options,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export const info = (redis: Redis, section: string) =>
  redis
    .info(section)
    .then((text) => Object.fromEntries(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : []))));

/** One redis-server process; `start()` again after `kill()` restarts it with the same arguments and directory. */
export class RedisNode {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly port: number,
    private readonly args: string[],
    readonly dir: string,
    /** How the node is pinged (TLS and credentials, when it needs them). */
    readonly clientOptions: RedisOptions = {},
  ) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(extraArgs: string[] = []): Promise<void> {
    const child = spawn(REDIS_SERVER, [...this.args, ...extraArgs], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output = (this.output + chunk).slice(-4_000)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output = (this.output + chunk).slice(-4_000)));
    await waitFor(`redis-server on port ${this.port} to answer PING`, async () => {
      if (!this.alive) throw new Error(`redis-server on port ${this.port} exited: ${this.output.slice(-600)}`);
      return (await withNode(this.port, (r) => r.ping(), this.clientOptions)) === 'PONG';
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await Promise.race([exited, sleep(5_000)]);
  }

  /** SIGSTOP / SIGCONT: the node stops answering without closing its connections. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }
  resume(): void {
    this.child?.kill('SIGCONT');
  }
}

export function tempDir(name: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `horizon-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// No persistence; replicas sync at once (the default waits 5 s to batch diskless syncs).
export const baseArgs = (port: number) => [
  ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
  ...['--repl-diskless-sync-delay', '0'],
];

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl into `dir`. */
export async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const path = (name: string) => join(dir, name);
  const openssl = (args: string[]) => run('openssl', args);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=horizon-test-ca',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  ]);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path('server.key'), '-out', path('server.csr')]);
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.crt'),
  ]);
  readFileSync(path('server.crt'));
  return { ca: path('ca.crt'), cert: path('server.crt'), key: path('server.key') };
}
