/**
 * The shared store's state, for `/ready` and `/metrics`: whether the Redis every replica shares
 * answers now, per topology:
 *
 * - one node and Sentinel: connected and answering `PING`; `ROLE` says whether the node we
 *   talk to is a primary and how many replicas it has (what `REDIS_WAIT_REPLICAS` needs);
 * - Cluster: connected, and `CLUSTER INFO` says `cluster_state:ok` (every slot has a primary);
 *   the primaries and replicas `CLUSTER SLOTS` lists now (a replica once it has replicated).
 *
 * Checks are bounded (`timeoutMs`), shared by concurrent callers and reused for `maxAgeMs`.
 */
import type { Cluster } from 'ioredis';
import type { RedisTopology } from './config.js';
import type { RedisConnection } from './redis.js';

export type StoreState = 'up' | 'down';

export interface SharedStoreReport {
  kind: 'memory' | 'redis';
  topology?: RedisTopology['kind'];
  state: StoreState;
  /** Why down (the client's last error or the failed check), without credentials. */
  reason?: string;
  /** One node and Sentinel: the primary answering now, as `host:port`. */
  primary?: string;
  /** Primaries and replicas known: from `ROLE` (one node, Sentinel) or the Cluster's slot map. */
  nodes?: { primaries: number; replicas: number };
}

export interface SharedStoreHealth {
  check(): Promise<SharedStoreReport>;
  /** Called on each change between up and down (not on the first check). */
  onChange(listener: (report: SharedStoreReport) => void): () => void;
}

/** The in-memory store (no Redis): always up, for this process only. */
export const memoryStoreHealth: SharedStoreHealth = {
  check: async () => ({ kind: 'memory', state: 'up' }),
  onChange: () => () => undefined,
};

export class RedisStoreHealth implements SharedStoreHealth {
  private last: { report: SharedStoreReport; at: number } | undefined;
  private running: Promise<SharedStoreReport> | undefined;
  private lastError: string | undefined;
  private readonly listeners = new Set<(report: SharedStoreReport) => void>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly topology: RedisTopology['kind'],
    private readonly options: { timeoutMs?: number; maxAgeMs?: number; now?: () => number } = {},
  ) {
    // The client's own errors are the best reason to give when a check fails.
    redis.on('error', (error: Error) => (this.lastError = error.message));
    redis.on('node error', (error: Error) => (this.lastError = error.message));
  }

  onChange(listener: (report: SharedStoreReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  check(): Promise<SharedStoreReport> {
    const now = this.options.now ?? Date.now;
    if (this.last && now() - this.last.at < (this.options.maxAgeMs ?? 1_000)) return Promise.resolve(this.last.report);
    this.running ??= this.probe()
      .then((report) => {
        const previous = this.last?.report.state;
        this.last = { report, at: now() };
        if (previous !== undefined && previous !== report.state) for (const listener of this.listeners) listener(report);
        return report;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<SharedStoreReport> {
    const base = { kind: 'redis' as const, topology: this.topology };
    if (this.redis.status !== 'ready')
      return { ...base, state: 'down', reason: `connection ${this.redis.status}${this.lastError ? `: ${this.lastError}` : ''}` };
    try {
      return { ...base, ...(await this.bounded(this.topology === 'cluster' ? this.clusterState() : this.nodeState())) };
    } catch (error) {
      return { ...base, state: 'down', reason: (error as Error).message };
    }
  }

  private async nodeState(): Promise<Omit<SharedStoreReport, 'kind' | 'topology'>> {
    await this.redis.ping();
    const redis = this.redis as Exclude<RedisConnection, Cluster>;
    const primary = redis.stream?.remoteAddress ? `${redis.stream.remoteAddress}:${redis.stream.remotePort}` : undefined;
    // ROLE may be refused to a narrow ACL user: the store is up all the same.
    const role = (await redis.call('ROLE').catch(() => undefined)) as [string, number, unknown[]] | undefined;
    if (role?.[0] === 'slave') return { state: 'down', reason: `the node at ${primary} is a replica, not the primary`, primary };
    return { state: 'up', primary, nodes: role?.[0] === 'master' ? { primaries: 1, replicas: Array.isArray(role[2]) ? role[2].length : 0 } : undefined };
  }

  private async clusterState(): Promise<Omit<SharedStoreReport, 'kind' | 'topology'>> {
    const cluster = this.redis as Cluster;
    const info = String(await cluster.cluster('INFO'));
    // Asked now, not the client's cached slot map (refreshed only on redirections): [from, to, primary, ...replicas].
    const ranges = (await cluster.cluster('SLOTS')) as unknown as Array<[number, number, ...Array<[string, number, string]>]>;
    const primaries = new Set(ranges.map((range) => range[2]?.[2]));
    const replicas = new Set(ranges.flatMap((range) => (range.slice(3) as Array<[string, number, string]>).map((node) => node[2])));
    const nodes = { primaries: primaries.size, replicas: replicas.size };
    const state = /cluster_state:(\w+)/.exec(info)?.[1];
    if (state !== 'ok') return { state: 'down', reason: `cluster_state:${state ?? 'unknown'} (a slot has no reachable primary)`, nodes };
    return { state: 'up', nodes };
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? 1_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
