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
 *
 * The other bottleneck is this process's CPU: when the event loop is busy all the time (hot
 * reads that the shared caches and coalescing answer with few calls), more operations at once
 * only make each slower and keep more of them alive through the young generation's
 * collections. `CpuGovernor` then caps the operations running at once: it lowers the cap while
 * the loop stays saturated and raises it (to no cap at all) once the loop has idle time again.
 */
import { performance } from 'node:perf_hooks';
import type { CancelSignal } from '../horizon/signal.js';

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

/** Event-loop utilisation at or above which the loop counts as saturated. */
const SATURATED = 0.95;
/** Below this the loop has room again: the cap rises. */
const ROOMY = 0.85;
/** The cap never goes below this many running operations. */
const MIN_RUNNING = 2;

/**
 * Adapts a cap on operations running at once to the event loop's utilisation, sampled at a
 * fixed interval: while saturated with more than 2 running, the cap falls to 90% of what runs; while roomy, it rises
 * by 10% and, once nobody waits and the cap is twice what runs, goes away. Between the two
 * thresholds it holds. Pure: `update` is given each sample, so tests can drive it.
 */
export class CpuGovernor {
  /** Operations allowed to run at once; Infinity while the loop has room. */
  limit = Infinity;

  update(utilization: number, running: number, waiting: number): void {
    if (utilization >= SATURATED) {
      // With this few running, operations are not what keeps the loop busy (start-up, a scrape).
      if (running > MIN_RUNNING) this.limit = Math.max(MIN_RUNNING, Math.floor(Math.min(this.limit, running) * 0.9));
    } else if (utilization < ROOMY && this.limit !== Infinity) {
      this.limit = Math.ceil(this.limit * 1.1) + 1;
      if (waiting === 0 && this.limit >= 2 * running) this.limit = Infinity;
    }
  }
}

interface Waiter {
  admit(): void;
  onAbort: () => void;
}

export class AdmissionGate {
  private starting = 0;
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly cpu = new CpuGovernor();

  /** `queuedCalls`: upstream calls waiting for a slot now (the limiter's queue). */
  constructor(
    private readonly queuedCalls: () => number,
    private readonly options: AdmissionOptions,
  ) {}

  /** Operations waiting to be admitted. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Operations admitted and not done. */
  get active(): number {
    return this.running;
  }

  /** The CPU governor's cap on running operations (Infinity: none). */
  get cpuLimit(): number {
    return this.cpu.limit;
  }

  /** One sample of the event loop's utilisation since the last (see `sampleEventLoop`). */
  observeUtilization(utilization: number): void {
    this.cpu.update(utilization, this.running, this.waiting.length);
    this.poke();
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
    return this.running < this.cpu.limit && this.starting < this.options.maxStarting && this.queuedCalls() <= this.options.maxQueuedCalls;
  }

  private ticket(): AdmissionTicket {
    this.starting++;
    this.running++;
    let starting = true;
    let running = true;
    const started = () => {
      if (!starting) return;
      starting = false;
      this.starting--;
      this.poke();
    };
    const done = () => {
      if (!running) return;
      running = false;
      this.running--;
      if (starting) started();
      else this.poke();
    };
    return { firstCall: started, done };
  }
}

/**
 * Feeds `gate` the event loop's utilisation every `intervalMs` (100 ms: short enough to react
 * within a burst, long enough to be a fair average). Returns the function that stops it.
 */
export function sampleEventLoop(gate: AdmissionGate, intervalMs = 100): () => void {
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    gate.observeUtilization(performance.eventLoopUtilization(now, last).utilization);
    last = now;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Operations admitted at once that have not made their first upstream call yet. */
const MAX_STARTING = 4;

/**
 * The server's gate: an operation starts only while no more than `maxQueuedCalls` upstream calls
 * wait for a slot of `limiter`; looked at again as slots free up and as the event loop is sampled.
 */
export function upstreamAdmission(
  limiter: { readonly queued: number; onRelease(listener: () => void): () => void },
  maxQueuedCalls: number,
): { gate: AdmissionGate; stop(): void } {
  const gate = new AdmissionGate(() => limiter.queued, { maxQueuedCalls, maxStarting: MAX_STARTING });
  const stopPoking = limiter.onRelease(() => gate.poke());
  const stopSampling = sampleEventLoop(gate);
  return {
    gate,
    stop() {
      stopPoking();
      stopSampling();
    },
  };
}
