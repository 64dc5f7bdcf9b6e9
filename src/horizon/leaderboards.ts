/**
 * Leaderboards endpoints (docs/horizon-api.md): boards (list, upsert, delete), entries (read with
 * every `filter` and `start_at`, by id, submit, delete one or all). Scores are int64 and come
 * back as bigints: Graph may write them as JSON numbers or strings, and numbers past 2^53 are
 * read losslessly (`losslessIntegerFields`).
 */
import type { CancelSignal } from './signal.js';
import { CODE_UNKNOWN_LEADERBOARD, HorizonApiError } from './errors.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertApiName, assertGraphId } from './ids.js';
import {
  collectAllPages,
  fieldsParam,
  jsonArrayParam,
  parseGraphId,
  parseGraphInt,
  parseGraphTime,
  readPage,
  withDocumentedFields,
  withGuessedFields,
  withParamSpelling,
  type FieldChoice,
  type GuessedField,
} from './params.js';
import type { Credential, RequestSender } from './request.js';
import { toUser, type HorizonUser, type ProfileField } from './users.js';

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
/** Page size asked of Graph when reading everything (real clients use 100, docs/horizon-api.md). */
const PAGE_LIMIT = 100;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

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

/** Read fields: documented ones, and the time window and titles under their write names [GUESS]. */
const DOCUMENTED_LEADERBOARD_FIELDS = ['id', 'api_name', 'sort_order', 'entry_write_policy', 'entry_count'];
const LEADERBOARD_FIELDS: FieldChoice = {
  name: 'leaderboard',
  preferred: fieldsParam([...DOCUMENTED_LEADERBOARD_FIELDS, 'earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map']),
  documented: fieldsParam(DOCUMENTED_LEADERBOARD_FIELDS),
};
/**
 * Entry fields. Documented (ps-leaderboards-s2s): `id, user, rank, score, timestamp,
 * extra_data_base64`, the user as `user{id,alias,profile_url}` (+ `display_name` in the
 * reference's field list). Guessed (docs/horizon-api.md), each dropped on its own when refused:
 * `org_scoped_id` inside the user (then read from the profile, `GET /{user_id}`, where it is
 * documented), and the entry → `leaderboard{id,api_name}` edge of `GET /{entry_id}` (then the
 * board is found with documented reads, see `getEntry`).
 */
const ENTRY_SCALARS = ['id', 'rank', 'score', 'timestamp', 'extra_data_base64'];
const DOCUMENTED_ENTRY_USER_FIELDS = ['id', 'alias', 'display_name', 'profile_url'];
const ENTRY_USER_ORG_SCOPED_ID: GuessedField = { name: 'leaderboard_entry.user.org_scoped_id', field: 'org_scoped_id' };
const ENTRY_LEADERBOARD: GuessedField = { name: 'leaderboard_entry.leaderboard', field: 'leaderboard' };
const entrySelections = new Map<string, string>();
function entryFields(asked: ReadonlySet<string>): string {
  const key = [...asked].sort().join(',');
  let fields = entrySelections.get(key);
  if (fields === undefined) {
    const user = asked.has(ENTRY_USER_ORG_SCOPED_ID.name) ? [...DOCUMENTED_ENTRY_USER_FIELDS, 'org_scoped_id'] : DOCUMENTED_ENTRY_USER_FIELDS;
    fields = fieldsParam([...ENTRY_SCALARS, { user }, ...(asked.has(ENTRY_LEADERBOARD.name) ? [{ leaderboard: ['id', 'api_name'] }] : [])]);
    entrySelections.set(key, fields);
  }
  return fields;
}
/** What an entry's nested user lacks when `org_scoped_id` could not be asked there. */
function missingUserFields(asked: ReadonlySet<string>): readonly ProfileField[] {
  return asked.has(ENTRY_USER_ORG_SCOPED_ID.name) ? [] : ['orgScopedId'];
}
/** `score` may exceed 2^53. */
const LOSSLESS = ['score'] as const;

/**
 * The viewer-centred starts on the wire. ps-challenges-s2s spells them `VIEWER` and
 * `VIEWER_OR_TOP`; the SDK enum says `CENTERED_ON_VIEWER(_OR_TOP)`; which one graph.oculus.com
 * takes is unresolved (docs/horizon-api.md). The docs' spelling is sent first (docs outrank the
 * SDK); see `withParamSpelling` for the fallback.
 */
const VIEWER_START_SPELLINGS = {
  docs: { CENTERED_ON_VIEWER: 'VIEWER', CENTERED_ON_VIEWER_OR_TOP: 'VIEWER_OR_TOP' },
  sdk: { CENTERED_ON_VIEWER: 'CENTERED_ON_VIEWER', CENTERED_ON_VIEWER_OR_TOP: 'CENTERED_ON_VIEWER_OR_TOP' },
} as const;
type StartAtSpelling = keyof typeof VIEWER_START_SPELLINGS;
const START_AT_SPELLINGS: readonly [StartAtSpelling, ...StartAtSpelling[]] = ['docs', 'sdk'];

/**
 * `user_ids` on the wire (docs/horizon-api.md: "List of integers", wire format unconfirmed): a JSON
 * array of strings first, as Graph's documented array parameters are written (`api_names`),
 * then of integers, then a comma-separated list.
 */
const USER_IDS_FORMATS = {
  'json-strings': (ids: readonly string[]) => jsonArrayParam(ids),
  'json-numbers': (ids: readonly string[]) => `[${ids.join(',')}]`,
  csv: (ids: readonly string[]) => ids.join(','),
} as const;
type UserIdsFormat = keyof typeof USER_IDS_FORMATS;
const USER_IDS_FORMAT_ORDER: readonly [UserIdsFormat, ...UserIdsFormat[]] = ['json-strings', 'json-numbers', 'csv'];

/** Boards read at once while looking for an entry's board (`getEntry` without the leaderboard edge). */
const BOARD_SCAN_CONCURRENCY = 4;

export class LeaderboardsApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /{app_id}/leaderboards`, all pages; `apiName` narrows it to that board (an empty list when none). */
  async list(options: { apiName?: string; signal?: CancelSignal } = {}): Promise<Leaderboard[]> {
    if (options.apiName !== undefined) assertApiName('apiName', options.apiName);
    return collectAllPages(async (after) =>
      readPage(
        await withDocumentedFields(this.transport.refusedFields, LEADERBOARD_FIELDS, (fields) =>
          this.transport.request({
            method: 'GET',
            path: `/${this.transport.appId}/leaderboards`,
            endpoint: 'GET /{app_id}/leaderboards',
            params: { api_name: options.apiName, fields, limit: PAGE_LIMIT, after },
            signal: options.signal,
          }),
        ),
        toLeaderboard,
      ),
    );
  }

  /** One board by api name, or null. */
  async get(apiName: string, signal?: CancelSignal): Promise<Leaderboard | null> {
    const [board] = (await this.list({ apiName, signal })).filter((b) => b.apiName === apiName);
    return board ?? null;
  }

  /** `POST /{app_id}/leaderboards`: creates a board or updates the one with the same api name. */
  async upsert(input: LeaderboardInput, signal?: CancelSignal): Promise<{ id: string }> {
    assertApiName('apiName', input.apiName);
    const body = await this.transport.request<{ id?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/leaderboards`,
      endpoint: 'POST /{app_id}/leaderboards',
      params: {
        api_name: input.apiName,
        sort_order: input.sortOrder,
        entry_write_policy: input.writePolicy,
        earliest_allowed_entry_time: unixSeconds('earliestAllowedEntryTime', input.earliestAllowedEntryTime),
        latest_allowed_entry_time: unixSeconds('latestAllowedEntryTime', input.latestAllowedEntryTime),
        title_locale_map: input.titles === undefined ? undefined : titleLocaleMap(input.titles ?? []),
      },
      // An upsert by api name: sending it twice leaves the same board.
      idempotent: true,
      signal,
    });
    return { id: parseGraphId(body.id) };
  }

  /** `DELETE /{leaderboard_id}`: the board and all its entries. Irreversible. */
  async delete(leaderboardId: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('leaderboardId', leaderboardId);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'DELETE',
      path: `/${leaderboardId}`,
      endpoint: 'DELETE /{leaderboard_id}',
      signal,
    });
    return body.success === true;
  }

  /** `GET /leaderboard_entries`: one page. */
  async entries(query: EntriesQuery): Promise<EntriesPage> {
    assertApiName('apiName', query.apiName);
    assertEntriesQuery(query);
    const startAt = query.startAt ?? 'TOP';
    const filter = query.filter ?? 'NONE';
    if (viewerBound(query) && !query.userToken) {
      throw new InvalidArgumentError('userToken', `start_at=${startAt} with filter=${filter} is relative to the viewer and needs their user token`);
    }
    const credential: Credential = query.userToken ? { kind: 'user', token: query.userToken } : { kind: 'app' };
    type Body = { paging?: { cursors?: { before?: unknown; after?: unknown }; next?: unknown; previous?: unknown } };
    const refused = this.transport.refusedFields;
    const send = (startAtSpelling: StartAtSpelling, userIdsFormat: UserIdsFormat | undefined) =>
      withGuessedFields(refused, [ENTRY_USER_ORG_SCOPED_ID], entryFields, async (fields, asked) => ({
        asked,
        body: await this.transport.request<Body>({
          method: 'GET',
          path: '/leaderboard_entries',
          endpoint: 'GET /leaderboard_entries',
          params: {
            api_name: query.apiName,
            start_at: startAt === 'TOP' || startAt === 'OFFSET' ? startAt : VIEWER_START_SPELLINGS[startAtSpelling][startAt],
            offset: query.offset,
            filter,
            user_ids: query.userIds && userIdsFormat ? USER_IDS_FORMATS[userIdsFormat](query.userIds) : undefined,
            limit: query.limit,
            after: query.after,
            summary: query.summary ? true : undefined,
            fields,
          },
          credential,
          losslessIntegerFields: LOSSLESS,
          signal: query.signal,
        }),
      }));
    // Each unconfirmed wire form is tried in its best-sourced spelling first (see withParamSpelling).
    const withUserIds = (startAtSpelling: StartAtSpelling) =>
      query.userIds
        ? withParamSpelling(refused, 'leaderboard_entries.user_ids', USER_IDS_FORMAT_ORDER, mayRefuse('user_ids'), (format) => send(startAtSpelling, format))
        : send(startAtSpelling, undefined);
    const { body, asked } =
      startAt === 'TOP' || startAt === 'OFFSET'
        ? await withUserIds('docs')
        : await withParamSpelling(refused, 'leaderboard_entries.start_at', START_AT_SPELLINGS, mayRefuse('start_at'), withUserIds);
    const missing = missingUserFields(asked);
    const page = readPage(body, (raw: RawEntry) => toEntry(raw, query.apiName, missing));
    const paging = body.paging ?? {};
    const cursor = (value: unknown, link: unknown, name: string) =>
      typeof value === 'string' && value !== '' ? value : typeof link === 'string' ? cursorFromUrl(link, name) : undefined;
    return {
      entries: page.items,
      beforeCursor: cursor(paging.cursors?.before, paging.previous, 'before'),
      afterCursor: cursor(paging.cursors?.after, paging.next, 'after'),
      hasNext: page.after !== undefined,
      hasPrevious: typeof paging.previous === 'string' && paging.previous !== '',
      totalCount: page.totalCount,
    };
  }

  /** The entries of the named players on one board (`filter=USER_IDS`), all pages; players without one are absent. */
  async entriesOfUsers(apiName: string, userIds: readonly string[], signal?: CancelSignal): Promise<LeaderboardEntry[]> {
    return collectAllPages(async (after) => {
      const page = await this.entries({ apiName, filter: 'USER_IDS', userIds, limit: PAGE_LIMIT, after, signal });
      return { items: page.entries, after: page.hasNext ? page.afterCursor : undefined, before: undefined, totalCount: undefined };
    });
  }

  /**
   * `GET /{entry_id}`: an entry by id, with its board; null when it disappeared while its board
   * was being looked for. The board comes from the entry's `leaderboard{id,api_name}` edge, a
   * guess (docs/horizon-api.md): when Graph refuses it, the entry's documented fields are read and
   * its board found with documented calls only: the player's entry (`filter=USER_IDS`) on each
   * of the app's boards (`boards`, e.g. a shared cached list; default `list()`), until one has
   * this entry id. That costs a call per board, and is paid only after such a refusal.
   */
  async getEntry(entryId: string, signal?: CancelSignal, options: { boards?: () => Promise<readonly Leaderboard[]> } = {}): Promise<LeaderboardEntry | null> {
    assertGraphId('entryId', entryId);
    const { raw, asked } = await withGuessedFields(
      this.transport.refusedFields,
      [ENTRY_LEADERBOARD, ENTRY_USER_ORG_SCOPED_ID],
      entryFields,
      async (fields, asked) => ({
        asked,
        raw: await this.transport.request<RawEntry>({
          method: 'GET',
          path: `/${entryId}`,
          endpoint: 'GET /{entry_id}',
          params: { fields },
          losslessIntegerFields: LOSSLESS,
          signal,
        }),
      }),
    );
    if (typeof raw.leaderboard?.api_name === 'string') return toEntry(raw, raw.leaderboard.api_name, missingUserFields(asked));
    if (!raw.user || raw.user.id === undefined) throw new TypeError('leaderboard entry has no user');
    return this.findOnBoards(parseGraphId(raw.id ?? entryId), parseGraphId(raw.user.id), options.boards ?? (() => this.list({ signal })), signal);
  }

  /** The entry with this id among the player's entries on the app's boards; null when none has it. */
  private async findOnBoards(
    entryId: string,
    userId: string,
    boards: () => Promise<readonly Leaderboard[]>,
    signal: CancelSignal | undefined,
  ): Promise<LeaderboardEntry | null> {
    // Boards with entries first: the entry's board has at least this one (unless the list is stale).
    const candidates = [...(await boards())].sort((a, b) => Number(b.entryCount > 0) - Number(a.entryCount > 0));
    for (let i = 0; i < candidates.length; i += BOARD_SCAN_CONCURRENCY) {
      const found = await Promise.all(
        candidates.slice(i, i + BOARD_SCAN_CONCURRENCY).map(async (board) => {
          try {
            return (await this.entriesOfUsers(board.apiName, [userId], signal)).find((e) => e.id === entryId);
          } catch (error) {
            // A board deleted since the list was read has not got it.
            if (error instanceof HorizonApiError && error.code === CODE_UNKNOWN_LEADERBOARD) return undefined;
            throw error;
          }
        }),
      );
      const entry = found.find((e) => e !== undefined);
      if (entry) return entry;
    }
    return null;
  }

  /**
   * `POST /leaderboard_submit_entry`. Keeps the player's best score unless `forceUpdate`;
   * `didUpdate: false` is an answer, not an error. SERVER_AUTHORITATIVE boards take the app
   * token and `userId`, CLIENT_AUTHORITATIVE ones the player's `userToken`.
   */
  async submitEntry(input: SubmitEntryInput, signal?: CancelSignal): Promise<SubmitEntryResult> {
    assertApiName('apiName', input.apiName);
    if ((input.userId === undefined) === (input.userToken === undefined)) {
      throw new InvalidArgumentError('userId', 'give either userId (app writes, SERVER_AUTHORITATIVE) or userToken (player writes, CLIENT_AUTHORITATIVE)');
    }
    if (input.userId !== undefined) assertGraphId('userId', input.userId);
    if (input.score < INT64_MIN || input.score > INT64_MAX) throw new InvalidArgumentError('score', 'score must be a 64-bit integer');
    if (input.extraDataBase64 !== undefined && input.extraDataBase64 !== null) assertExtraData(input.extraDataBase64);
    const body = await this.transport.request<{ did_update?: unknown; updated_challenge_ids?: unknown }>({
      method: 'POST',
      path: '/leaderboard_submit_entry',
      endpoint: 'POST /leaderboard_submit_entry',
      params: {
        api_name: input.apiName,
        score: input.score.toString(),
        extra_data_base64: input.extraDataBase64,
        force_update: input.forceUpdate ? true : undefined,
        user_id: input.userId,
      },
      credential: input.userToken ? { kind: 'user', token: input.userToken } : { kind: 'app' },
      // Best-score keeping makes a resend harmless; a forced write is not (a worse score may have landed since).
      idempotent: !input.forceUpdate,
      signal,
    });
    return {
      didUpdate: body.did_update === true || body.did_update === 'true',
      updatedChallengeIds: Array.isArray(body.updated_challenge_ids) ? body.updated_challenge_ids.map(parseGraphId) : [],
    };
  }

  /** `DELETE /{entry_id}`. */
  async deleteEntry(entryId: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('entryId', entryId);
    const body = await this.transport.request<{ success?: unknown }>({ method: 'DELETE', path: `/${entryId}`, endpoint: 'DELETE /{entry_id}', signal });
    return body.success === true;
  }

  /** `POST /leaderboard_remove_all_entries`: empties a board. Irreversible. */
  async removeAllEntries(apiName: string, signal?: CancelSignal): Promise<boolean> {
    assertApiName('apiName', apiName);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path: '/leaderboard_remove_all_entries',
      endpoint: 'POST /leaderboard_remove_all_entries',
      params: { api_name: apiName },
      idempotent: true,
      signal,
    });
    return body.success === true;
  }
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

/**
 * Whether a code-100 refusal may be of `param`'s spelling: it names `param`, or names nothing
 * else it could be about (Graph's "Param X ..." / "Parameter X: ..." for another parameter,
 * an unknown player, a missing user token, a refused field).
 */
function mayRefuse(param: string): (error: HorizonApiError) => boolean {
  return (error) => {
    const message = error.upstreamMessage;
    if (/invalid user id|access token|nonexisting field/i.test(message)) return false;
    if (new RegExp(`\\b${param}\\b`, 'i').test(message)) return true;
    const named = /\bparam(?:eter)?\s+([a-z_]+)/i.exec(message)?.[1];
    return named === undefined;
  };
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

/** An int64 score as Graph sends it: a JSON number (exact only below 2^53) or a string of digits. */
export function parseScore(value: unknown): bigint {
  let score: bigint | undefined;
  if (typeof value === 'bigint') score = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) score = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) score = BigInt(value.trim());
  // An unsafe number already lost digits in JSON.parse: refuse it rather than return a wrong score.
  if (score === undefined || score < INT64_MIN || score > INT64_MAX) throw new TypeError('leaderboard entry score is not a 64-bit integer');
  return score;
}

interface RawLeaderboard {
  id?: unknown;
  api_name?: unknown;
  sort_order?: unknown;
  entry_write_policy?: unknown;
  entry_count?: unknown;
  earliest_allowed_entry_time?: unknown;
  latest_allowed_entry_time?: unknown;
  title_locale_map?: unknown;
}

interface RawEntry {
  id?: unknown;
  rank?: unknown;
  score?: unknown;
  timestamp?: unknown;
  extra_data_base64?: unknown;
  user?: { id?: unknown };
  leaderboard?: { api_name?: unknown };
}

export function toLeaderboard(raw: RawLeaderboard): Leaderboard {
  if (typeof raw.api_name !== 'string') throw new TypeError('leaderboard has no api_name');
  const titles = raw.title_locale_map && typeof raw.title_locale_map === 'object' ? (raw.title_locale_map as Record<string, unknown>) : {};
  return {
    id: parseGraphId(raw.id),
    apiName: raw.api_name,
    sortOrder: SORT_ORDERS.includes(raw.sort_order as SortOrder) ? (raw.sort_order as SortOrder) : 'HIGHER_IS_BETTER',
    writePolicy: ENTRY_WRITE_POLICIES.includes(raw.entry_write_policy as EntryWritePolicy)
      ? (raw.entry_write_policy as EntryWritePolicy)
      : 'CLIENT_AUTHORITATIVE',
    entryCount: parseGraphInt(raw.entry_count) ?? 0,
    earliestAllowedEntryTime: parseGraphTime(raw.earliest_allowed_entry_time),
    latestAllowedEntryTime: parseGraphTime(raw.latest_allowed_entry_time),
    titles: Object.entries(titles)
      .filter((pair): pair is [string, string] => typeof pair[1] === 'string')
      .map(([locale, title]) => ({ locale, title }))
      .sort((a, b) => a.locale.localeCompare(b.locale)),
  };
}

function toEntry(raw: RawEntry, apiName: string, missingUserFields: readonly ProfileField[]): LeaderboardEntry {
  if (!raw.user || raw.user.id === undefined) throw new TypeError('leaderboard entry has no user');
  const rank = parseGraphInt(raw.rank);
  if (rank === undefined) throw new TypeError('leaderboard entry has no rank');
  return {
    id: parseGraphId(raw.id),
    leaderboardApiName: apiName,
    rank,
    score: parseScore(raw.score),
    timestamp: parseGraphTime(raw.timestamp),
    extraDataBase64: typeof raw.extra_data_base64 === 'string' && raw.extra_data_base64 !== '' ? raw.extra_data_base64 : null,
    user: toUser(raw.user, missingUserFields),
  };
}

/** Every check `upsert` makes on its input, for callers that must refuse it before reading anything. */
export function assertLeaderboardInput(input: Pick<LeaderboardInput, 'apiName' | 'earliestAllowedEntryTime' | 'latestAllowedEntryTime' | 'titles'>): void {
  assertApiName('apiName', input.apiName);
  unixSeconds('earliestAllowedEntryTime', input.earliestAllowedEntryTime);
  unixSeconds('latestAllowedEntryTime', input.latestAllowedEntryTime);
  if (input.titles) titleLocaleMap(input.titles);
}

function unixSeconds(argument: string, value: Date | null | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Graph reads 0 as "no bound".
  if (value === null) return 0;
  if (Number.isNaN(value.getTime()) || value.getTime() < 1000) throw new InvalidArgumentError(argument, `${argument} must be a date after 1970`);
  return Math.floor(value.getTime() / 1000);
}

function titleLocaleMap(titles: readonly LocalizedTitle[]): string {
  const map: Record<string, string> = {};
  for (const { locale, title } of titles) {
    if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(locale)) throw new InvalidArgumentError('titles', `locale ${locale} must look like en_US`);
    if (title.trim() === '' || title.length > 256) throw new InvalidArgumentError('titles', `the ${locale} title must be 1-256 characters`);
    if (locale in map) throw new InvalidArgumentError('titles', `locale ${locale} is listed twice`);
    map[locale] = title;
  }
  return JSON.stringify(map);
}

function cursorFromUrl(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}
