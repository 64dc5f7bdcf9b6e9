/** A deadline per upstream attempt: past it the request is aborted and fails as a timeout. */
import { HorizonTimeoutError } from '../errors.js';
import type { Interceptor } from './types.js';

export function deadline(timeoutMs: number): Interceptor {
  return (next) => async (req) => {
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer]) : timer;
    try {
      return await next({ ...req, signal });
    } catch (error) {
      // Only our own timer makes this a timeout; the caller's abort stays the caller's.
      if (timer.aborted && !req.signal?.aborted) throw new HorizonTimeoutError(req.endpoint, timeoutMs);
      throw error;
    }
  };
}
