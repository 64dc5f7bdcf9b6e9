/**
 * Interceptors wrap the transport's single HTTP attempt, undici-style: each one is a
 * function from the next call to a new call, so deadlines, limits, the breaker, retries
 * and coalescing each live in one module and compose in one place (`transport.ts`).
 */
import type { CancelSignal } from '../signal.js';
import type { HorizonRequest } from '../request.js';

export type Call = (req: HorizonRequest) => Promise<unknown>;
export type Interceptor = (next: Call) => Call;

/** `compose([a, b, c], send)` = a(b(c(send))): the first interceptor sees the call first. */
export function compose(interceptors: readonly Interceptor[], send: Call): Call {
  return interceptors.reduceRight<Call>((next, interceptor) => interceptor(next), send);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
