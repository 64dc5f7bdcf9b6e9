/**
 * Prometheus metrics (prom-client), served at `/metrics`. Each subgraph instance owns its
 * Registry (several can run in one process, as tests do). Sources:
 *
 * - operations: an Apollo plugin (duration by operation name and type, errors by code, in flight);
 * - upstream: the transport's `onCall` (duration by endpoint and status), `onRetry`, the
 *   breaker's `onStateChange` and state, the limiter's in-flight and queued calls;
 * - shared caches: their `stats` counters and sizes, read at scrape time;
 * - DataLoader batch sizes: `observed(...)` batch functions report through the loader options;
 * - admission: operations waiting for their turn while Horizon is saturated;
 * - the shared store (memory or Redis): up or down, and the Redis nodes known, checked at scrape time;
 * - the process: prom-client's default metrics (CPU, memory, event loop lag, GC, handles).
 *
 * Operation names come from callers, so at most `MAX_OPERATION_NAMES` distinct ones get their
 * own series; the rest are counted as `__other__`.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SharedCache } from '../graphql/sharedCache.js';
import { HorizonNetworkError, HorizonTimeoutError, HorizonUnavailableError } from '../horizon/errors.js';
import type { CircuitState } from '../horizon/interceptors/breaker.js';
import type { UpstreamCallInfo } from '../horizon/request.js';
import type { SharedStoreHealth } from '../store/health.js';
import type { SubgraphDeps } from '../subgraphDeps.js';
import { responseErrorCodes } from './errorCodes.js';

const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'half_open', 'open'];
const CACHE_RESULTS = [
  ['hit', 'hits'],
  ['stale_hit', 'staleHits'],
  ['miss', 'misses'],
] as const;
export const OTHER_OPERATIONS = '__other__';
/** Distinct operation names given their own series. */
export const MAX_OPERATION_NAMES = 200;

export class SubgraphMetrics {
  readonly registry = new Registry();
  private readonly operationDuration: Histogram<'operation_name' | 'operation_type'>;
  private readonly operationErrors: Counter<'operation_name' | 'operation_type' | 'code'>;
  private readonly operationsInFlight: Gauge;
  private readonly upstreamDuration: Histogram<'endpoint' | 'status'>;
  private readonly upstreamRetries: Counter<'endpoint'>;
  private readonly circuitTransitions: Counter<'state'>;
  private readonly batchSize: Histogram<'loader'>;
  private readonly operationNames = new Set<string>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(options: Pick<SubgraphDeps, 'horizon' | 'caches'>) {
    const registers = [this.registry];
    const transport = options.horizon.transport;
    collectDefaultMetrics({ register: this.registry });

    this.operationDuration = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operations served, by operation name and type (query, mutation; "unknown" when it did not parse or validate).',
      labelNames: ['operation_name', 'operation_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    });
    this.operationErrors = new Counter({
      name: 'graphql_operation_errors_total',
      help: 'Errors in GraphQL responses, by operation and extensions.code.',
      labelNames: ['operation_name', 'operation_type', 'code'],
      registers,
    });
    this.operationsInFlight = new Gauge({ name: 'graphql_operations_in_flight', help: 'GraphQL operations being executed now.', registers });

    this.upstreamDuration = new Histogram({
      name: 'horizon_upstream_request_duration_seconds',
      help: 'Horizon API HTTP attempts, by endpoint template and HTTP status ("timeout" or "network" when no answer came).',
      labelNames: ['endpoint', 'status'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.upstreamRetries = new Counter({
      name: 'horizon_upstream_retries_total',
      help: 'Horizon API attempts retried, by endpoint template.',
      labelNames: ['endpoint'],
      registers,
    });
    this.unsubscribe.push(
      transport.onCall((info) => this.upstreamDuration.observe({ endpoint: info.endpoint, status: statusLabel(info) }, info.durationMs / 1000)),
    );
    this.unsubscribe.push(transport.onRetry((event) => this.upstreamRetries.inc({ endpoint: event.endpoint })));

    const breaker = transport.breaker;
    new Gauge({
      name: 'horizon_circuit_state',
      help: 'The Horizon circuit breaker: 1 for its current state (closed, half_open, open), 0 for the others. All 0 when disabled.',
      labelNames: ['state'],
      registers,
      collect() {
        const current = breaker?.state;
        for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    this.circuitTransitions = new Counter({
      name: 'horizon_circuit_transitions_total',
      help: 'Circuit breaker state changes, by the state entered.',
      labelNames: ['state'],
      registers,
    });
    if (breaker) this.unsubscribe.push(breaker.onStateChange((state) => this.circuitTransitions.inc({ state })));

    const limiter = transport.limiter;
    this.readAtScrape('horizon_upstream_in_flight', 'Horizon API calls in flight now.', () => limiter.active);
    this.readAtScrape('horizon_upstream_queued', 'Horizon API calls waiting for a slot now.', () => limiter.queued);

    const caches = Object.values(options.caches ?? {}) as SharedCache<unknown>[];
    const seen = new Map<string, number>();
    new Counter({
      name: 'graphql_shared_cache_requests_total',
      help: 'Lookups in the shared caches of public data, by cache and result (hit, stale_hit served while refreshing, miss).',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        // The caches count on their own; the counter takes the increase since the last scrape.
        for (const cache of caches) {
          for (const [result, field] of CACHE_RESULTS) {
            const key = `${cache.name} ${result}`;
            const now = cache.stats[field];
            this.inc({ cache: cache.name, result }, Math.max(0, now - (seen.get(key) ?? 0)));
            seen.set(key, now);
          }
        }
      },
    });
    new Gauge({
      name: 'graphql_shared_cache_entries',
      help: 'Entries held by each shared cache.',
      labelNames: ['cache'],
      registers,
      collect() {
        for (const cache of caches) this.set({ cache: cache.name }, cache.size);
      },
    });

    this.batchSize = new Histogram({
      name: 'graphql_dataloader_batch_size',
      help: 'Keys per DataLoader batch, by loader (e.g. achievements.definition: api names fetched in one call).',
      labelNames: ['loader'],
      buckets: [1, 2, 3, 5, 10, 25, 50, 100, 250, 500],
      registers,
    });
  }

  /** Operations waiting for admission (src/http/admission.ts), read at scrape time. */
  observeAdmission(gate: { readonly queued: number; readonly cpuLimit: number }): void {
    this.readAtScrape(
      'graphql_operations_running_limit',
      'Operations allowed to run at once while the event loop is saturated (src/http/admission.ts); +Inf while it has room.',
      () => gate.cpuLimit,
    );
    this.readAtScrape(
      'graphql_operations_waiting',
      'GraphQL operations waiting for admission because the Horizon API is saturated (more calls queued than ADMISSION_MAX_QUEUED_CALLS) or the event loop is.',
      () => gate.queued,
    );
  }

  /** A gauge without labels whose value is read when scraped. */
  private readAtScrape(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** The shared store's state (src/store/health.ts): read at scrape time (the check is bounded and cached briefly). */
  observeSharedStore(health: SharedStoreHealth): void {
    const registers = [this.registry];
    new Gauge({
      name: 'shared_store_up',
      help: 'The store replicas share (the idempotency ledger and the other replica-shared stores): 1 while it answers, 0 while down (keyed writes are refused). By kind (memory, redis) and topology (single, cluster, sentinel).',
      labelNames: ['kind', 'topology'],
      registers,
      async collect() {
        const report = await health.check();
        this.reset();
        this.set({ kind: report.kind, topology: report.topology ?? 'none' }, report.state === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'shared_store_nodes',
      help: 'Redis nodes of the shared store by role (primary, replica): from ROLE (one node, Sentinel) or the Cluster slot map.',
      labelNames: ['role'],
      registers,
      async collect() {
        const { nodes } = await health.check();
        this.reset();
        if (nodes) {
          this.set({ role: 'primary' }, nodes.primaries);
          this.set({ role: 'replica' }, nodes.replicas);
        }
      },
    });
    const changes = new Counter({
      name: 'shared_store_state_changes_total',
      help: 'Times the shared store went down or came back up, by the state entered.',
      labelNames: ['state'],
      registers,
    });
    this.unsubscribe.push(health.onChange((report) => changes.inc({ state: report.state })));
  }

  /** For the request scope's `onBatch`. */
  readonly observeBatch = (loader: string, size: number): void => {
    this.batchSize.observe({ loader }, size);
  };

  /** Times every operation. */
  plugin<C extends BaseContext>(): ApolloServerPlugin<C> {
    return {
      requestDidStart: async ({ request }) => {
        const started = performance.now();
        this.operationsInFlight.inc();
        return {
          willSendResponse: async (requestContext) => {
            const { operationName, operation } = requestContext;
            this.operationsInFlight.dec();
            const labels = {
              operation_name: this.operationLabel(operationName ?? request.operationName ?? undefined),
              operation_type: operation?.operation ?? 'unknown',
            };
            this.operationDuration.observe(labels, (performance.now() - started) / 1000);
            for (const { code } of responseErrorCodes(requestContext)) this.operationErrors.inc({ ...labels, code });
          },
        };
      },
    };
  }

  /** The text exposition format, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening to the transport (the registry stays readable). */
  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  private operationLabel(name: string | undefined): string {
    if (!name) return '';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,127}$/.test(name)) return OTHER_OPERATIONS;
    this.operationNames.add(name);
    return name;
  }
}

function statusLabel(info: UpstreamCallInfo): string {
  if (info.status !== undefined) return String(info.status);
  if (info.error instanceof HorizonTimeoutError) return 'timeout';
  if (info.error instanceof HorizonUnavailableError) return 'not_sent';
  if (info.error instanceof HorizonNetworkError) return 'network';
  return 'none';
}
