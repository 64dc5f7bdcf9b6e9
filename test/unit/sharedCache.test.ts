/** The shared cache on a fake clock: TTL, stale-while-revalidate, bounds and invalidation. */
import { SharedCache } from '../../src/graphql/sharedCache.js';

function setup(options: Partial<{ maxEntries: number; ttlMs: number; staleMs: number }> = {}) {
  let now = 1_000_000; // lru-cache reads a start time of 0 as "no TTL": a real clock never says 0
  const cache = new SharedCache<string>('test', { maxEntries: 3, ttlMs: 100, staleMs: 1_000, now: () => now, ...options });
  const fetched: string[][] = [];
  let version = 'v1';
  const fetch = async (keys: string[]) => {
    fetched.push(keys);
    return new Map(keys.map((k) => [k, `${k}:${version}`]));
  };
  return { cache, fetched, fetch, advance: (ms: number) => (now += ms), setVersion: (v: string) => (version = v) };
}

const tick = () => new Promise((r) => setImmediate(r));

test('misses are fetched together in one call; fresh hits are not fetched again', async () => {
  const { cache, fetched, fetch } = setup();
  expect([...(await cache.getMany(['a', 'b'], fetch)).entries()]).toEqual([
    ['a', 'a:v1'],
    ['b', 'b:v1'],
  ]);
  await cache.getMany(['a', 'b', 'c'], fetch);
  expect(fetched).toEqual([['a', 'b'], ['c']]);
  expect(cache.stats).toEqual({ hits: 2, staleHits: 0, misses: 3 });
});

test('a stale entry is served at once and refreshed once in the background', async () => {
  const { cache, fetched, fetch, advance, setVersion } = setup();
  await cache.getMany(['a'], fetch);
  advance(150);
  setVersion('v2');
  const [first, second] = await Promise.all([cache.getMany(['a'], fetch), cache.getMany(['a'], fetch)]);
  expect(first.get('a')).toBe('a:v1');
  expect(second.get('a')).toBe('a:v1');
  await tick();
  expect(fetched).toEqual([['a'], ['a']]);
  expect((await cache.getMany(['a'], fetch)).get('a')).toBe('a:v2');
});

test('past TTL + stale window an entry is gone and fetched before answering', async () => {
  const { cache, fetch, advance, setVersion } = setup();
  await cache.getMany(['a'], fetch);
  advance(1_101);
  setVersion('v2');
  expect((await cache.getMany(['a'], fetch)).get('a')).toBe('a:v2');
});

test('bounded: the least recently used entry goes first', async () => {
  const { cache, fetched, fetch } = setup();
  await cache.getMany(['a', 'b', 'c'], fetch);
  await cache.getMany(['a'], fetch); // a is now the most recently used
  await cache.getMany(['d'], fetch);
  expect(cache.size).toBe(3);
  await cache.getMany(['a', 'c', 'd'], fetch);
  await cache.getMany(['b'], fetch);
  expect(fetched).toEqual([['a', 'b', 'c'], ['d'], ['b']]);
});

test('invalidation wins over a fetch that started before it', async () => {
  const { cache } = setup();
  let release!: () => void;
  const slow = cache.getMany(['a'], async () => {
    await new Promise<void>((r) => (release = r));
    return new Map([['a', 'old']]);
  });
  await tick();
  cache.delete('a');
  release();
  expect((await slow).get('a')).toBe('old'); // the caller that asked still gets its answer
  expect(cache.peek('a')).toBeUndefined(); // but it is not stored over the invalidation
});

test('a failed refresh keeps the stale value', async () => {
  const { cache, fetch, advance } = setup();
  await cache.getMany(['a'], fetch);
  advance(150);
  const failing = async () => {
    throw new Error('upstream down');
  };
  expect((await cache.getMany(['a'], failing)).get('a')).toBe('a:v1');
  await tick();
  expect(cache.peek('a')?.value).toBe('a:v1');
});

test('a TTL of 0 disables caching', async () => {
  const { cache, fetched, fetch } = setup({ ttlMs: 0 });
  await cache.getMany(['a'], fetch);
  await cache.getMany(['a'], fetch);
  expect(fetched).toHaveLength(2);
});
