/**
 * Helpers for DataLoaders (and for reads of one node that may not exist). DataLoader's contract:
 * the batch function returns an array of the same length as its keys, in the same order, holding
 * either the value or an `Error` for each key. A failure of one key must not fail its neighbours.
 */
import DataLoader from 'dataloader';
import { isUnknownNode } from '../horizon/errors.js';
import type { BatchObserver } from './loaderOptions.js';
import type { SharedCache } from './sharedCache.js';

/**
 * A batch function that reports each batch's size to the request's observer (the
 * `graphql_dataloader_batch_size` histogram): `new DataLoader(observed(onBatch, 'users.profile', fn))`.
 */
export function observed<K, R>(onBatch: BatchObserver | undefined, loader: string, batch: (keys: readonly K[]) => R): (keys: readonly K[]) => R {
  if (!onBatch) return batch;
  return (keys) => {
    onBatch(loader, keys.length);
    return batch(keys);
  };
}

/** A loader of one upstream call per key (the API has no multi-id endpoint), all in parallel; batch sizes observed. */
export function eachLoader<K, V>(onBatch: BatchObserver | undefined, loader: string, load: (key: K) => Promise<V>): DataLoader<K, V> {
  return new DataLoader<K, V>(
    observed(onBatch, loader, async (keys: readonly K[]) => {
      const settled = await Promise.allSettled(keys.map((key) => load(key)));
      return settled.map((result) => (result.status === 'fulfilled' ? result.value : asError(result.reason)));
    }),
  );
}

/**
 * A loader through a shared cache (null: no such item): hits answer at once, a batch's misses are
 * fetched in one call to `fetch`, whose failure fails every key of the batch.
 */
export function cachedLoader<V>(
  onBatch: BatchObserver | undefined,
  loader: string,
  cache: SharedCache<V | null>,
  fetch: (keys: string[]) => Promise<Map<string, V | null>>,
): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(
    observed(onBatch, loader, async (keys: readonly string[]) => {
      try {
        const found = await cache.getMany(keys, fetch);
        return keys.map((key) => found.get(key) ?? null);
      } catch (error) {
        return keys.map(() => asError(error));
      }
    }),
  );
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** A read of one Graph node, null when Graph has no such node. */
export async function nullIfUnknown<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (isUnknownNode(error)) return null;
    throw error;
  }
}

/** `loader.loadMany`, but the first failed key fails the whole list (DataLoader returns Errors in place). */
export async function loadManyOrThrow<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  for (const value of values) if (value instanceof Error) throw value;
  return values as V[];
}
