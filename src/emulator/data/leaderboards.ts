/** The emulator's leaderboards and their entries, in Graph's (snake_case) shapes. */
import { entryOf } from '../graph.js';

export const SORT_ORDERS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const ENTRY_WRITE_POLICIES = ['CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'] as const;
export type EntryWritePolicy = (typeof ENTRY_WRITE_POLICIES)[number];

export interface EmulatedLeaderboard {
  id: string;
  api_name: string;
  sort_order: SortOrder;
  entry_write_policy: EntryWritePolicy;
  /** Unix seconds; 0 means no bound. */
  earliest_allowed_entry_time: number;
  latest_allowed_entry_time: number;
  /** locale → title, e.g. `{"en_US":"Soccer","en_GB":"Football"}`. */
  title_locale_map: Record<string, string>;
}

export interface EmulatedLeaderboardEntry {
  id: string;
  leaderboard_id: string;
  user_id: string;
  /** int64: kept as a bigint so scores beyond 2^53 stay exact. */
  score: bigint;
  /** Unix seconds of the write that set this score. */
  timestamp: number;
  extra_data_base64: string;
}

/** An entry with its place on the board (1 = best). */
export interface RankedEntry {
  entry: EmulatedLeaderboardEntry;
  rank: number;
}

export class LeaderboardData {
  /** api name → board. */
  readonly boards = new Map<string, EmulatedLeaderboard>();
  /** board id → user id → the user's one entry on that board. */
  readonly entries = new Map<string, Map<string, EmulatedLeaderboardEntry>>();
  /**
   * How scores are written in responses. The 2018 docs show JSON numbers; the SDK types the
   * field "long_as_string" (docs/horizon-api.md). Clients must read both, so tests switch this.
   */
  scoreEncoding: 'number' | 'string' = 'number';

  boardById(id: string): EmulatedLeaderboard | undefined {
    for (const board of this.boards.values()) if (board.id === id) return board;
    return undefined;
  }

  entriesOf(boardId: string): Map<string, EmulatedLeaderboardEntry> {
    return entryOf(this.entries, boardId, Map);
  }

  entryById(id: string): { board: EmulatedLeaderboard; entry: EmulatedLeaderboardEntry } | undefined {
    for (const board of this.boards.values()) {
      for (const entry of this.entries.get(board.id)?.values() ?? []) if (entry.id === id) return { board, entry };
    }
    return undefined;
  }

  /** Every entry of a board, best first; equal scores rank the earlier write first, then by id. */
  ranked(board: EmulatedLeaderboard): RankedEntry[] {
    const better = board.sort_order === 'HIGHER_IS_BETTER' ? 1n : -1n;
    return [...(this.entries.get(board.id)?.values() ?? [])]
      .sort((a, b) => {
        const byScore = (b.score - a.score) * better;
        if (byScore !== 0n) return byScore > 0n ? 1 : -1;
        return a.timestamp - b.timestamp || a.id.localeCompare(b.id);
      })
      .map((entry, index) => ({ entry, rank: index + 1 }));
  }

  /** Whether `candidate` beats `current` on this board (equal is not better). */
  isBetter(board: EmulatedLeaderboard, candidate: bigint, current: bigint): boolean {
    return board.sort_order === 'HIGHER_IS_BETTER' ? candidate > current : candidate < current;
  }

  removeBoard(board: EmulatedLeaderboard): void {
    this.boards.delete(board.api_name);
    this.entries.delete(board.id);
  }
}
