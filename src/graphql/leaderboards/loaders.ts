/**
 * Per-request loaders for leaderboards. Board metadata costs one upstream call per request
 * however many boards are asked (one named board, or the whole list); the entries of many
 * players on one board cost one `filter=USER_IDS` call; every entry read primes the players'
 * profiles with the user nested in it, so their names cost nothing more.
 */
import DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import { CODE_INVALID_PARAMETER, HorizonApiError } from '../../horizon/errors.js';
import { MAX_USER_IDS_PER_CALL, type Leaderboard, type LeaderboardEntry } from '../../horizon/leaderboards.js';
import { cachedLoader, eachLoader, nullIfUnknown, observed } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';
import type { SharedCaches } from '../sharedCache.js';
import type { UserLoaders } from '../users/loaders.js';

export interface LeaderboardLoaders {
  /** A board by api name; null when the app has none by that name. */
  board: DataLoader<string, Leaderboard | null>;
  /** Every board of the app, fetched at most once per request. */
  allBoards(): Promise<Leaderboard[]>;
  /** One player's entry on the named board (null when they have none); batched per board. */
  entryOfUser(apiName: string): DataLoader<string, LeaderboardEntry | null>;
  /** An entry by id (`GET /{entry_id}`); null when there is none. */
  entry: DataLoader<string, LeaderboardEntry | null>;
  /** Caches entries read some other way (a page), and their players' profiles. */
  prime(entries: readonly LeaderboardEntry[]): void;
  /** Forgets what an admin write changed on a board: its metadata (here and in the shared cache) and its entries. */
  forgetBoard(apiName: string): void;
  /** Forgets a board's entries and ranks (a score was submitted); its metadata stays cached. */
  forgetEntries(apiName: string): void;
}

export function createLeaderboardLoaders(
  client: HorizonClient,
  { signal, onBatch }: LoaderOptions,
  users: UserLoaders,
  caches: SharedCaches,
): LeaderboardLoaders {
  // Board metadata is the same for every caller: shared across requests (see sharedCache.ts),
  // fetched without any one request's signal since other requests may be waiting on it.
  let everyBoard: Promise<Leaderboard[]> | undefined;
  const allBoards = () => {
    everyBoard ??= caches.leaderboardLists
      .get('all', () => client.leaderboards.list())
      .then((boards) => {
        for (const b of boards) {
          board.prime(b.apiName, b);
          caches.leaderboards.set(b.apiName, b);
        }
        return boards;
      });
    return everyBoard;
  };
  // Either way one call: the `api_name` filter for a single board, else the whole list
  // (apps have tens of boards, and the list endpoint filters by one name only).
  const fetchBoards = async (names: string[]): Promise<Map<string, Leaderboard | null>> => {
    const boards = everyBoard || names.length > 1 ? await allBoards() : await client.leaderboards.list({ apiName: names[0]! });
    const found = new Map<string, Leaderboard | null>(names.map((n) => [n, null]));
    for (const b of boards) if (found.has(b.apiName)) found.set(b.apiName, b);
    return found;
  };
  const board = cachedLoader(onBatch, 'leaderboards.board', caches.leaderboards, fetchBoards);

  const entry = eachLoader(onBatch, 'leaderboards.entry', async (id: string) => {
    // Should Graph refuse the entry → leaderboard edge, the board is looked for among the shared cached list.
    const found = await nullIfUnknown(client.leaderboards.getEntry(id, signal, { boards: allBoards }));
    if (found) primeUsers([found]);
    return found;
  });

  const byBoard = new Map<string, DataLoader<string, LeaderboardEntry | null>>();
  const entryOfUser = (apiName: string) => {
    let loader = byBoard.get(apiName);
    if (!loader) {
      loader = new DataLoader<string, LeaderboardEntry | null>(
        observed(onBatch, 'leaderboards.entryOfUser', (userIds) => entriesOfUsers(apiName, userIds)),
        { maxBatchSize: MAX_USER_IDS_PER_CALL },
      );
      byBoard.set(apiName, loader);
    }
    return loader;
  };

  /** One call for all players; a player Horizon does not know is left out and the rest asked again. */
  async function entriesOfUsers(apiName: string, userIds: readonly string[]): Promise<Array<LeaderboardEntry | null | Error>> {
    const unknown = new Set<string>();
    for (;;) {
      const asked = userIds.filter((id) => !unknown.has(id));
      try {
        const found = asked.length === 0 ? [] : await client.leaderboards.entriesOfUsers(apiName, asked, signal);
        primeUsers(found);
        const byUser = new Map(found.map((e) => [e.user.id, e]));
        return userIds.map((id) => (unknown.has(id) ? null : (byUser.get(id) ?? null)));
      } catch (error) {
        const invalid = invalidUserId(error);
        if (invalid && asked.includes(invalid)) {
          unknown.add(invalid);
          continue;
        }
        // An unknown board (12075) included: src/graphql/errors.ts says NOT_FOUND and names it.
        return userIds.map(() => error as Error);
      }
    }
  }

  function forgetEntries(apiName: string) {
    byBoard.delete(apiName);
    // Entries by id may belong to this board: their ranks moved too.
    entry.clearAll();
  }

  function primeUsers(entries: readonly LeaderboardEntry[]) {
    for (const e of entries) users.primeNested(e.user);
  }

  return {
    board,
    allBoards,
    entryOfUser,
    entry,
    prime(entries) {
      primeUsers(entries);
      for (const e of entries) {
        entry.prime(e.id, e);
        entryOfUser(e.leaderboardApiName).prime(e.user.id, e);
      }
    },
    forgetBoard(apiName) {
      // Our own write: every request after it sees the change (other replicas after the TTL).
      caches.leaderboards.delete(apiName);
      caches.leaderboardLists.clear();
      board.clear(apiName);
      everyBoard = undefined;
      forgetEntries(apiName);
    },
    forgetEntries,
  };
}

/** The id in Graph's "Parameter user_ids: invalid user id: 123" (docs/horizon-api.md). */
function invalidUserId(error: unknown): string | undefined {
  if (!(error instanceof HorizonApiError) || error.code !== CODE_INVALID_PARAMETER) return undefined;
  return /invalid user id: (\d+)/i.exec(error.upstreamMessage)?.[1];
}
