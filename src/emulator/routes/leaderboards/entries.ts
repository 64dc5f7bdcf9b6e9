/** Leaderboard entries: reads with every `filter` and `start_at`, and score submission with both write policies. */
import type { EmulatedLeaderboard, EmulatedLeaderboardEntry, RankedEntry } from '../../data/leaderboards.js';
import {
  csvList,
  enumParam,
  errors,
  GraphError,
  nowSeconds,
  paginate,
  parseBool,
  parseIntParam,
  parseJsonArray,
  project,
  required,
  type NodeShape,
} from '../../graph.js';
import type { RouteContext } from '../../http.js';
import { JsonInteger } from '../../messages.js';
import type { EmulatorState, UserIdsFormat } from '../../state.js';
import { actingUser } from '../common.js';
import { USER_SHAPE, userNode } from '../users.js';
import { boardNamed, LEADERBOARD_SHAPE, leaderboardNode } from './boards.js';

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

const CODE_NOT_RANKED = 12074;

export function entryNode(state: EmulatorState, board: EmulatedLeaderboard, { entry, rank }: RankedEntry): Record<string, unknown> {
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
  const ids = format === 'csv' ? text.split(',').map((s) => s.trim()) : numbers ? csvList(numbers[1] ?? '') : parseJsonArray(name, text)!;
  for (const id of ids) if (!/^\d{1,20}$/.test(id)) throw errors.param(`Param ${name} must list numeric user ids`);
  return ids;
}

export function readEntries(ctx: RouteContext) {
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

export function submitEntry(ctx: RouteContext) {
  const { state, params } = ctx;
  const board = boardNamed(state, required(params, 'api_name'));
  if (ctx.auth.kind === 'user') {
    if (params.user_id !== undefined) throw errors.param('Do not send user_id with a user access token: the token names the user');
    if (board.entry_write_policy === 'SERVER_AUTHORITATIVE') {
      throw errors.forbidden(`The leaderboard ${board.api_name} is SERVER_AUTHORITATIVE; submit with the app access token and user_id`);
    }
  } else if (board.entry_write_policy === 'CLIENT_AUTHORITATIVE') {
    throw errors.forbidden(`The leaderboard ${board.api_name} is CLIENT_AUTHORITATIVE; submit with the player's user access token`);
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
  if (BigInt.asIntN(64, score) !== score) throw errors.param('Param score must be a 64-bit integer');
  return score;
}

/** Bytes that standard, padded base64 decodes to; undefined when it is not base64. */
function decodedBase64Length(value: string): number | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  return (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
}
