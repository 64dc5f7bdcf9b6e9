/**
 * Leaderboards endpoints (docs/horizon-api.md): boards (list, upsert, delete), entries (read with
 * every `filter` and `start_at`, by id, submit, delete one or all). Scores are int64 and come
 * back as bigints: Graph may write them as JSON numbers or strings, and numbers past 2^53 are
 * read losslessly (`losslessIntegerFields`).
 */
import { InvalidArgumentError } from '../lib/errors.js';
import { CODE_UNKNOWN_LEADERBOARD, HorizonApiError } from './errors.js';
import { assertApiName, assertGraphId } from './ids.js';
import { assertEntriesQuery, assertExtraData, titleLocaleMap, unixSeconds, viewerBound } from './leaderboards/model.js';
import type { EntriesPage, EntriesQuery, Leaderboard, LeaderboardEntry, LeaderboardInput, SubmitEntryInput, SubmitEntryResult } from './leaderboards/model.js';
import * as wire from './leaderboards/wire.js';
import { collectAllPages, cursorFromUrl, isSuccess, parseGraphId, readPage, withDocumentedFields, withGuessedFields, withParamSpelling } from './params.js';
import type { Credential, RequestSender } from './request.js';
import type { CancelSignal } from './signal.js';

export * from './leaderboards/model.js';

/** Page size asked of Graph when reading everything (real clients use 100, docs/horizon-api.md). */
const PAGE_LIMIT = 100;
/** Boards read at once while looking for an entry's board (`getEntry` without the leaderboard edge). */
const BOARD_SCAN_CONCURRENCY = 4;

export class LeaderboardsApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /{app_id}/leaderboards`, all pages; `apiName` narrows it to that board (an empty list when none). */
  async list(options: { apiName?: string; signal?: CancelSignal } = {}): Promise<Leaderboard[]> {
    if (options.apiName !== undefined) assertApiName('apiName', options.apiName);
    return collectAllPages(async (after) =>
      readPage(
        await withDocumentedFields(this.transport.refusedFields, wire.LEADERBOARD_FIELDS, (fields) =>
          this.transport.request({
            method: 'GET',
            path: `/${this.transport.appId}/leaderboards`,
            endpoint: 'GET /{app_id}/leaderboards',
            params: { api_name: options.apiName, fields, limit: PAGE_LIMIT, after },
            signal: options.signal,
          }),
        ),
        wire.toLeaderboard,
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
    return isSuccess(body.success);
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
    const send = (startAtSpelling: wire.StartAtSpelling, userIdsFormat: wire.UserIdsFormat | undefined) =>
      withGuessedFields(refused, [wire.ENTRY_USER_ORG_SCOPED_ID], wire.entryFields, async (fields, asked) => ({
        asked,
        body: await this.transport.request<Body>({
          method: 'GET',
          path: '/leaderboard_entries',
          endpoint: 'GET /leaderboard_entries',
          params: {
            api_name: query.apiName,
            start_at: startAt === 'TOP' || startAt === 'OFFSET' ? startAt : wire.VIEWER_START_SPELLINGS[startAtSpelling][startAt],
            offset: query.offset,
            filter,
            user_ids: query.userIds && userIdsFormat ? wire.USER_IDS_FORMATS[userIdsFormat](query.userIds) : undefined,
            limit: query.limit,
            after: query.after,
            summary: query.summary ? true : undefined,
            fields,
          },
          credential,
          losslessIntegerFields: wire.LOSSLESS,
          signal: query.signal,
        }),
      }));
    // Each unconfirmed wire form is tried in its best-sourced spelling first (see withParamSpelling).
    const withUserIds = (startAtSpelling: wire.StartAtSpelling) =>
      query.userIds
        ? withParamSpelling(refused, 'leaderboard_entries.user_ids', wire.USER_IDS_FORMAT_ORDER, wire.mayRefuse('user_ids'), (format) =>
            send(startAtSpelling, format),
          )
        : send(startAtSpelling, undefined);
    const { body, asked } =
      startAt === 'TOP' || startAt === 'OFFSET'
        ? await withUserIds('docs')
        : await withParamSpelling(refused, 'leaderboard_entries.start_at', wire.START_AT_SPELLINGS, wire.mayRefuse('start_at'), withUserIds);
    const missing = wire.missingUserFields(asked);
    const page = readPage(body, (raw: wire.RawEntry) => wire.toEntry(raw, query.apiName, missing));
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
      [wire.ENTRY_LEADERBOARD, wire.ENTRY_USER_ORG_SCOPED_ID],
      wire.entryFields,
      async (fields, asked) => ({
        asked,
        raw: await this.transport.request<wire.RawEntry>({
          method: 'GET',
          path: `/${entryId}`,
          endpoint: 'GET /{entry_id}',
          params: { fields },
          losslessIntegerFields: wire.LOSSLESS,
          signal,
        }),
      }),
    );
    if (typeof raw.leaderboard?.api_name === 'string') return wire.toEntry(raw, raw.leaderboard.api_name, wire.missingUserFields(asked));
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
    const candidates = (await boards()).toSorted((a, b) => Number(b.entryCount > 0) - Number(a.entryCount > 0));
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
    if (BigInt.asIntN(64, input.score) !== input.score) throw new InvalidArgumentError('score', 'score must be a 64-bit integer');
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
      didUpdate: isSuccess(body.did_update),
      updatedChallengeIds: Array.isArray(body.updated_challenge_ids) ? body.updated_challenge_ids.map(parseGraphId) : [],
    };
  }

  /** `DELETE /{entry_id}`. */
  async deleteEntry(entryId: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('entryId', entryId);
    const body = await this.transport.request<{ success?: unknown }>({ method: 'DELETE', path: `/${entryId}`, endpoint: 'DELETE /{entry_id}', signal });
    return isSuccess(body.success);
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
    return isSuccess(body.success);
  }
}
