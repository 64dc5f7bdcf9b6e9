/**
 * Leaderboards on the wire: the fields asked (documented and guessed), the spellings tried where
 * the sources disagree, and Graph's JSON read into the client's types.
 */
import type { HorizonApiError } from '../errors.js';
import {
  fieldsParam,
  jsonArrayParam,
  knownValue,
  parseGraphId,
  parseGraphInt,
  parseGraphTime,
  parseInt64,
  stringOrNull,
  type FieldChoice,
  type GuessedField,
  type RawFields,
} from '../params.js';
import { toUser, type ProfileField } from '../users.js';
import { ENTRY_WRITE_POLICIES, SORT_ORDERS, type Leaderboard, type LeaderboardEntry } from './model.js';

/** Read fields: documented ones, and the time window and titles under their write names [GUESS]. */
const DOCUMENTED_LEADERBOARD_FIELDS = ['id', 'api_name', 'sort_order', 'entry_write_policy', 'entry_count'] as const;
const GUESSED_LEADERBOARD_FIELDS = ['earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map'] as const;
export const LEADERBOARD_FIELDS: FieldChoice = {
  name: 'leaderboard',
  preferred: fieldsParam([...DOCUMENTED_LEADERBOARD_FIELDS, ...GUESSED_LEADERBOARD_FIELDS]),
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
const ENTRY_SCALARS = ['id', 'rank', 'score', 'timestamp', 'extra_data_base64'] as const;
const DOCUMENTED_ENTRY_USER_FIELDS = ['id', 'alias', 'display_name', 'profile_url'];
export const ENTRY_USER_ORG_SCOPED_ID: GuessedField = { name: 'leaderboard_entry.user.org_scoped_id', field: 'org_scoped_id' };
export const ENTRY_LEADERBOARD: GuessedField = { name: 'leaderboard_entry.leaderboard', field: 'leaderboard' };
const entrySelections = new Map<string, string>();
export function entryFields(asked: ReadonlySet<string>): string {
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
export function missingUserFields(asked: ReadonlySet<string>): readonly ProfileField[] {
  return asked.has(ENTRY_USER_ORG_SCOPED_ID.name) ? [] : ['orgScopedId'];
}
/** `score` may exceed 2^53. */
export const LOSSLESS = ['score'] as const;

/**
 * The viewer-centred starts on the wire. ps-challenges-s2s spells them `VIEWER` and
 * `VIEWER_OR_TOP`; the SDK enum says `CENTERED_ON_VIEWER(_OR_TOP)`; which one graph.oculus.com
 * takes is unresolved (docs/horizon-api.md). The docs' spelling is sent first (docs outrank the
 * SDK); see `withParamSpelling` for the fallback.
 */
export const VIEWER_START_SPELLINGS = {
  docs: { CENTERED_ON_VIEWER: 'VIEWER', CENTERED_ON_VIEWER_OR_TOP: 'VIEWER_OR_TOP' },
  sdk: { CENTERED_ON_VIEWER: 'CENTERED_ON_VIEWER', CENTERED_ON_VIEWER_OR_TOP: 'CENTERED_ON_VIEWER_OR_TOP' },
} as const;
export type StartAtSpelling = keyof typeof VIEWER_START_SPELLINGS;
export const START_AT_SPELLINGS: readonly [StartAtSpelling, ...StartAtSpelling[]] = ['docs', 'sdk'];

/**
 * `user_ids` on the wire (docs/horizon-api.md: "List of integers", wire format unconfirmed): a JSON
 * array of strings first, as Graph's documented array parameters are written (`api_names`),
 * then of integers, then a comma-separated list.
 */
export const USER_IDS_FORMATS = {
  'json-strings': (ids: readonly string[]) => jsonArrayParam(ids),
  'json-numbers': (ids: readonly string[]) => `[${ids.join(',')}]`,
  csv: (ids: readonly string[]) => ids.join(','),
} as const;
export type UserIdsFormat = keyof typeof USER_IDS_FORMATS;
export const USER_IDS_FORMAT_ORDER: readonly [UserIdsFormat, ...UserIdsFormat[]] = ['json-strings', 'json-numbers', 'csv'];

/**
 * Whether a code-100 refusal may be of `param`'s spelling: it names `param`, or names nothing
 * else it could be about (Graph's "Param X ..." / "Parameter X: ..." for another parameter,
 * an unknown player, a missing user token, a refused field).
 */
export function mayRefuse(param: string): (error: HorizonApiError) => boolean {
  return (error) => {
    const message = error.upstreamMessage;
    if (/invalid user id|access token|nonexisting field/i.test(message)) return false;
    if (new RegExp(`\\b${param}\\b`, 'i').test(message)) return true;
    const named = /\bparam(?:eter)?\s+([a-z_]+)/i.exec(message)?.[1];
    return named === undefined;
  };
}

/** An int64 score as Graph sends it: a JSON number (exact only below 2^53) or a string of digits. */
export function parseScore(value: unknown): bigint {
  // An unsafe number already lost digits in JSON.parse: refuse it rather than return a wrong score.
  const score = parseInt64(value);
  if (score === undefined) throw new TypeError('leaderboard entry score is not a 64-bit integer');
  return score;
}

type RawLeaderboard = RawFields<[...typeof DOCUMENTED_LEADERBOARD_FIELDS, ...typeof GUESSED_LEADERBOARD_FIELDS]>;

export interface RawEntry extends RawFields<typeof ENTRY_SCALARS> {
  user?: { id?: unknown };
  leaderboard?: { api_name?: unknown };
}

export function toLeaderboard(raw: RawLeaderboard): Leaderboard {
  if (typeof raw.api_name !== 'string') throw new TypeError('leaderboard has no api_name');
  const titles = raw.title_locale_map && typeof raw.title_locale_map === 'object' ? (raw.title_locale_map as Record<string, unknown>) : {};
  return {
    id: parseGraphId(raw.id),
    apiName: raw.api_name,
    sortOrder: knownValue(SORT_ORDERS, raw.sort_order, 'HIGHER_IS_BETTER'),
    writePolicy: knownValue(ENTRY_WRITE_POLICIES, raw.entry_write_policy, 'CLIENT_AUTHORITATIVE'),
    entryCount: parseGraphInt(raw.entry_count) ?? 0,
    earliestAllowedEntryTime: parseGraphTime(raw.earliest_allowed_entry_time),
    latestAllowedEntryTime: parseGraphTime(raw.latest_allowed_entry_time),
    titles: Object.entries(titles)
      .filter((pair): pair is [string, string] => typeof pair[1] === 'string')
      .map(([locale, title]) => ({ locale, title }))
      .sort((a, b) => a.locale.localeCompare(b.locale)),
  };
}

export function toEntry(raw: RawEntry, apiName: string, missingUserFields: readonly ProfileField[]): LeaderboardEntry {
  if (!raw.user || raw.user.id === undefined) throw new TypeError('leaderboard entry has no user');
  const rank = parseGraphInt(raw.rank);
  if (rank === undefined) throw new TypeError('leaderboard entry has no rank');
  return {
    id: parseGraphId(raw.id),
    leaderboardApiName: apiName,
    rank,
    score: parseScore(raw.score),
    timestamp: parseGraphTime(raw.timestamp),
    extraDataBase64: stringOrNull(raw.extra_data_base64),
    user: toUser(raw.user, missingUserFields),
  };
}
