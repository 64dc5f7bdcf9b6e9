/** Token and id rules, and Graph's list answer, shared by the emulator's routes. */
import { errors, GraphError, paginate, project, type NodeShape } from '../graph.js';
import type { Auth, RouteContext } from '../http.js';
import type { EmulatedUser, EmulatorState } from '../state.js';

export function requireApp(ctx: RouteContext): void {
  if (ctx.auth.kind !== 'app') throw errors.needsAppToken();
}

/** `/{app_id}/...` paths must name the app the token belongs to. */
export function requireOwnApp(ctx: RouteContext): void {
  if (ctx.path.app_id !== ctx.state.appId) {
    throw new GraphError(400, 100, `(#100) The app id ${ctx.path.app_id} in the path does not match the access token's app`);
  }
}

/**
 * The user a request acts for: with the app token, the named user (which must exist);
 * with a user token, the token's own user (naming another user is refused).
 */
export function actingUser(ctx: RouteContext, param: string, userId: string | undefined): EmulatedUser {
  const auth: Auth = ctx.auth;
  if (auth.kind === 'user') {
    if (userId !== undefined && userId !== 'me' && userId !== auth.user.id) {
      throw errors.forbidden('A user access token can only act for its own user');
    }
    return auth.user;
  }
  if (userId === undefined || userId === '') throw errors.param(`The parameter ${param} is required`);
  const user = ctx.state.users.get(userId);
  if (!user) throw errors.invalidUser(param, userId);
  return user;
}

/**
 * A list answer: one page of `items`, each made a node and projected (guessed fields refused as
 * the behaviour says), and `paging` unless the page is empty.
 */
export function listPage<T>(
  ctx: RouteContext,
  items: readonly T[],
  shape: NodeShape,
  toNode: (state: EmulatorState, item: T) => Record<string, unknown>,
): { data: Record<string, unknown>[]; paging?: Record<string, unknown> } {
  const { page, paging } = paginate(items, ctx.params, ctx.selfUrl);
  const data: Record<string, unknown>[] = [];
  for (const item of page) data.push(project(toNode(ctx.state, item), shape, ctx.fields, ctx.state.behavior.refuseGuessedFields));
  return paging ? { data, paging } : { data };
}
