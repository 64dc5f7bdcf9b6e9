/**
 * What `npm run bench` and `npm run soak` share: the emulator in this process (so the bench
 * can add players to its state directly), the subgraph's environment, a running count of the
 * calls the emulator serves, a GraphQL POST for single checked operations, and the health
 * check after the load generator's abrupt end.
 */
import { request } from 'undici';
import { startEmulator, type RequestLogEntry, type RunningEmulator } from '../../src/emulator/index.js';
import { loadConfig } from '../../src/config.js';
import type { BenchCaller } from './caller.js';
import { ensureBenchUsers } from './fixtures.js';
import { lastError, type Child } from './processes.js';
import { verifyAnswer, type Scenario } from './scenarios.js';

export async function startBenchEmulator(latencyMs: number): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', faults: { latencyMs } });
  ensureBenchUsers(emulator.state);
  return emulator;
}

/**
 * The subgraph's environment: production (no landing page, no introspection), the
 * emulator's credentials and URL as if it were graph.oculus.com, the bench's caller, and
 * everything else as `inherited` says (the caller's environment: defaults unless set).
 * Checked here so a bad value stops the run before anything starts.
 */
export function subgraphEnvironment(
  emulator: RunningEmulator,
  logLevel: string,
  caller: BenchCaller,
  inherited: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...caller.env,
    NODE_ENV: 'production',
    HORIZON_APP_ID: emulator.appId,
    HORIZON_APP_SECRET: emulator.appSecret,
    HORIZON_GRAPH_URL: emulator.url,
    LOG_LEVEL: logLevel,
  };
  loadConfig({ ...env, PORT: '0' });
  return env;
}

/** Settings where `env` differs from the defaults (`baseline`), secrets and URLs masked: shown with the results. */
export function configDifferences(env: NodeJS.ProcessEnv, baseline: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a !== null && typeof a === 'object' && !Array.isArray(a) && b !== null && typeof b === 'object' && !Array.isArray(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    out[path] = /secret|password|token|url/i.test(path) ? '(set)' : (JSON.stringify(a) ?? 'undefined');
  };
  walk(loadConfig({ ...env, PORT: '0' }), loadConfig({ ...baseline, PORT: '0' }), '');
  return out;
}

/**
 * Drains the emulator's request log as it goes (under load it would otherwise grow by
 * thousands of entries a second), counting calls and failed calls, and keeping the entries
 * only while an operation is being captured.
 */
export class UpstreamLog {
  calls = 0;
  errors = 0;
  private captured: RequestLogEntry[] | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly emulator: RunningEmulator) {
    this.timer = setInterval(() => this.drain(), 500);
  }

  drain(): void {
    const entries = [...this.emulator.requests];
    this.emulator.clearRequests();
    this.calls += entries.length;
    for (const entry of entries) if (entry.status < 200 || entry.status >= 300) this.errors++;
    this.captured?.push(...entries);
  }

  reset(): void {
    this.drain();
    this.calls = 0;
    this.errors = 0;
  }

  /** The calls `action` caused (nothing else may call the emulator meanwhile). */
  async capture<T>(action: () => Promise<T>): Promise<{ result: T; entries: RequestLogEntry[] }> {
    this.drain();
    this.captured = [];
    try {
      const result = await action();
      this.drain();
      return { result, entries: this.captured };
    } finally {
      this.captured = undefined;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export async function postGraphQL(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  const text = await response.body.text();
  try {
    return { status: response.statusCode, body: JSON.parse(text) };
  } catch {
    return { status: response.statusCode, body: text };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * autocannon has just closed its connections with operations in flight, as a gateway does
 * when its callers go away. A healthy subgraph answers the next operation; one that crashed,
 * or took its callers' cancellations for upstream failures and opened its circuit breaker,
 * does not. Null when it answered right, else what went wrong.
 */
export async function afterCancellation(
  child: Child,
  logFile: string,
  scenario: Scenario,
  body: string,
  headers: Record<string, string>,
): Promise<string | null> {
  await sleep(300);
  const died = child.exited();
  if (died) return `the process died (${died}): ${lastError(logFile) ?? 'no error printed'}`;
  try {
    const answer = await postGraphQL(child.url, body, headers);
    return verifyAnswer(scenario, answer.body) ?? null;
  } catch (error) {
    return `no answer: ${(error as Error).message}`;
  }
}
