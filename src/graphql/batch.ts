/**
 * Helpers for DataLoader batch functions. DataLoader's contract: the batch function
 * returns an array of the same length as its keys, in the same order, holding either the
 * value or an `Error` for each key. A failure of one key must not fail its neighbours.
 */
import type DataLoader from 'dataloader';
import type { BatchObserver } from './loaderOptions.js';

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

/** One upstream call per key (the API has no multi-id endpoint), all in parallel. */
export async function loadEach<K, V>(keys: readonly K[], load: (key: K) => Promise<V>): Promise<Array<V | Error>> {
  const settled = await Promise.allSettled(keys.map((key) => load(key)));
  return settled.map((result) => (result.status === 'fulfilled' ? result.value : asError(result.reason)));
}

export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** `loader.loadMany`, but the first failed key fails the whole list (DataLoader returns Errors in place). */
export async function loadManyOrThrow<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  for (const value of values) if (value instanceof Error) throw value;
  return values as V[];
}
