/**
 * Admission control: operations start only while Horizon can take their calls.
 *
 * Upstream capacity is the connection pool (HORIZON_MAX_IN_FLIGHT calls at once). Without a
 * gate, 64 concurrent `_entities` fetches of 50 players each start together and park 6,400
 * calls in the limiter's queue, every one holding its operation's resolvers, loaders and
 * promises alive: memory grows with the backlog and every operation finishes late. With it,
 * a new operation waits (first come, first served) while more than `maxQueuedCalls` upstream
 * calls are already waiting for a slot (by default none: 0), so the pool stays busy and the
 * backlog stays one operation deep. Throughput is what the pool allows either way; what
 * changes is that admitted operations finish as fast as they can, and waiting ones cost only
 * their request. Fewer operations alive at once also means fewer objects surviving the young
 * generation's collections, which is most of the subgraph's GC time under load (measured with
 * `npm run bench`: with one pool's worth queued allowed, S1 and S2 ran slower and larger).
 *
 * An admitted operation counts as "starting" until it makes its first upstream call (or
 * ends): at most `maxStarting` start at once, so a burst arriving while the queue is still
 * empty is let in a few at a time rather than all before any of them has made a call.
 */
import type { CancelSignal } from './horizon/signal.js';

export interface AdmissionOptions {
  /** New operations wait while more upstream calls than this wait for a slot. */
  maxQueuedCalls: number;
  /** Operations admitted that have not made their first upstream call yet. */
  maxStarting: number;
}

/** What an admitted operation reports back. */
export interface AdmissionTicket {
  /** Its first upstream call is on its way: the next operation may start. */
  firstCall(): void;
  /** It is done, whatever happened. */
  done(): void;
}

interface Waiter {
  admit(): void;
  signal: CancelSignal;
  onAbort: () => void;
}

export class AdmissionGate {
  private starting = 0;
  private readonly waiting: Waiter[] = [];

  /** `queuedCalls`: upstream calls waiting for a slot now (the limiter's queue). */
  constructor(
    private readonly queuedCalls: () => number,
    private readonly options: AdmissionOptions,
  ) {}

  /** Operations waiting to be admitted. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when the operation may start; rejects with the signal's reason if it leaves first. */
  admit(signal: CancelSignal): Promise<AdmissionTicket> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length === 0 && this.hasRoom()) return Promise.resolve(this.ticket());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          signal.removeEventListener('abort', waiter.onAbort);
          resolve(this.ticket());
        },
        signal,
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Something freed capacity (an upstream call ended, an operation started or ended): admit who fits. */
  poke(): void {
    while (this.waiting.length > 0 && this.hasRoom()) this.waiting.shift()!.admit();
  }

  private hasRoom(): boolean {
    return this.starting < this.options.maxStarting && this.queuedCalls() <= this.options.maxQueuedCalls;
  }

  private ticket(): AdmissionTicket {
    this.starting++;
    let starting = true;
    const started = () => {
      if (!starting) return;
      starting = false;
      this.starting--;
      this.poke();
    };
    return { firstCall: started, done: started };
  }
}
