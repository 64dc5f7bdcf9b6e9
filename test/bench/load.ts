/**
 * The load generator: autocannon against one GraphQL endpoint on loopback, closed loop
 * (`connections` operations in flight), for warm-up + measured seconds in ONE run, so the
 * measured window never follows a fresh start or a teardown. Operations cycle through the
 * given request bodies. An operation counts only if it answered 2xx without `errors`; its
 * latency is autocannon's own per-request timing, kept unbucketed.
 *
 * autocannon ends a run by closing its connections with operations still in flight, as a
 * gateway does when its caller goes away; what that does to the target is checked
 * separately (see `afterCancellation` in main.ts), outside any measured window.
 */
import autocannon from 'autocannon';
import { summarize } from './stats.js';
import type { RunResult } from './results.js';
import { describeErrorBody } from './scenarios.js';

export interface LoadOptions {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  bodies: readonly string[];
  /** Sent with every request besides the content type (the caller's token). */
  headers?: Record<string, string>;
}

export type WindowResult = Omit<RunResult, 'concurrency'>;

export function runLoad(options: LoadOptions): Promise<WindowResult> {
  const { url, connections, warmupSeconds, durationSeconds, bodies, headers = {} } = options;
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/.test(url)) throw new Error(`load is for loopback only, not ${url}`);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const started = performance.now();
  const windowStart = started + warmupSeconds * 1000;
  const windowEnd = windowStart + durationSeconds * 1000;
  // Set by 'response' and read by verifyBody, which autocannon calls right after for the same answer.
  let lastCounted = false;
  let lastInWindow = false;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: warmupSeconds + durationSeconds,
        timeout: 30,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        ...(bodies.length === 1 ? { body: bodies[0] } : { requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }] }),
        // A cheap test of every answer; the full check of an answer is done once per scenario.
        verifyBody: (body) => {
          if (lastCounted || !body.includes('"errors"')) return true;
          if (lastInWindow) latencies.pop();
          errors++;
          firstError ??= describeErrorBody(body);
          return false;
        },
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        if (result.errors + result.timeouts > 0) {
          errors += result.errors + result.timeouts;
          firstError ??= `${result.errors} connection errors, ${result.timeouts} timeouts`;
        }
        resolve({ ops: latencies.length, errors, firstError, opsPerSecond: latencies.length / durationSeconds, latency: summarize(latencies) });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      const now = performance.now();
      lastInWindow = false;
      // A non-2xx answer is one failure, whatever its body says.
      lastCounted = statusCode < 200 || statusCode >= 300;
      if (lastCounted) {
        errors++;
        firstError ??= `HTTP ${statusCode}`;
        return;
      }
      // Operations that completed within the window, like the HTTP floor counts them.
      if (now >= windowStart && now <= windowEnd) {
        latencies.push(responseTimeMs);
        lastInWindow = true;
      }
    });
  });
}
