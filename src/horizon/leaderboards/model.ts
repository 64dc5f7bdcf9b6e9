/** Leaderboards' types as the client returns and takes them, and the checks of what it takes. */
import { InvalidArgumentError } from '../../lib/errors.js';
import { assertApiName, assertGraphId } from '../ids.js';
import type { CancelSignal } from '../signal.js';
import type { HorizonUser } from '../users.js';

export const SORT_ORDERS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const ENTRY_WRITE_POLICIES = ['CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'] as const;
export type EntryWritePolicy = (typeof ENTRY_WRITE_POLICIES)[number];
export const START_AT = ['TOP', 'CENTERED_ON_VIEWER', 'CENTERED_ON_VIEWER_OR_TOP', 'OFFSET'] as const;
export type StartAt = (typeof START_AT)[number];
export const ENTRY_FILTERS = ['NONE', 'FRIENDS', 'USER_IDS'] as const;
export type EntryFilter = (typeof ENTRY_FILTERS)[number];

/** Largest decoded size of an entry's extra data (docs/horizon-api.md). */
export const MAX_EXTRA_DATA_BYTES = 2048;
/** Most user ids one `filter=USER_IDS` read names. */
export const MAX_USER_IDS_PER_CALL = 100;

export interface LocalizedTitle {
  /** e.g. `en_US`. */
  locale: string;
  title: string;
}

export interface Leaderboard {
  id: string;
  apiName: string;
  sortOrder: SortOrder;
  writePolicy: EntryWritePolicy;
  entryCount: number;
  /** Entries are accepted from this instant on; null when unbounded. */
  earliestAllowedEntryTime: Date | null;
  /** Entries are accepted until this instant; null when unbounded. */
  latestAllowedEntryTime: Date | null;
  /** Sorted by locale. */
  titles: LocalizedTitle[];
}

export interface LeaderboardEntry {
  /** Graph's entry id (what `DELETE /{entry_id}` takes). */
  id: string;
  /** The board's api name. */
  leaderboardApiName: string;
  /** 1 = best. */
  rank: number;
  score: bigint;
  timestamp: Date | null;
  /** As sent by the writer; null when there is none. */
  extraDataBase64: string | null;
  /** The player, complete with the profile fields Graph nested in the entry. */
  user: HorizonUser;
}

export interface EntriesQuery {
  apiName: string;
  startAt?: StartAt;
  /** Position to start at (0 = top), with `startAt: 'OFFSET'` only. */
  offset?: number;
  filter?: EntryFilter;
  /** With `filter: 'USER_IDS'` only. */
  userIds?: readonly string[];
  limit?: number;
  /** Graph's cursor: the page after the entry it marks. Wins over `startAt`/`offset`. */
  after?: string;
  /** Ask for `summary.total_count`. */
  summary?: boolean;
  /** The viewer's user token: required for viewer-centred starts and `filter: 'FRIENDS'`. */
  userToken?: string;
  signal?: CancelSignal;
}

export interface EntriesPage {
  entries: LeaderboardEntry[];
  /** Graph's cursors for the first and last entry of the page, when it sent them. */
  beforeCursor: string | undefined;
  afterCursor: string | undefined;
  /** Graph's stop rule: a next page exists only when `paging.next` is present. */
  hasNext: boolean;
  hasPrevious: boolean;
  /** Entries matching the filter, with `summary: true`. */
  totalCount: number | undefined;
}

export interface LeaderboardInput {
  apiName: string;
  /** Required when creating; kept when omitted on an update. */
  sortOrder?: SortOrder;
  writePolicy?: EntryWritePolicy;
  /** null removes the bound; undefined keeps it. */
  earliestAllowedEntryTime?: Date | null;
  latestAllowedEntryTime?: Date | null;
  /** Replaces every title; null removes them; undefined keeps them. */
  titles?: readonly LocalizedTitle[] | null;
}

export interface SubmitEntryInput {
  apiName: string;
  score: bigint;
  extraDataBase64?: string | null;
  /** Overwrite the player's entry even with a worse score. */
  forceUpdate?: boolean;
  /** SERVER_AUTHORITATIVE boards: the app writes for this player. */
  userId?: string;
  /** CLIENT_AUTHORITATIVE boards: the player's own token (Graph refuses `user_id` with it). */
  userToken?: string;
}

export interface SubmitEntryResult {
  /** False when the player's entry was better (or equal) and `forceUpdate` was not set. */
  didUpdate: boolean;
  updatedChallengeIds: string[];
}

/** Whether a read starts at, or is filtered by, the viewer: it then needs their user token. */
export function viewerBound(query: Pick<EntriesQuery, 'startAt' | 'filter'>): boolean {
  return query.startAt === 'CENTERED_ON_VIEWER' || query.startAt === 'CENTERED_ON_VIEWER_OR_TOP' || query.filter === 'FRIENDS';
}

/** The checks `entries` makes of a query's paging and filter arguments, for callers that must refuse them before any call. */
export function assertEntriesQuery(query: Pick<EntriesQuery, 'startAt' | 'offset' | 'filter' | 'userIds' | 'limit'>): void {
  if ((query.startAt === 'OFFSET') !== (query.offset !== undefined)) {
    throw new InvalidArgumentError('offset', 'offset is required with startAt OFFSET and allowed only with it');
  }
  if (query.offset !== undefined && !(Number.isSafeInteger(query.offset) && query.offset >= 0)) {
    throw new InvalidArgumentError('offset', 'offset must be a non-negative integer');
  }
  if ((query.filter === 'USER_IDS') !== (query.userIds !== undefined)) {
    throw new InvalidArgumentError('userIds', 'userIds is required with filter USER_IDS and allowed only with it');
  }
  if (query.userIds) {
    if (query.userIds.length === 0 || query.userIds.length > MAX_USER_IDS_PER_CALL) {
      throw new InvalidArgumentError('userIds', `userIds must list 1 to ${MAX_USER_IDS_PER_CALL} users`);
    }
    query.userIds.forEach((id) => assertGraphId('userIds', id));
  }
  if (query.limit !== undefined && !(Number.isSafeInteger(query.limit) && query.limit > 0))
    throw new InvalidArgumentError('limit', 'limit must be a positive integer');
}

/** Bytes that standard, padded base64 decodes to; undefined when it is not base64. */
export function extraDataSize(value: string): number | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  return (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
}

export function assertExtraData(value: string): void {
  const size = extraDataSize(value);
  if (size === undefined) throw new InvalidArgumentError('extraDataBase64', 'extraDataBase64 must be standard base64 (A-Z, a-z, 0-9, +, /, = padding)');
  if (size > MAX_EXTRA_DATA_BYTES)
    throw new InvalidArgumentError('extraDataBase64', `extraDataBase64 decodes to ${size} bytes; Horizon takes at most ${MAX_EXTRA_DATA_BYTES}`);
}

/** Every check `upsert` makes on its input, for callers that must refuse it before reading anything. */
export function assertLeaderboardInput(input: Pick<LeaderboardInput, 'apiName' | 'earliestAllowedEntryTime' | 'latestAllowedEntryTime' | 'titles'>): void {
  assertApiName('apiName', input.apiName);
  unixSeconds('earliestAllowedEntryTime', input.earliestAllowedEntryTime);
  unixSeconds('latestAllowedEntryTime', input.latestAllowedEntryTime);
  if (input.titles) titleLocaleMap(input.titles);
}

export function unixSeconds(argument: string, value: Date | null | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Graph reads 0 as "no bound".
  if (value === null) return 0;
  if (Number.isNaN(value.getTime()) || value.getTime() < 1000) throw new InvalidArgumentError(argument, `${argument} must be a date after 1970`);
  return Math.floor(value.getTime() / 1000);
}

export function titleLocaleMap(titles: readonly LocalizedTitle[]): string {
  const map: Record<string, string> = {};
  for (const { locale, title } of titles) {
    if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(locale)) throw new InvalidArgumentError('titles', `locale ${locale} must look like en_US`);
    if (title.trim() === '' || title.length > 256) throw new InvalidArgumentError('titles', `the ${locale} title must be 1-256 characters`);
    if (locale in map) throw new InvalidArgumentError('titles', `locale ${locale} is listed twice`);
    map[locale] = title;
  }
  return JSON.stringify(map);
}
