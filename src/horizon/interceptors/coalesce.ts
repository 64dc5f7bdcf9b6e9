/**
 * In-flight coalescing: identical GETs made at the same moment (a hot leaderboard page
 * viewed by many players at once) share one upstream call. Identical means same path,
 * parameters and credential, so one player's token-bound data never reaches another.
 * The shared call is aborted only when every caller waiting on it has gone away.
 */
import { createHash } from 'node:crypto';
import { abortedError } from '../errors.js';
import type { HorizonRequest } from '../transport.js';
import type { Interceptor } from './types.js';

interface Shared {
  promise: Promise<unknown>;
  waiting: number;
  controller: AbortController;
}

export function coalesce(): Interceptor {
  const inFlight = new Map<string, Shared>();
  return (next) => (req) => {
    if (req.method !== 'GET') return next(req);
    // A caller already gone must not start (or join) a call it would abort at once.
    if (req.signal?.aborted) return Promise.reject(abortedError(req.endpoint, req.signal));
    const key = coalescingKey(req);
    let shared = inFlight.get(key);
    if (!shared) {
      const controller = new AbortController();
      const promise = next({ ...req, signal: controller.signal }).finally(() => inFlight.delete(key));
      // Each waiter handles the outcome on its own; the shared promise must never be an
      // unhandled rejection (that would crash the process) when every waiter has left.
      promise.catch(() => undefined);
      shared = { promise, waiting: 0, controller };
      inFlight.set(key, shared);
    }
    return wait(shared, req.endpoint, req.signal);
  };
}

function wait(shared: Shared, endpoint: string, signal: AbortSignal | undefined): Promise<unknown> {
  shared.waiting++;
  if (!signal) return shared.promise.finally(() => shared.waiting--);
  return new Promise((resolve, reject) => {
    const leave = () => {
      shared.waiting--;
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      leave();
      if (shared.waiting === 0) shared.controller.abort(signal.reason);
      reject(abortedError(endpoint, signal));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    shared.promise.then(
      (value) => {
        leave();
        resolve(value);
      },
      (error: unknown) => {
        leave();
        reject(error);
      },
    );
  });
}

export function coalescingKey(req: HorizonRequest): string {
  const credential = req.credential?.kind === 'user' ? `user:${createHash('sha256').update(req.credential.token).digest('base64url')}` : 'app';
  const params = Object.entries(req.params ?? {})
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort()
    .join('&');
  return `${credential} ${req.path}?${params} ${(req.losslessIntegerFields ?? []).join(',')}`;
}
