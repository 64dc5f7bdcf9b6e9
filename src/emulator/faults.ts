/**
 * Fault injection for the emulator: what a bad day at graph.oculus.com looks like, so tests
 * and benchmarks can drive the subgraph through it. Faults happen either BEFORE the request
 * is carried out (5xx, throttling, a reset connection: nothing was written) or AFTER it
 * (the write is applied, then the reply is lost, cut short or late): the ambiguous case a
 * client must never answer by blindly resending a non-idempotent write.
 */
import { csvList } from './graph.js';

export const FAULT_MODES = [
  /** HTTP 500, Graph code 2 with `is_transient`; nothing applied. */
  'error_500',
  /** HTTP 503 with an HTML body from a "proxy"; nothing applied. */
  'error_503_html',
  /** HTTP 429, Graph code 613 and `Retry-After`; nothing applied. */
  'throttle_429',
  /** The connection is reset before the request is handled; nothing applied. */
  'reset_before',
  /** The request is applied, then the connection is reset: the reply is lost. */
  'reset_after',
  /** The request is applied, then half the body is sent and the connection cut. */
  'truncate_after',
  /** The reply waits `stallMs` before the request is applied and answered. */
  'stall',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface Faults {
  /** Fixed delay added to every Graph request, in milliseconds. */
  latencyMs: number;
  /** Probability (0..1) that a request suffers one of `modes`. */
  errorRate: number;
  /** The faults to pick from, uniformly. */
  modes: FaultMode[];
  /** The next N matching requests fail for sure (a burst), before `errorRate` applies. */
  burst: number;
  /** Only requests of these routes (e.g. `POST /:app_id/consume_entitlement`); all when empty. */
  routes: string[];
  retryAfterSeconds: number;
  stallMs: number;
  /** Seed of the fault dice, so a failing run can be replayed. */
  seed: number;
}

export function defaultFaults(): Faults {
  return { latencyMs: 0, errorRate: 0, modes: ['error_500'], burst: 0, routes: [], retryAfterSeconds: 1, stallMs: 10_000, seed: 1 };
}

/** Decides, per request, whether and how it fails. Deterministic for a given seed and order. */
export class FaultDice {
  private state = 1;
  /** The seed `state` started from; none yet, so the first roll seeds it. */
  private seededWith = NaN;

  constructor(private readonly faults: Faults) {}

  roll(route: string): FaultMode | undefined {
    const f = this.faults;
    if (f.seed !== this.seededWith) {
      this.seededWith = f.seed;
      this.state = f.seed >>> 0 || 1;
    }
    if (f.routes.length > 0 && !f.routes.includes(route)) return undefined;
    if (f.modes.length === 0) return undefined;
    if (f.burst > 0) {
      f.burst--;
      return this.pick();
    }
    if (f.errorRate > 0 && this.next() < f.errorRate) return this.pick();
    return undefined;
  }

  private pick(): FaultMode {
    return this.faults.modes[Math.floor(this.next() * this.faults.modes.length)]!;
  }

  /** xorshift32: small, fast, and reproducible across runs. */
  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}

/** Reads fault settings from the control endpoint's parameters; unknown values are refused. */
export function parseFaultSettings(params: Record<string, string>, into: Faults): string | undefined {
  const number = (name: string, min: number, max: number): number | undefined | string => {
    const raw = params[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    return Number.isFinite(value) && value >= min && value <= max ? value : `${name} must be a number from ${min} to ${max}`;
  };
  const updates: Partial<Faults> = {};
  for (const [name, key, min, max] of [
    ['latency_ms', 'latencyMs', 0, 600_000],
    ['error_rate', 'errorRate', 0, 1],
    ['burst', 'burst', 0, 1_000_000],
    ['retry_after_seconds', 'retryAfterSeconds', 0, 3_600],
    ['stall_ms', 'stallMs', 0, 600_000],
    ['seed', 'seed', 0, 2 ** 32 - 1],
  ] as const) {
    const value = number(name, min, max);
    if (typeof value === 'string') return value;
    if (value !== undefined) updates[key] = value;
  }
  if (params.modes !== undefined) {
    const modes = csvList(params.modes);
    const unknown = modes.find((m) => !(FAULT_MODES as readonly string[]).includes(m));
    if (unknown) return `unknown fault mode ${unknown}; known: ${FAULT_MODES.join(', ')}`;
    updates.modes = modes as FaultMode[];
  }
  if (params.routes !== undefined) updates.routes = csvList(params.routes);
  Object.assign(into, updates);
  return undefined;
}
