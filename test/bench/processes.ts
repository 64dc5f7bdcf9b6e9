/**
 * The processes under test and how they are measured. Each target (the subgraph, the HTTP
 * floor, the GraphQL ceiling) runs in its own child process so its CPU time and memory are
 * its own, read from /proc by the bench process, which hosts only the emulator and load
 * generator.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { PRODUCTION_NODE_OPTIONS } from '../../src/nodeOptions.js';

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat CPU times (100 nearly everywhere). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time the process has used so far, in milliseconds (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

/** Resident memory now and its peak over the process's life (VmHWM), in bytes. */
export function memory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Child {
  pid: number;
  url: string;
  /** How the process ended if it did (e.g. `exit code 1`), else undefined. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/**
 * The subgraph as production runs it: `node dist/main.js` with production's NODE_OPTIONS and `env` (NODE_ENV=production:
 * no landing page, no introspection; the emulator's credentials and URL as if it were
 * graph.oculus.com), on a free loopback port. Its logs go to `logFile`.
 */
export async function startSubgraphProcess(options: { root: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<Child> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  // BENCH_SUBGRAPH_NODE_ARGS: extra node flags for the subgraph only, e.g. `--cpu-prof` to profile it.
  const nodeArgs = (process.env.BENCH_SUBGRAPH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(options.root, 'dist', 'main.js')], {
    cwd: options.root,
    // Production's heap settings (the Dockerfile's NODE_OPTIONS), whatever the bench's own are.
    env: { ...options.env, NODE_OPTIONS: PRODUCTION_NODE_OPTIONS, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForGraphQL(url, child, options.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid!,
    url,
    exited: () => (child.signalCode !== null ? `signal ${child.signalCode}` : child.exitCode !== null ? `exit code ${child.exitCode}` : undefined),
    stop: () => stopChild(child),
  };
}

/** The last lines of a log file (a crash is the last thing a process prints). */
function tailLines(logFile: string): string[] {
  const fd = openSync(logFile, 'r');
  const size = fstatSync(fd).size;
  const tail = Buffer.alloc(Math.min(size, 64 * 1024));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  closeSync(fd);
  return tail
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The error an exited Node process printed last (its crash), from its log file. */
export function lastError(logFile: string): string | undefined {
  const lines = tailLines(logFile);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^\w*(Error|Exception)\b.*:/.test(lines[i]!)) return lines[i]!.trim();
  }
  return lines.at(-1)?.trim();
}

/** Polls with `{ __typename }` (allowed in production, makes no upstream call) until it answers. */
async function waitForGraphQL(url: string, child: ChildProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `the subgraph exited with code ${child.exitCode} before answering${logFile ? `: ${lastError(logFile) ?? 'nothing printed'} (log: ${logFile})` : ''}`,
      );
    try {
      const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      const text = await response.body.text();
      if (response.statusCode === 200 && text.includes('"__typename"')) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 20 s${logFile ? `; see ${logFile}` : ''}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A bench helper process (HTTP floor, GraphQL ceiling) driven by request/reply messages over IPC. */
export interface Helper {
  pid: number;
  call<T>(method: string, params?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface HelperMessage {
  id: number;
  method: string;
  params: unknown;
}

export type HelperReply = { id: number; result: unknown } | { id: number; error: string };

export function startHelper(script: string): Helper {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (reply: HelperReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.result);
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited (${signal ?? code})`));
    pending.clear();
  });
  return {
    pid: child.pid!,
    call<T>(method: string, params?: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, method, params } satisfies HelperMessage);
      });
    },
    stop: () => stopChild(child),
  };
}

/** The helper side: answers the parent's calls with `handlers`, and exits when the parent goes. */
export function serveHelper(handlers: Record<string, (params: any) => Promise<unknown>>): void {
  process.on('message', (message: HelperMessage) => {
    const handler = handlers[message.method];
    const reply = (body: HelperReply) => process.send?.(body);
    if (!handler) {
      reply({ id: message.id, error: `unknown method ${message.method}` });
      return;
    }
    handler(message.params).then(
      (result) => reply({ id: message.id, result }),
      (error: unknown) => reply({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
