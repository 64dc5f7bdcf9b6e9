/**
 * Caches shared by every request, for data that is the same for every caller and changes
 * rarely (achievement definitions, leaderboard metadata, the product catalog). Never for
 * per-player data. Bounded (least recently used entries go first), with a TTL after which
 * an entry is stale: a stale entry is still served while one background refresh replaces it
 * (stale-while-revalidate), until `staleMs` more have passed. This subgraph's own admin
 * writes invalidate the entries they change at once; other replicas see them after the TTL.
 */
import { LRUCache } from 'lru-cache';
import type { AchievementDefinition } from '../horizon/achievements.js';
import type { Leaderboard } from '../horizon/leaderboards.js';
import type { Product } from '../horizon/purchases.js';

export interface SharedCacheOptions {
  maxEntries: number;
  ttlMs: number;
  /** How long past its TTL an entry may still be served while it is refreshed. */
  staleMs: number;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  staleHits: number;
  misses: number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export class SharedCache<V> {
  readonly stats: CacheStats = { hits: 0, staleHits: 0, misses: 0 };
  /** Bounded LRU whose entries expire once past TTL + stale window; undefined when caching is off. */
  private readonly entries: LRUCache<string, Entry<V>> | undefined;
  private readonly refreshing = new Set<string>();
  private readonly now: () => number;
  /** Bumped by every invalidation, so a fetch that started before it cannot store old data. */
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly options: SharedCacheOptions,
  ) {
    const now = options.now ?? Date.now;
    this.now = now;
    if (options.maxEntries > 0 && options.ttlMs > 0) {
      this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs + options.staleMs, perf: { now }, ttlResolution: 0 });
    }
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The cached value and whether it is still fresh; undefined when absent or too old. */
  peek(key: string): { value: V; fresh: boolean } | undefined {
    const entry = this.entries?.get(key);
    return entry && { value: entry.value, fresh: this.now() - entry.storedAt <= this.options.ttlMs };
  }

  set(key: string, value: V, generation = this.generation): void {
    if (generation === this.generation) this.entries?.set(key, { value, storedAt: this.now() });
  }

  delete(key: string): void {
    this.generation++;
    this.entries?.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries?.clear();
  }

  /**
   * Values for `keys`: fresh and stale hits from the cache (stale ones refreshed in the
   * background through `fetch`), misses fetched together in ONE call to `fetch`, which
   * returns a map holding every key it was given.
   */
  async getMany(keys: readonly string[], fetch: (keys: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const missing: string[] = [];
    const stale: string[] = [];
    for (const key of keys) {
      const hit = this.peek(key);
      if (!hit) {
        missing.push(key);
        continue;
      }
      found.set(key, hit.value);
      if (hit.fresh) this.stats.hits++;
      else {
        this.stats.staleHits++;
        if (!this.refreshing.has(key)) stale.push(key);
      }
    }
    this.stats.misses += missing.length;
    if (stale.length > 0) this.refresh(stale, fetch);
    if (missing.length > 0) {
      const generation = this.generation;
      const fetched = await fetch(missing);
      for (const [key, value] of fetched) {
        this.set(key, value, generation);
        found.set(key, value);
      }
    }
    return found;
  }

  /** One value, fetched alone on a miss. */
  async get(key: string, fetch: () => Promise<V>): Promise<V> {
    const values = await this.getMany([key], async () => new Map([[key, await fetch()]]));
    return values.get(key)!;
  }

  private refresh(keys: string[], fetch: (keys: string[]) => Promise<Map<string, V>>): void {
    for (const key of keys) this.refreshing.add(key);
    const generation = this.generation;
    fetch(keys)
      .then((fetched) => {
        for (const [key, value] of fetched) this.set(key, value, generation);
      })
      // A failed refresh keeps serving the stale value until it expires; the next stale hit retries.
      .catch(() => undefined)
      .finally(() => {
        for (const key of keys) this.refreshing.delete(key);
      });
  }
}

/** Every shared cache of one subgraph process. */
export interface SharedCaches {
  /** Achievement definitions by api name (null: no such achievement). */
  achievementDefinitions: SharedCache<AchievementDefinition | null>;
  /** Lists of every definition, keyed `archived` or `active`. */
  achievementDefinitionLists: SharedCache<AchievementDefinition[]>;
  /** Leaderboard metadata by api name (null: no such board). */
  leaderboards: SharedCache<Leaderboard | null>;
  /** The list of every leaderboard (one entry, `all`). */
  leaderboardLists: SharedCache<Leaderboard[]>;
  /** The product catalog as the app token sees it (one entry, `all`). */
  catalog: SharedCache<Product[]>;
}

export function createSharedCaches(options: SharedCacheOptions): SharedCaches {
  return {
    achievementDefinitions: new SharedCache('achievementDefinitions', options),
    achievementDefinitionLists: new SharedCache('achievementDefinitionLists', options),
    leaderboards: new SharedCache('leaderboards', options),
    leaderboardLists: new SharedCache('leaderboardLists', options),
    catalog: new SharedCache('catalog', options),
  };
}

/** For contexts built without a server (one-off tools, some tests): nothing is shared. */
export function noSharedCaches(): SharedCaches {
  return createSharedCaches({ maxEntries: 0, ttlMs: 0, staleMs: 0 });
}
