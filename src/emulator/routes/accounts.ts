/**
 * Account linking (web SSO) and federated users (docs/horizon-api.md, "Accounts"):
 * `/sso_authorize_code` (single-use codes), `/sso_authorize_refresh_code`, and the federated-user
 * endpoints of ps-fed-auth-* (create, read by id or persistent id, list, update, delete, token).
 * `POST /sso_code_generate` is the emulator's stand-in for the `auth.oculus.com/sso` redirect.
 */
import { SSO_CODE_TTL_MS, type EmulatedFederatedUser } from '../data/accounts.js';
import { errors, GraphError, project, required, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import { listPage, requireApp } from './common.js';
import type { NodeKind } from './nodes.js';

export const FEDERATED_USER_SHAPE: NodeShape = {
  type: 'FederatedUser',
  fields: ['id', 'persistent_id', 'unique_name', 'display_name'],
};
/** What create and update answer: ps-fed-auth-create-user documents all four fields. */
const ALL_FIELDS = new Map(FEDERATED_USER_SHAPE.fields.map((f) => [f, null]));

/** `/{federated_app_id}/...`: the app itself serves as its federated app [GUESS]. */
function requireFederatedApp(ctx: RouteContext): void {
  requireApp(ctx);
  if (ctx.path.app_id !== ctx.state.appId) throw new GraphError(400, 100, `(#100) No federated app with id ${ctx.path.app_id} for this access token`);
}

function displayName(params: Record<string, string>): string {
  const name = required(params, 'display_name');
  const length = [...name].length;
  if (length < 3 || length > 30) throw errors.param('Param display_name must be 3 to 30 characters long');
  return name;
}

function federatedUser(ctx: RouteContext): EmulatedFederatedUser {
  const persistentId = required(ctx.params, 'persistent_id');
  const user = ctx.state.accounts.federatedUsers.get(persistentId);
  // Graph's "no such object" (code 100, subcode 33), as for an unknown node [GUESS].
  if (!user) throw new GraphError(400, 100, 'Unsupported request. No federated user with this persistent_id exists.', 'GraphMethodException', 33);
  return user;
}

function tokens(ctx: RouteContext, userId: string, orgScopedId: string, refreshCode: string): Record<string, string> {
  const accounts = ctx.state.accounts;
  const token = accounts.issue('OCA');
  // An account-linking token is a user token whose `/me` is the org-scoped id (docs/horizon-api.md).
  const user = ctx.state.users.get(userId)!;
  ctx.state.usersByToken.set(token, { ...user, id: orgScopedId, token });
  return { oauth_token: token, refresh_code: refreshCode };
}

export const accountRoutes: Route[] = [
  {
    // Emulator only: what the player's browser brings back from auth.oculus.com/sso (base64 JSON).
    method: 'POST',
    pattern: '/sso_code_generate',
    handler: (ctx) => {
      if (ctx.auth.kind !== 'user') throw errors.needsUserToken();
      const user = ctx.auth.user;
      const code = ctx.state.accounts.issue('CODE');
      ctx.state.accounts.ssoCodes.set(code, { userId: user.id, orgScopedId: user.org_scoped_id, expiresAt: Date.now() + SSO_CODE_TTL_MS });
      return { code, org_scoped_id: user.org_scoped_id };
    },
  },
  {
    method: 'POST',
    pattern: '/sso_authorize_code',
    handler: (ctx) => {
      requireApp(ctx);
      const code = required(ctx.params, 'code');
      const orgScopedId = required(ctx.params, 'org_scoped_id');
      const grant = ctx.state.accounts.ssoCodes.get(code);
      // Single use: gone after the first try, good or bad.
      ctx.state.accounts.ssoCodes.delete(code);
      if (!grant) {
        const used = ctx.state.accounts.usedCodes.has(code);
        throw new GraphError(400, 100, used ? 'This authorization code has been used.' : 'Invalid authorization code.', 'OAuthException', used ? 36009 : 36007);
      }
      ctx.state.accounts.usedCodes.add(code);
      if (grant.expiresAt < Date.now()) throw new GraphError(400, 100, 'This authorization code has expired.', 'OAuthException', 36007);
      if (grant.orgScopedId !== orgScopedId) throw errors.param('The authorization code was not issued for this org_scoped_id');
      const refreshCode = ctx.state.accounts.issue('REFRESH');
      ctx.state.accounts.refreshCodes.set(refreshCode, { userId: grant.userId, orgScopedId });
      return tokens(ctx, grant.userId, orgScopedId, refreshCode);
    },
  },
  {
    method: 'POST',
    pattern: '/sso_authorize_refresh_code',
    handler: (ctx) => {
      requireApp(ctx);
      const refreshCode = required(ctx.params, 'refresh_code');
      const orgScopedId = required(ctx.params, 'org_scoped_id');
      const link = ctx.state.accounts.refreshCodes.get(refreshCode);
      if (!link || link.orgScopedId !== orgScopedId) throw new GraphError(400, 100, 'Invalid refresh code.', 'OAuthException', 36007);
      // The refresh code stays good and is sent back [GUESS: the answer's shape is undocumented].
      return tokens(ctx, link.userId, orgScopedId, refreshCode);
    },
  },
  {
    method: 'POST',
    pattern: '/:app_id/federated_user_create',
    handler: (ctx) => {
      requireFederatedApp(ctx);
      const persistentId = required(ctx.params, 'persistent_id');
      const name = displayName(ctx.params);
      const accounts = ctx.state.accounts;
      if (accounts.federatedUsers.has(persistentId)) throw errors.param('A federated user with this persistent_id already exists');
      const user: EmulatedFederatedUser = {
        id: ctx.state.newId(),
        persistent_id: persistentId,
        display_name: name,
        unique_name: accounts.uniqueName(name, persistentId),
      };
      accounts.federatedUsers.set(persistentId, user);
      return project({ ...user }, FEDERATED_USER_SHAPE, ctx.fields ?? ALL_FIELDS);
    },
  },
  {
    method: 'POST',
    pattern: '/:app_id/federated_user_update',
    handler: (ctx) => {
      requireFederatedApp(ctx);
      const name = displayName(ctx.params);
      const user = federatedUser(ctx);
      user.unique_name = ctx.state.accounts.uniqueName(name, user.persistent_id);
      user.display_name = name;
      return project({ ...user }, FEDERATED_USER_SHAPE, ctx.fields ?? ALL_FIELDS);
    },
  },
  {
    method: 'DELETE',
    pattern: '/:app_id/federated_user',
    handler: (ctx) => {
      requireFederatedApp(ctx);
      ctx.state.accounts.deleteUser(federatedUser(ctx).persistent_id);
      return { success: true };
    },
  },
  {
    method: 'POST',
    pattern: '/:app_id/federated_user_gen_access_token',
    handler: (ctx) => {
      requireFederatedApp(ctx);
      const user = federatedUser(ctx);
      const token = ctx.state.accounts.issue('FRL');
      ctx.state.accounts.federatedTokens.set(token, user.persistent_id);
      return { access_token: token };
    },
  },
  {
    method: 'GET',
    pattern: '/:app_id/federated_users',
    handler: (ctx) => {
      requireFederatedApp(ctx);
      const wanted = ctx.params.persistent_id;
      const users = [...ctx.state.accounts.federatedUsers.values()].filter((u) => wanted === undefined || u.persistent_id === wanted);
      const { data, paging } = listPage(ctx, users, FEDERATED_USER_SHAPE, (_, u) => ({ ...u }));
      // ps-fed-auth-read-users: previous and next are "an empty string if" there are none.
      return { data, paging: { ...paging, previous: (paging?.previous as string | undefined) ?? '', next: (paging?.next as string | undefined) ?? '' } };
    },
  },
];

/** Federated users are Graph nodes by their id (ps-fed-auth-read-user), read with the app token. */
export const federatedUserNodes: NodeKind = {
  shape: FEDERATED_USER_SHAPE,
  find: (state, id) => {
    const user = state.accounts.byId(id);
    return user ? { ...user } : undefined;
  },
};
