/** Shared by the observability tests: the whole app in-process with its log lines captured. */
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';

export interface LogCapture {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: Array<Record<string, any>>;
  /** Every line written so far, as written. */
  raw: string[];
}

/** A pino logger writing to memory, with the production redaction and serializers. */
export function captureLogs(level = 'info'): LogCapture {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    raw,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, any>);
    },
  };
}

/** `npm start`'s app in demo mode on free ports, with `env` on top; no caller authentication (not what is tested here). */
export async function startDemoApp(env: Record<string, string> = {}, logger?: Logger): Promise<RunningApp> {
  return startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', AUTH_MODE: 'none', ...env }), logger ?? createLogger({ level: 'silent' }));
}

export async function post(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as any };
}

export async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** A sample value from Prometheus text, e.g. `metric('x_total', { a: 'b' })`; undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

export const PLAYER = '3559884437424131';
