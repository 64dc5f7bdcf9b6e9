/**
 * In-flight coalescing: identical GETs made at the same moment (a hot leaderboard page
 * viewed by many players at once) share one upstream call. Identical means same path,
 * parameters and credential, so one player's token-bound data never reaches another.
 * The shared call is aborted only when every caller waiting on it has gone away.
 *
 * Every read passes through here, so the bookkeeping is kept to one map entry, one
 * controller and one callback per waiter.
 */
// Kept: cockatiel has no policy that shares one call among identical concurrent callers.
import { createHash } from 'node:crypto';
import { abortedError } from '../errors.js';
import { Cancellation, type CancelSignal } from '../signal.js';
import type { HorizonRequest } from '../request.js';
import type { Interceptor } from './types.js';

interface Shared {
  waiters: Waiter[];
  controller: Cancellation;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
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
      const started: Shared = { waiters: [], controller: new Cancellation() };
      shared = started;
      inFlight.set(key, started);
      // Settles every waiter still there; a waiter that left was already rejected and removed,
      // so a shared call aborted after everyone left is never an unhandled rejection.
      const settle = (ok: boolean, outcome: unknown) => {
        if (inFlight.get(key) === started) inFlight.delete(key);
        for (const waiter of started.waiters) {
          if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
          if (ok) waiter.resolve(outcome);
          else waiter.reject(outcome);
        }
        started.waiters.length = 0;
      };
      next({ ...req, signal: started.controller }).then(
        (value) => settle(true, value),
        (error: unknown) => settle(false, error),
      );
    }
    return join(shared, req.endpoint, req.signal, () => {
      // Everyone left: a caller arriving now starts afresh rather than join an aborted call.
      if (inFlight.get(key) === shared) inFlight.delete(key);
    });
  };
}

function join(shared: Shared, endpoint: string, signal: CancelSignal | undefined, abandoned: () => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
    if (signal) {
      waiter.onAbort = () => {
        const index = shared.waiters.indexOf(waiter);
        if (index >= 0) shared.waiters.splice(index, 1);
        if (shared.waiters.length === 0) {
          abandoned();
          shared.controller.abort(signal.reason);
        }
        reject(abortedError(endpoint, signal));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    shared.waiters.push(waiter);
  });
}

/**
 * Same path, parameters and credential (a user token by its hash: the key is kept in memory).
 * Parameters in the order the call site set them: the same call site always sets them alike.
 */
export function coalescingKey(req: HorizonRequest): string {
  let key = req.credential?.kind === 'user' ? `user:${createHash('sha256').update(req.credential.token).digest('base64url')} ` : 'app ';
  key += req.path;
  const params = req.params;
  if (params) {
    for (const name in params) {
      const value = params[name];
      if (value !== undefined && value !== null) key += `&${name}=${String(value)}`;
    }
  }
  if (req.losslessIntegerFields?.length) key += ` lossless:${req.losslessIntegerFields.join(',')}`;
  return key;
}
