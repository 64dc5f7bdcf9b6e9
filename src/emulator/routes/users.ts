/** Users (docs/horizon-api.md): `GET /me` and `GET /{user_id}`. */
import { randomBytes } from 'node:crypto';
import { errors, project, required, type NodeShape } from '../graph.js';
import type { Route } from '../http.js';
import type { EmulatedUser } from '../state.js';
import { actingUser, requireApp } from './common.js';
import type { NodeKind } from './nodes.js';

export const USER_SHAPE: NodeShape = {
  type: 'User',
  fields: ['id', 'alias', 'display_name', 'profile_url', 'org_scoped_id', 'avatar_v2'],
  nested: { avatar_v2: { type: 'AvatarV2', fields: ['avatar_image'], nested: { avatar_image: { type: 'AvatarImage', fields: ['uri'] } } } },
  // Read by real code on GET /{user_id} [CODE BeatLeader], in no Meta doc (docs/horizon-api.md).
  guessed: ['avatar_v2'],
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
      return project(userNode(ctx.auth.user), USER_SHAPE, ctx.fields, ctx.state.behavior.refuseGuessedFields);
    },
  },
  {
    // The Platform SDK's `GetUserProof()` calls this with the player's token (docs/horizon-api.md
    // mentions `/v1.20/user_nonce_generate`); the emulator serves it so tests can get nonces.
    method: 'POST',
    pattern: '/user_nonce_generate',
    handler: (ctx) => {
      if (ctx.auth.kind !== 'user') throw errors.needsUserToken();
      const nonce = randomBytes(24).toString('base64url');
      ctx.state.nonces.set(nonce, ctx.auth.user.id);
      return { nonce };
    },
  },
  {
    // User proof (docs/horizon-api.md): app token, nonce and user_id; a nonce is good for one check.
    method: 'POST',
    pattern: '/user_nonce_validate',
    handler: (ctx) => {
      requireApp(ctx);
      const nonce = required(ctx.params, 'nonce');
      const user = actingUser(ctx, 'user_id', ctx.params.user_id);
      const owner = ctx.state.nonces.get(nonce);
      ctx.state.nonces.delete(nonce);
      return { is_valid: owner === user.id };
    },
  },
];

/** Users are Graph nodes, by app-scoped id and (docs/horizon-api.md) by org-scoped id. */
export const userNodes: NodeKind = {
  shape: USER_SHAPE,
  find: (state, id) => {
    const user = state.users.get(id) ?? [...state.users.values()].find((u) => u.org_scoped_id === id);
    return user ? userNode(user) : undefined;
  },
};
