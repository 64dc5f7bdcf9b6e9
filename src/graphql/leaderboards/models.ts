/** What the leaderboards resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { LeaderboardEntry } from '../../horizon/leaderboards.js';
import type { Settlement } from '../../idempotency/ledger.js';
import type { UserRef } from '../users/models.js';
import type { entryConnection } from './connection.js';

export type EntryConnectionParent = ReturnType<typeof entryConnection>;
export type EntryEdgeParent = EntryConnectionParent['edges'][number];
export type EntryPageInfoParent = EntryConnectionParent['pageInfo'];

/** Payloads name their board; it is read (again, after a write) only when asked. */
export interface BoardRef {
  leaderboardApiName: string;
}

export interface SubmitScorePayloadParent extends BoardRef {
  didUpdate: boolean;
  entry: LeaderboardEntry | null;
  settledBy: Settlement;
}
export interface UpsertLeaderboardPayloadParent extends BoardRef {
  created: boolean;
}
export interface DeleteEntryPayloadParent extends BoardRef {
  success: boolean;
  id: string;
  user: UserRef;
  score: bigint;
}
export interface RemoveAllEntriesPayloadParent extends BoardRef {
  success: boolean;
  removedEntryCount: number;
}
