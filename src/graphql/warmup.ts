/**
 * Warms the shared caches before the subgraph takes traffic. Achievement definitions,
 * leaderboard metadata and the catalog are app-wide, public and rarely change; each is one
 * listing call. Fetched at start-up, the first operations after a (re)start find them cached
 * like every later one does: a leaderboard page costs its entries call and its players'
 * progress, not also a metadata and a definitions call, and the first player to ask waits for
 * nothing extra. They stay fresh the usual way (TTL, then stale-while-revalidate on use).
 *
 * Best effort and bounded by `signal`: a failure (Horizon down, bad credentials) is reported
 * and the caches are simply filled on first use, as without a warm-up.
 */
import type { HorizonClient } from '../horizon/client.js';
import { Cancellation, type CancelSignal } from '../horizon/signal.js';
import type { Logger } from '../logger.js';
import type { SharedCaches } from './sharedCache.js';

/** Longest start-up wait for the warm-up: a Horizon outage must not keep the subgraph from listening. */
const WARMUP_TIMEOUT_MS = 3_000;

export interface WarmupResult {
  /** What was cached, e.g. `achievementDefinitions: 12`. */
  warmed: string[];
  /** What could not be fetched, with why. */
  failed: Array<{ cache: string; error: Error }>;
}

export async function warmSharedCaches(client: HorizonClient, caches: SharedCaches, signal?: CancelSignal): Promise<WarmupResult> {
  const result: WarmupResult = { warmed: [], failed: [] };
  const attempt = async (cache: string, fill: () => Promise<number>) => {
    try {
      result.warmed.push(`${cache}: ${await fill()}`);
    } catch (error) {
      result.failed.push({ cache, error: error as Error });
    }
  };
  await Promise.all([
    attempt('achievementDefinitions', async () => {
      const every = await client.achievements.listDefinitions({ includeArchived: true, signal });
      for (const definition of every) caches.achievementDefinitions.set(definition.apiName, definition);
      caches.achievementDefinitionLists.set('archived', every);
      caches.achievementDefinitionLists.set(
        'active',
        every.filter((d) => !d.archived),
      );
      return every.length;
    }),
    attempt('leaderboards', async () => {
      const boards = await client.leaderboards.list({ signal });
      for (const board of boards) caches.leaderboards.set(board.apiName, board);
      caches.leaderboardLists.set('all', boards);
      return boards.length;
    }),
    attempt('catalog', async () => {
      const products = await client.purchases.listAvailable({ signal });
      caches.catalog.set('all', products);
      return products.length;
    }),
  ]);
  return result;
}

/** The start-up warm-up: bounded to WARMUP_TIMEOUT_MS, logged, never fatal. */
export async function warmUpAtStart(client: HorizonClient, caches: SharedCaches, logger: Logger): Promise<void> {
  const started = performance.now();
  const bound = new Cancellation();
  const timer = setTimeout(() => bound.abort(new DOMException('cache warm-up took too long', 'TimeoutError')), WARMUP_TIMEOUT_MS);
  let result: WarmupResult;
  try {
    result = await warmSharedCaches(client, caches, bound);
  } finally {
    clearTimeout(timer);
  }
  const { warmed, failed } = result;
  const durationMs = Math.round(performance.now() - started);
  if (failed.length === 0) logger.info({ warmed, durationMs }, 'shared caches warmed');
  else
    logger.warn(
      { warmed, failed: failed.map(({ cache, error }) => ({ cache, err: error })), durationMs },
      'shared caches not all warmed; they fill on first use',
    );
}
