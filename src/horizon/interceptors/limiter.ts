/**
 * A cap on upstream calls in flight for the app, with a bounded FIFO queue. Past the
 * queue's bound a call fails at once (`overloaded`) instead of waiting behind thousands.
 */
import { abortedError, HorizonUnavailableError } from '../errors.js';
import type { Interceptor } from './types.js';

export interface LimiterOptions {
  maxInFlight: number;
  maxQueued: number;
}

export class ConcurrencyLimiter {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly options: LimiterOptions) {}

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.queue.length;
  }

  interceptor(): Interceptor {
    return (next) => async (req) => {
      await this.acquire(req.endpoint, req.signal);
      try {
        return await next(req);
      } finally {
        this.release();
      }
    };
  }

  private acquire(endpoint: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.inFlight < this.options.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new HorizonUnavailableError(endpoint, 'overloaded', `${this.inFlight} calls in flight and ${this.queue.length} queued`));
    }
    if (signal?.aborted) return Promise.reject(abortedError(endpoint, signal));
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.inFlight++;
        resolve();
      };
      const onAbort = () => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortedError(endpoint, signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.inFlight--;
    this.queue.shift()?.();
  }
}
