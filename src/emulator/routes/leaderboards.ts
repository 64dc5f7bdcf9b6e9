/**
 * Leaderboards (docs/horizon-api.md): board upsert and listing, entry reads with every `filter` and
 * `start_at`, score submission with both write policies, best-score keeping, the allowed time
 * window and extra data, and the deletes (entry and board by node id, all entries by name).
 */
import { required } from '../graph.js';
import type { Route } from '../http.js';
import { listPage, requireApp, requireOwnApp } from './common.js';
import { boardNamed, LEADERBOARD_SHAPE, leaderboardNode, upsertLeaderboard } from './leaderboards/boards.js';
import { ENTRY_SHAPE, entryNode, readEntries, submitEntry } from './leaderboards/entries.js';
import type { NodeKind } from './nodes.js';

export const leaderboardRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/:app_id/leaderboards',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const apiName = ctx.params.api_name;
      let boards = [...ctx.state.leaderboards.boards.values()];
      if (apiName) boards = boards.filter((b) => b.api_name === apiName);
      return listPage(ctx, boards, LEADERBOARD_SHAPE, leaderboardNode);
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
  { method: 'GET', pattern: '/leaderboard_entries', handler: readEntries },
  { method: 'POST', pattern: '/leaderboard_submit_entry', handler: submitEntry },
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
    remove: (state, id) => state.leaderboards.removeBoard(state.leaderboards.boardById(id)!),
  },
  {
    shape: ENTRY_SHAPE,
    find: (state, id) => {
      const found = state.leaderboards.entryById(id);
      if (!found) return undefined;
      const ranked = state.leaderboards.ranked(found.board).find((r) => r.entry.id === id)!;
      return entryNode(state, found.board, ranked);
    },
    remove: (state, id) => {
      const { board, entry } = state.leaderboards.entryById(id)!;
      state.leaderboards.entriesOf(board.id).delete(entry.user_id);
    },
  },
];
