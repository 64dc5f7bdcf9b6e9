/** Users (reference §4.1, §4.2): `GET /me` and `GET /{user_id}`. */
import { errors, project, type NodeShape } from '../graph.js';
import type { Route } from '../http.js';
import type { EmulatedUser } from '../state.js';
import type { NodeKind } from './nodes.js';

export const USER_SHAPE: NodeShape = {
  type: 'User',
  fields: ['id', 'alias', 'display_name', 'profile_url', 'org_scoped_id'],
};

export function userNode(user: EmulatedUser): Record<string, unknown> {
  const { token: _token, ...node } = user;
  return node;
}

export const userRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/me',
    handler: (ctx) => {
      if (ctx.auth.kind !== 'user') throw errors.needsUserToken();
      return project(userNode(ctx.auth.user), USER_SHAPE, ctx.fields);
    },
  },
];

/** Users are Graph nodes, by app-scoped id and (reference §4.2) by org-scoped id. */
export const userNodes: NodeKind = {
  shape: USER_SHAPE,
  find: (state, id) => {
    const user = state.users.get(id) ?? [...state.users.values()].find((u) => u.org_scoped_id === id);
    return user ? userNode(user) : undefined;
  },
};
