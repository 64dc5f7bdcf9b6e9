/** A deadline per upstream attempt: past it the request is aborted and fails as a timeout. */
import { HorizonTimeoutError } from '../errors.js';
import type { Interceptor } from './types.js';

export function deadline(timeoutMs: number): Interceptor {
  return (next) => async (req) => {
    // A timer cleared as soon as the call ends (AbortSignal.timeout would live on for the whole
    // deadline after every call: thousands of live timers and signals under load).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`deadline of ${timeoutMs} ms passed`, 'TimeoutError'));
    }, timeoutMs);
    const callerLeft = () => controller.abort(req.signal!.reason);
    if (req.signal?.aborted) callerLeft();
    else req.signal?.addEventListener('abort', callerLeft, { once: true });
    try {
      return await next({ ...req, signal: controller.signal });
    } catch (error) {
      // Only our own timer makes this a timeout; the caller's abort stays the caller's.
      if (timedOut && !req.signal?.aborted) throw new HorizonTimeoutError(req.endpoint, timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', callerLeft);
    }
  };
}
