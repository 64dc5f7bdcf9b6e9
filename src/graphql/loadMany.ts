import type DataLoader from 'dataloader';

/** `loader.loadMany`, but the first failed key fails the whole list (DataLoader returns Errors in place). */
export async function loadManyOrThrow<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  for (const value of values) if (value instanceof Error) throw value;
  return values as V[];
}
