/**
 * The built app as a process (`node main.js`, as the container runs it): configuration
 * errors exit 1 with one message each; SIGTERM finishes operations in flight, refuses new
 * connections and exits 0 within SHUTDOWN_GRACE_MS; OTEL_TRACES_EXPORTER turns tracing on.
 *
 * Built once into a private directory (not dist/, which other tools build and run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { PLAYER } from './helpers.js';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'horizon-observability-test');
const MAIN = join(OUT, 'main.js');

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  // Type errors elsewhere in the tree must not stop this test: tsc emits anyway.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'src'), '--outDir', OUT], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (!existsSync(MAIN)) throw new Error(`build failed: ${MAIN} missing`);
}, 120_000);

interface Child {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** JSON log lines written so far. */
  logs(): Array<Record<string, any>>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function run(env: Record<string, string>): Child {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', APOLLO_TELEMETRY_DISABLED: 'true' };
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    process: child,
    stdout,
    stderr,
    exited,
    logs: () =>
      stdout
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>),
  };
}

async function started(child: Child, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = child.logs().find((l) => l.msg === 'started');
    if (line) return line.url as string;
    if (child.process.exitCode !== null) throw new Error(`exited ${child.process.exitCode}: ${child.stderr.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`did not start: ${child.stdout.join('')} ${child.stderr.join('')}`);
}

function connectionRefused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const DEMO = { PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'info', AUTH_MODE: 'none' };
const SLOW_QUERY = JSON.stringify({ query: `query Slow { user(id: "${PLAYER}") { displayName } }` });

test('bad settings: exit code 1, one clear message per bad value, no secret echoed', async () => {
  const child = run({
    PORT: 'eighty',
    LOG_LEVEL: 'loud',
    SHUTDOWN_GRACE_MS: '-5',
    METRICS_ENABLED: 'maybe',
    READINESS_UPSTREAM_MAX_AGE_MS: '10',
    OTEL_TRACES_EXPORTER: 'jaeger',
    HORIZON_APP_ID: 'not-a-number',
    HORIZON_APP_SECRET: 'very secret value',
  });
  const { code } = await child.exited;
  expect(code).toBe(1);
  const stderr = child.stderr.join('');
  const messages = stderr.split('\n').filter((line) => line.startsWith('  - '));
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringContaining('PORT must be a whole number from 0 to 65535 (got "eighty")'),
      expect.stringContaining('LOG_LEVEL must be one of'),
      expect.stringContaining('SHUTDOWN_GRACE_MS must be a whole number'),
      expect.stringContaining('METRICS_ENABLED must be true or false (got "maybe")'),
      expect.stringContaining('READINESS_UPSTREAM_MAX_AGE_MS must be a whole number'),
      expect.stringContaining('OTEL_TRACES_EXPORTER entries must be one of otlp, console, zipkin, none (got "jaeger")'),
      expect.stringContaining('HORIZON_APP_ID must be the numeric app id'),
      expect.stringContaining('HORIZON_APP_SECRET must not contain spaces'),
    ]),
  );
  expect(messages).toHaveLength(8);
  expect(stderr).toMatch(/^Invalid configuration:/);
  expect(stderr).not.toContain('very secret value');
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test.each([
  [
    'REDIS_URL',
    (port: number) => ({ REDIS_URL: `redis://127.0.0.1:${port}` }),
    /^horizon-subgraph failed to start: Cannot reach Redis at REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\): .*ECONNREFUSED/,
  ],
  [
    'REDIS_CLUSTER_NODES',
    (port: number) => ({ REDIS_CLUSTER_NODES: `127.0.0.1:${port}` }),
    /^horizon-subgraph failed to start: Cannot reach the Redis Cluster at REDIS_CLUSTER_NODES \(127\.0\.0\.1:\d+\): /,
  ],
  [
    'REDIS_SENTINELS',
    (port: number) => ({ REDIS_SENTINELS: `127.0.0.1:${port}`, REDIS_SENTINEL_MASTER: 'main' }),
    /^horizon-subgraph failed to start: Cannot reach the Redis primary "main" through REDIS_SENTINELS \(127\.0\.0\.1:\d+\): /,
  ],
])(
  'an unreachable Redis (%s): exit 1 with exactly one line, ours, nothing from the Redis client',
  async (_name, env, message) => {
    const child = run({ ...DEMO, ...env(await closedPort()) });
    const { code } = await child.exited;
    expect(code).toBe(1);
    const lines = [...child.stdout, ...child.stderr]
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toEqual([expect.stringMatching(message)]);
  },
  30_000,
);

test('SIGTERM: the operation in flight completes with 200, new connections are refused, exit 0 within the grace period', async () => {
  const graceMs = 6_000;
  const child = run({ ...DEMO, EMULATOR_LATENCY_MS: '1500', SHUTDOWN_GRACE_MS: String(graceMs) });
  const url = await started(child);
  const port = Number(new URL(url).port);
  expect(await connectionRefused(port)).toBe('connected');

  const slow = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SLOW_QUERY });
  await new Promise((resolve) => setTimeout(resolve, 400)); // the upstream call is under way
  const signalledAt = Date.now();
  child.process.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await connectionRefused(port)).toBe('ECONNREFUSED');

  const response = await slow;
  expect(response.statusCode).toBe(200);
  expect(((await response.body.json()) as any).data.user.displayName).toBe('Nova Rider');
  const { code, signal, at } = await child.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(at - signalledAt).toBeLessThan(graceMs);
  const logs = child.logs();
  expect(logs.find((l) => l.msg === 'operation')).toMatchObject({ operationName: 'Slow', upstreamCalls: 1, errors: [] });
  expect(logs.find((l) => l.msg?.startsWith('stopping'))).toMatchObject({ signal: 'SIGTERM', graceMs });
  expect(logs.find((l) => l.msg === 'stopped')).toBeDefined();
}, 30_000);

test('an operation outlasting the grace period is cut off, and the process still exits 0 promptly', async () => {
  const graceMs = 500;
  const child = run({ ...DEMO, EMULATOR_LATENCY_MS: '4000', SHUTDOWN_GRACE_MS: String(graceMs) });
  const url = await started(child);
  const slow = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SLOW_QUERY }).then(
    (r) => r.statusCode,
    (error: Error & { code?: string }) => error.code ?? error.message,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signalledAt = Date.now();
  child.process.kill('SIGTERM');
  expect(await slow).toBe('UND_ERR_SOCKET');
  const { code, at } = await child.exited;
  expect(code).toBe(0);
  expect(at - signalledAt).toBeGreaterThanOrEqual(graceMs - 50);
  expect(at - signalledAt).toBeLessThan(graceMs + 3_000);
}, 30_000);

test("OTEL_TRACES_EXPORTER=console: spans of the operation and its upstream calls, in the router's trace", async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const child = run({ ...DEMO, OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'horizon-subgraph-test' });
  const url = await started(child);
  expect(child.logs().find((l) => l.msg === 'started')).toMatchObject({ tracing: true });
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    body: SLOW_QUERY,
  });
  expect(response.statusCode).toBe(200);
  await response.body.dump();
  child.process.kill('SIGTERM');
  expect((await child.exited).code).toBe(0);
  const out = child.stdout.join('');
  // The console exporter prints each span: the operation, its upstream attempt, the http server span.
  for (const name of ["name: 'query Slow'", "name: 'GET /{user_id}'", "name: 'POST'"]) expect(out).toContain(name);
  expect(out.match(new RegExp(`traceId: '${traceId}'`, 'g'))!.length).toBeGreaterThanOrEqual(3);
  expect(out).toContain("'service.name': 'horizon-subgraph-test'");
}, 30_000);
