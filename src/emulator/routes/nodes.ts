/**
 * Graph's generic node paths, `GET /{id}` and `DELETE /{id}`, served for every node kind
 * an API area registers (users, leaderboards, entries, rooms, ...).
 */
import { errors, project, type NodeShape } from '../graph.js';
import type { Route } from '../http.js';
import type { EmulatorState } from '../state.js';
import { requireApp } from './common.js';

export interface NodeKind {
  shape: NodeShape;
  find(state: EmulatorState, id: string): Record<string, unknown> | undefined;
  /** Deletes the node (with the app token; Graph answers `{"success":true}`); absent where Graph does not allow deleting this kind. */
  remove?(state: EmulatorState, id: string): void;
}

export function nodeRoutes(kinds: NodeKind[]): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/:node_id',
      handler: (ctx) => {
        const id = ctx.path.node_id!;
        for (const kind of kinds) {
          const node = kind.find(ctx.state, id);
          if (node) return project(node, kind.shape, ctx.fields, ctx.state.behavior.refuseGuessedFields);
        }
        throw errors.unknownNode(id);
      },
    },
    {
      method: 'DELETE',
      pattern: '/:node_id',
      handler: (ctx) => {
        const id = ctx.path.node_id!;
        for (const kind of kinds) {
          if (kind.remove && kind.find(ctx.state, id)) {
            requireApp(ctx);
            kind.remove(ctx.state, id);
            return { success: true };
          }
        }
        throw errors.unknownNode(id);
      },
    },
  ];
}
