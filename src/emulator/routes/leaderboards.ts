/**
 * Leaderboards (docs/horizon-api.md): board upsert and listing, entry reads with every `filter` and
 * `start_at`, score submission with both write policies, best-score keeping, the allowed time
 * window and extra data, and the deletes (entry and board by node id, all entries by name).
 */
import {
  errors,
  GraphError,
  JsonInteger,
  nowSeconds,
  paginate,
  parseBool,
  parseIntParam,
  parseJsonArray,
  project,
  required,
  requiredApiName,
  type NodeShape,
} from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import { ENTRY_WRITE_POLICIES, SORT_ORDERS, type EmulatedLeaderboard, type EmulatedLeaderboardEntry, type RankedEntry } from '../data/leaderboards.js';
import type { EmulatorState, UserIdsFormat } from '../state.js';
import { actingUser, requireApp, requireOwnApp } from './common.js';
import type { NodeKind } from './nodes.js';
import { USER_SHAPE, userNode } from './users.js';

export const LEADERBOARD_SHAPE: NodeShape = {
  type: 'Leaderboard',
  // `api_name`, `sort_order`, `entry_write_policy`, `entry_count` are documented for reads;
  // the time window and `title_locale_map` are readable under their write names [GUESS].
  fields: ['id', 'api_name', 'sort_order', 'entry_write_policy', 'entry_count', 'earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map'],
  guessed: ['earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map'],
};

/**
 * A player nested in an entry: the docs show `user{id,alias,profile_url}` and the field list in docs/horizon-api.md
 * field list adds `display_name`; `org_scoped_id` is readable there only by guess (reference
 * §11), although `GET /{user_id}` documents it.
 */
const ENTRY_USER_SHAPE: NodeShape = { ...USER_SHAPE, guessed: ['org_scoped_id'] };

export const ENTRY_SHAPE: NodeShape = {
  type: 'LeaderboardEntry',
  // `leaderboard` mirrors challenge entries' `challenge` edge, undocumented for leaderboard
  // entries (docs/horizon-api.md) [GUESS]; the rest is documented (ps-leaderboards-s2s).
  fields: ['id', 'user', 'rank', 'score', 'timestamp', 'extra_data_base64', 'leaderboard'],
  nested: { user: ENTRY_USER_SHAPE, leaderboard: LEADERBOARD_SHAPE },
  guessed: ['leaderboard'],
};

const FILTERS = ['NONE', 'FRIENDS', 'USER_IDS'] as const;
/** The viewer-centred starts in the docs' spelling (ps-challenges-s2s) and the SDK enum's (docs/horizon-api.md). */
const DOCS_VIEWER_STARTS = ['VIEWER', 'VIEWER_OR_TOP'] as const;
const SDK_VIEWER_STARTS = ['CENTERED_ON_VIEWER', 'CENTERED_ON_VIEWER_OR_TOP'] as const;
const VIEWER_STARTS = {
  both: [...DOCS_VIEWER_STARTS, ...SDK_VIEWER_STARTS],
  docs: DOCS_VIEWER_STARTS,
  sdk: SDK_VIEWER_STARTS,
} as const;
type StartAt = 'TOP' | 'OFFSET' | (typeof DOCS_VIEWER_STARTS)[number] | (typeof SDK_VIEWER_STARTS)[number];
const DEFAULT_ENTRY_LIMIT = 25;
/** Real clients ask for 100 entries a page (docs/horizon-api.md); larger asks get this many. */
const MAX_ENTRY_LIMIT = 100;
const MAX_USER_IDS = 100;
const MAX_EXTRA_DATA_BYTES = 2048;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export const CODE_NOT_RANKED = 12074;

export const leaderboardRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/:app_id/leaderboards',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const apiName = ctx.params.api_name;
      let boards = [...ctx.state.leaderboards.boards.values()];
      if (apiName) boards = boards.filter((b) => b.api_name === apiName);
      const { page, paging } = paginate(boards, ctx.params, ctx.selfUrl);
      return {
        data: page.map((b) => project(leaderboardNode(ctx.state, b), LEADERBOARD_SHAPE, ctx.fields, ctx.state.behavior.refuseGuessedFields)),
        ...(paging ? { paging } : {}),
      };
    },
  },
  {
    method: 'POST',
    pattern: '/:app_id/leaderboards',
    handler: (ctx) => {
      requireOwnApp(ctx);
      requireApp(ctx);
      return { id: upsertLeaderboard(ctx.state, ctx.params).id };
    },
  },
  {
    method: 'GET',
    pattern: '/leaderboard_entries',
    handler: (ctx) => readEntries(ctx),
  },
  {
    method: 'POST',
    pattern: '/leaderboard_submit_entry',
    handler: (ctx) => submitEntry(ctx),
  },
  {
    method: 'POST',
    pattern: '/leaderboard_remove_all_entries',
    handler: (ctx) => {
      requireApp(ctx);
      const board = boardNamed(ctx.state, required(ctx.params, 'api_name'));
      ctx.state.leaderboards.entries.delete(board.id);
      return { success: true };
    },
  },
];

/** Boards and entries are Graph nodes: `GET /{id}` reads them, `DELETE /{id}` removes them (app token). */
export const leaderboardNodes: NodeKind[] = [
  {
    shape: LEADERBOARD_SHAPE,
    find: (state, id) => {
      const board = state.leaderboards.boardById(id);
      return board ? leaderboardNode(state, board) : undefined;
    },
    remove: (ctx, id) => {
      requireApp(ctx);
      ctx.state.leaderboards.removeBoard(ctx.state.leaderboards.boardById(id)!);
      return { success: true };
    },
  },
  {
    shape: ENTRY_SHAPE,
    find: (state, id) => {
      const found = state.leaderboards.entryById(id);
      if (!found) return undefined;
      const ranked = state.leaderboards.ranked(found.board).find((r) => r.entry.id === id)!;
      return entryNode(state, found.board, ranked);
    },
    remove: (ctx, id) => {
      requireApp(ctx);
      const { board, entry } = ctx.state.leaderboards.entryById(id)!;
      ctx.state.leaderboards.entriesOf(board.id).delete(entry.user_id);
      return { success: true };
    },
  },
];

function leaderboardNode(state: EmulatorState, board: EmulatedLeaderboard): Record<string, unknown> {
  return { ...board, title_locale_map: { ...board.title_locale_map }, entry_count: state.leaderboards.entries.get(board.id)?.size ?? 0 };
}

function entryNode(state: EmulatorState, board: EmulatedLeaderboard, { entry, rank }: RankedEntry): Record<string, unknown> {
  const user = state.users.get(entry.user_id);
  return {
    id: entry.id,
    user: user ? userNode(user) : { id: entry.user_id },
    rank,
    score: state.leaderboards.scoreEncoding === 'string' ? entry.score.toString() : new JsonInteger(entry.score),
    timestamp: entry.timestamp,
    extra_data_base64: entry.extra_data_base64,
    leaderboard: leaderboardNode(state, board),
  };
}

function boardNamed(state: EmulatorState, apiName: string): EmulatedLeaderboard {
  const board = state.leaderboards.boards.get(apiName);
  // Horizon's answer to a submit for a board the app lacks (docs/horizon-api.md); its message is
  // generic, so reads and remove-all answer the same.
  if (!board) throw errors.unknownLeaderboard(apiName);
  return board;
}

function enumParam<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw errors.param(`Param ${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * `["1","2"]` as Graph's array parameters are written, `[1,2]` (integers, read exactly however
 * large), or a plain `1,2` list; only the forms `accepted` names.
 */
function parseIdList(name: string, value: string | undefined, accepted: readonly UserIdsFormat[]): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const text = value.trim();
  const numbers = /^\[\s*(\d+(?:\s*,\s*\d+)*)?\s*\]$/.exec(text);
  const format: UserIdsFormat = !text.startsWith('[') ? 'csv' : numbers ? 'json-numbers' : 'json-strings';
  if (!accepted.includes(format)) throw errors.param(`Param ${name} must be written as one of: ${accepted.join(', ')}`);
  const ids =
    format === 'csv'
      ? text.split(',').map((s) => s.trim())
      : numbers
        ? (numbers[1] ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : parseJsonArray(name, text)!;
  for (const id of ids) if (!/^\d{1,20}$/.test(id)) throw errors.param(`Param ${name} must list numeric user ids`);
  return ids;
}

function readEntries(ctx: RouteContext) {
  const { state, params } = ctx;
  const board = boardNamed(state, required(params, 'api_name'));
  const filter = enumParam('filter', params.filter, FILTERS) ?? 'NONE';
  const accepted: readonly StartAt[] = ['TOP', ...VIEWER_STARTS[state.behavior.viewerStartAtSpellings], 'OFFSET'];
  const startAt = enumParam('start_at', params.start_at, accepted) ?? 'TOP';
  const centred = startAt !== 'TOP' && startAt !== 'OFFSET';
  // Without an entry of the viewer: an error, or the top of the board for the _OR_TOP variants.
  const orTop = startAt === 'VIEWER_OR_TOP' || startAt === 'CENTERED_ON_VIEWER_OR_TOP';
  // Reference §3.3: viewer-relative reads need a user token; the app token has no viewer.
  if ((centred || filter === 'FRIENDS') && ctx.auth.kind !== 'user') {
    throw errors.param(`${centred ? `start_at=${startAt}` : 'filter=FRIENDS'} is relative to the viewer and requires a user access token`);
  }
  const viewerId = ctx.auth.kind === 'user' ? ctx.auth.user.id : undefined;

  let ranked = state.leaderboards.ranked(board);
  if (filter === 'FRIENDS') {
    // The viewer is listed among their friends, so they can see where they stand [GUESS].
    ranked = ranked.filter((r) => r.entry.user_id === viewerId || state.areFriends(viewerId!, r.entry.user_id));
  } else if (filter === 'USER_IDS') {
    const userIds = parseIdList('user_ids', params.user_ids, state.behavior.acceptedUserIdsFormats);
    if (!userIds || userIds.length === 0) throw errors.param('The parameter user_ids is required with filter=USER_IDS');
    if (userIds.length > MAX_USER_IDS) throw errors.param(`Param user_ids may list at most ${MAX_USER_IDS} users`);
    for (const id of userIds) if (!state.users.has(id)) throw errors.invalidUser('user_ids', id);
    const wanted = new Set(userIds);
    ranked = ranked.filter((r) => wanted.has(r.entry.user_id));
  }
  // Ranks stay the board-wide ones under every filter [GUESS].

  const limit = Math.min(parseIntParam('limit', params.limit, 1) ?? DEFAULT_ENTRY_LIMIT, MAX_ENTRY_LIMIT);
  let start = 0;
  if (startAt === 'OFFSET') {
    start = parseIntParam('offset', required(params, 'offset'), 0)!;
  } else if (centred) {
    const position = ranked.findIndex((r) => r.entry.user_id === viewerId);
    if (position >= 0) start = Math.max(0, position - Math.floor((limit - 1) / 2));
    else if (!orTop) throw new GraphError(400, CODE_NOT_RANKED, "You're not yet ranked on this leaderboard.", 'OCApiException');
  }
  // A cursor (`after`/`before`, as `paging.next` carries) wins over start_at/offset.
  const { page, paging } = paginate(ranked, { ...params, limit: String(limit) }, ctx.selfUrl, { maxLimit: MAX_ENTRY_LIMIT, start });
  const summary = parseBool('summary', params.summary) ? { summary: { total_count: ranked.length } } : {};
  return {
    data: page.map((r) => project(entryNode(state, board, r), ENTRY_SHAPE, ctx.fields, state.behavior.refuseGuessedFields)),
    ...summary,
    ...(paging ? { paging } : {}),
  };
}

function submitEntry(ctx: RouteContext) {
  const { state, params } = ctx;
  const board = boardNamed(state, required(params, 'api_name'));
  if (ctx.auth.kind === 'user') {
    if (params.user_id !== undefined) throw errors.param('Do not send user_id with a user access token: the token names the user');
    if (board.entry_write_policy === 'SERVER_AUTHORITATIVE') {
      throw new GraphError(403, 10, `(#10) The leaderboard ${board.api_name} is SERVER_AUTHORITATIVE; submit with the app access token and user_id`);
    }
  } else if (board.entry_write_policy === 'CLIENT_AUTHORITATIVE') {
    throw new GraphError(403, 10, `(#10) The leaderboard ${board.api_name} is CLIENT_AUTHORITATIVE; submit with the player's user access token`);
  }
  const user = actingUser(ctx, 'user_id', params.user_id);
  const score = parseScore(required(params, 'score'));
  const extraData = params.extra_data_base64 ?? '';
  const extraBytes = decodedBase64Length(extraData);
  if (extraBytes === undefined) throw errors.param('Param extra_data_base64 must be base64');
  if (extraBytes > MAX_EXTRA_DATA_BYTES) throw errors.param(`Param extra_data_base64 must decode to at most ${MAX_EXTRA_DATA_BYTES} bytes`);
  const forceUpdate = parseBool('force_update', params.force_update) ?? false;

  const now = nowSeconds();
  if (board.earliest_allowed_entry_time > 0 && now < board.earliest_allowed_entry_time) {
    throw errors.param("This leaderboard entry is too early for the leaderboard's allowed time window.");
  }
  if (board.latest_allowed_entry_time > 0 && now > board.latest_allowed_entry_time) {
    throw new GraphError(400, 100, "This leaderboard entry is too late for the leaderboard's allowed time window.");
  }

  const entries = state.leaderboards.entriesOf(board.id);
  const existing = entries.get(user.id);
  // One entry per user and board: a worse (or equal) score is a 200 with did_update false.
  if (existing && !forceUpdate && !state.leaderboards.isBetter(board, score, existing.score)) {
    return { did_update: false, updated_challenge_ids: [], success: true };
  }
  const entry: EmulatedLeaderboardEntry = {
    id: existing?.id ?? state.newId(),
    leaderboard_id: board.id,
    user_id: user.id,
    score,
    timestamp: now,
    extra_data_base64: extraData,
  };
  entries.set(user.id, entry);
  return { did_update: true, updated_challenge_ids: [], success: true };
}

/** int64, written in decimal (clients send it as a string of digits). */
function parseScore(value: string): bigint {
  if (!/^-?\d{1,19}$/.test(value.trim())) throw errors.param('Param score must be a 64-bit integer');
  const score = BigInt(value.trim());
  if (score < INT64_MIN || score > INT64_MAX) throw errors.param('Param score must be a 64-bit integer');
  return score;
}

/** Bytes that standard, padded base64 decodes to; undefined when it is not base64. */
export function decodedBase64Length(value: string): number | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  return (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
}

export function upsertLeaderboard(state: EmulatorState, params: Record<string, string>): EmulatedLeaderboard {
  const apiName = requiredApiName(params);
  const existing = state.leaderboards.boards.get(apiName);
  // Older docs mark these required; on an update they keep their values when omitted.
  const sortOrder = enumParam('sort_order', params.sort_order, SORT_ORDERS) ?? existing?.sort_order;
  if (!sortOrder) throw errors.param('The parameter sort_order is required');
  const policy = enumParam('entry_write_policy', params.entry_write_policy, ENTRY_WRITE_POLICIES) ?? existing?.entry_write_policy;
  if (!policy) throw errors.param('The parameter entry_write_policy is required');
  const earliest = parseIntParam('earliest_allowed_entry_time', params.earliest_allowed_entry_time, 0) ?? existing?.earliest_allowed_entry_time ?? 0;
  const latest = parseIntParam('latest_allowed_entry_time', params.latest_allowed_entry_time, 0) ?? existing?.latest_allowed_entry_time ?? 0;
  if (earliest > 0 && latest > 0 && earliest >= latest) throw errors.param('Param earliest_allowed_entry_time must be before latest_allowed_entry_time');
  const titles = params.title_locale_map !== undefined ? parseTitleLocaleMap(params.title_locale_map) : (existing?.title_locale_map ?? {});
  const board: EmulatedLeaderboard = {
    id: existing?.id ?? state.newId(),
    api_name: apiName,
    sort_order: sortOrder,
    entry_write_policy: policy,
    earliest_allowed_entry_time: earliest,
    latest_allowed_entry_time: latest,
    title_locale_map: titles,
  };
  state.leaderboards.boards.set(apiName, board);
  return board;
}

/** `{"en_US":"Soccer","en_GB":"Football"}`: locale → non-empty title. */
function parseTitleLocaleMap(value: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const bad = () => errors.param('Param title_locale_map must be a JSON object of locale (e.g. en_US) to title');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  const titles: Record<string, string> = {};
  for (const [locale, title] of Object.entries(parsed)) {
    if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(locale) || typeof title !== 'string' || title.trim() === '' || title.length > 256) throw bad();
    titles[locale] = title;
  }
  return titles;
}
