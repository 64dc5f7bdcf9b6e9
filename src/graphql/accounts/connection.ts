/** `Query.federatedUsers` as a Relay connection over Graph's pages of federated_users. */
import type { Context } from '../context.js';
import { pageCursors } from '../cursor.js';
import type { FederatedUserConnectionParent } from './models.js';

/** Largest `first` of `Query.federatedUsers`. */
export const MAX_FEDERATED_USERS_PAGE = 100;

const cursors = pageCursors({ field: 'Query.federatedUsers', prefix: 'fu:', maxSkip: 2 * MAX_FEDERATED_USERS_PAGE });

/**
 * One upstream page per connection page: `limit` covers the edges to skip and the page, so an
 * edge's cursor is (Graph's cursor its page was read after, its position): the last edge of a
 * page Graph says has a successor resumes from Graph's own `after` instead.
 */
export async function federatedUserConnection(ctx: Context, first: number, after: string | null | undefined): Promise<FederatedUserConnectionParent> {
  const start = after ? cursors.decode(after) : { after: undefined, skip: 0 };
  const page = await ctx.horizon.accounts.listFederatedUsers({ limit: start.skip + first, after: start.after, signal: ctx.signal });
  const users = page.users.slice(start.skip, start.skip + first);
  const edges = users.map((node, i) => {
    const index = start.skip + i;
    const lastOfPage = index === page.users.length - 1 && page.after !== undefined;
    return { node, cursor: cursors.encode(lastOfPage ? { after: page.after, skip: 0 } : { after: start.after, skip: index + 1 }) };
  });
  for (const user of users) ctx.loaders.accounts.federatedUser.prime(user.id, user);
  const hasNextPage = page.users.length > start.skip + first || page.after !== undefined;
  return { edges, hasNextPage, hasPreviousPage: Boolean(after) };
}
