/**
 * Container probes on the subgraph's own port:
 *
 * - `GET /health` (liveness): 200 as long as the process serves HTTP. Nothing upstream is
 *   checked, so a Horizon outage never gets healthy replicas restarted.
 * - `GET /ready` (readiness): 200 when this replica should get traffic: it is not shutting
 *   down, the configuration was valid (it would not have started otherwise), the circuit
 *   breaker is not open, and the upstream answered recently: any call of the last
 *   `maxAgeMs` that got an answer other than a 5xx or a refusal of the app's credentials
 *   counts; with none, `/ready` makes one cheap probe call (shared by concurrent probes,
 *   bounded by `PROBE_TIMEOUT_MS`). In demo mode the probe asks the emulator's health.
 *   503 otherwise, with the reason in the JSON body.
 *
 *   The body always reports the shared store (`sharedStore`: memory, or Redis per topology,
 *   src/store/health.ts). Redis down refuses keyed writes only (reads still work, and every
 *   replica shares the same Redis, so taking them all out of rotation would turn a write outage
 *   into a full one): `/ready` stays 200 unless `requireSharedStore` (READINESS_REQUIRE_SHARED_STORE).
 */
import { DEFAULTS } from '../config.js';
import type { HorizonClient } from '../horizon/client.js';
import { CODE_INVALID_TOKEN, HorizonApiError, HorizonProtocolError } from '../horizon/errors.js';
import type { UpstreamCallInfo } from '../horizon/request.js';
import { memoryStoreHealth, type SharedStoreHealth, type SharedStoreReport } from '../store/health.js';

/** The longest a probe call may take. */
const PROBE_TIMEOUT_MS = 3_000;

export interface ReadinessOptions {
  horizon: HorizonClient;
  /** A cheap call proving the upstream answers (and accepts the app's credentials); throws otherwise. */
  probe: (signal: AbortSignal) => Promise<void>;
  /** How long a successful upstream answer counts (default 30 s). */
  maxAgeMs?: number;
  now?: () => number;
  /** The store replicas share (default: in memory, always up). */
  sharedStore?: SharedStoreHealth;
  /** Not ready while the shared store is down (default false: keyed writes are refused, reads still served). */
  requireSharedStore?: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'not_ready';
  /** Why not ready; absent when ready. */
  reason?: 'shutting_down' | 'circuit_open' | 'upstream_unreachable' | 'shared_store_down';
  circuit: string;
  upstream: { lastAnswerAgoMs: number | null; probeError?: string };
  /** Where the idempotency ledger (and the other replica-shared state) lives, and whether it answers. */
  sharedStore: SharedStoreReport;
}

export class Readiness {
  private lastAnswerAt: number | undefined;
  private probing: Promise<string | undefined> | undefined;
  private shuttingDown = false;
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private readonly stopListening: () => void;

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULTS.readinessUpstreamMaxAgeMs;
    this.stopListening = options.horizon.transport.onCall((call) => this.observe(call));
  }

  /** From now on `/ready` answers 503: the load balancer stops sending new work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  close(): void {
    this.stopListening();
  }

  async check(): Promise<ReadinessReport> {
    const [report, sharedStore] = await Promise.all([this.checkUpstream(), (this.options.sharedStore ?? memoryStoreHealth).check()]);
    if (report.ready && sharedStore.state === 'down' && this.options.requireSharedStore)
      return { ...report, ready: false, status: 'not_ready', reason: 'shared_store_down', sharedStore };
    return { ...report, sharedStore };
  }

  private async checkUpstream(): Promise<Omit<ReadinessReport, 'sharedStore'>> {
    const circuit = this.options.horizon.transport.breaker?.state ?? 'disabled';
    const upstream = () => ({ lastAnswerAgoMs: this.lastAnswerAt === undefined ? null : this.now() - this.lastAnswerAt });
    if (this.shuttingDown) return { ready: false, status: 'not_ready', reason: 'shutting_down', circuit, upstream: upstream() };
    if (circuit === 'open') return { ready: false, status: 'not_ready', reason: 'circuit_open', circuit, upstream: upstream() };
    if (this.lastAnswerAt !== undefined && this.now() - this.lastAnswerAt <= this.maxAgeMs)
      return { ready: true, status: 'ready', circuit, upstream: upstream() };
    const probeError = await this.probeOnce();
    const after = this.options.horizon.transport.breaker?.state ?? 'disabled';
    if (probeError === undefined) return { ready: true, status: 'ready', circuit: after, upstream: upstream() };
    return { ready: false, status: 'not_ready', reason: 'upstream_unreachable', circuit: after, upstream: { ...upstream(), probeError } };
  }

  /** Concurrent checks share one probe. Resolves with the failure's message, or undefined. */
  private probeOnce(): Promise<string | undefined> {
    this.probing ??= this.options
      .probe(AbortSignal.timeout(PROBE_TIMEOUT_MS))
      .then(
        () => {
          this.lastAnswerAt = this.now();
          return undefined;
        },
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  private observe(call: UpstreamCallInfo): void {
    if (!call.error) {
      this.lastAnswerAt = this.now();
      return;
    }
    const error = call.error;
    if (error instanceof HorizonApiError && error.credential === 'app' && error.code === CODE_INVALID_TOKEN) {
      // The app's own credentials were refused: not ready, whatever else answered.
      this.lastAnswerAt = undefined;
      return;
    }
    if ((error instanceof HorizonApiError || error instanceof HorizonProtocolError) && error.status < 500) this.lastAnswerAt = this.now();
  }
}

/** Live mode's probe: the app's leaderboard ids (`GET /{app_id}/leaderboards?fields=id`), with the app token. */
export function horizonProbe(horizon: HorizonClient): (signal: AbortSignal) => Promise<void> {
  const appId = horizon.transport.appId;
  return async (signal) => {
    await horizon.transport.request({
      method: 'GET',
      path: `/${appId}/leaderboards`,
      endpoint: 'GET /{app_id}/leaderboards',
      params: { fields: 'id', limit: 1 },
      signal,
    });
  };
}

/** Demo mode's probe: the built-in emulator's own health endpoint. */
export function emulatorProbe(emulatorUrl: string): (signal: AbortSignal) => Promise<void> {
  const url = new URL('/__emulator/health', emulatorUrl).toString();
  return async (signal) => {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the emulator's health answered HTTP ${response.status}`);
  };
}
