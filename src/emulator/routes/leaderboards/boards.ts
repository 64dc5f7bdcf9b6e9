/** Leaderboards themselves: their node, the lookup by api name, and the upsert (also used by the seed). */
import { ENTRY_WRITE_POLICIES, SORT_ORDERS, type EmulatedLeaderboard } from '../../data/leaderboards.js';
import { enumParam, errors, parseIntParam, parseJson, requiredApiName, type NodeShape } from '../../graph.js';
import type { EmulatorState } from '../../state.js';

export const LEADERBOARD_SHAPE: NodeShape = {
  type: 'Leaderboard',
  // `api_name`, `sort_order`, `entry_write_policy`, `entry_count` are documented for reads;
  // the time window and `title_locale_map` are readable under their write names [GUESS].
  fields: ['id', 'api_name', 'sort_order', 'entry_write_policy', 'entry_count', 'earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map'],
  guessed: ['earliest_allowed_entry_time', 'latest_allowed_entry_time', 'title_locale_map'],
};

export function leaderboardNode(state: EmulatorState, board: EmulatedLeaderboard): Record<string, unknown> {
  return { ...board, title_locale_map: { ...board.title_locale_map }, entry_count: state.leaderboards.entries.get(board.id)?.size ?? 0 };
}

export function boardNamed(state: EmulatorState, apiName: string): EmulatedLeaderboard {
  const board = state.leaderboards.boards.get(apiName);
  // Horizon's answer to a submit for a board the app lacks (docs/horizon-api.md); its message is
  // generic, so reads and remove-all answer the same.
  if (!board) throw errors.unknownLeaderboard(apiName);
  return board;
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
  const parsed = parseJson(value);
  const bad = () => errors.param('Param title_locale_map must be a JSON object of locale (e.g. en_US) to title');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  const titles: Record<string, string> = {};
  for (const [locale, title] of Object.entries(parsed)) {
    if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(locale) || typeof title !== 'string' || title.trim() === '' || title.length > 256) throw bad();
    titles[locale] = title;
  }
  return titles;
}
