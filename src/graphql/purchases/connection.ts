/** `User.purchases` as a Relay connection over Graph's pages of viewer_purchases. */
import type { Context } from '../context.js';
import { pageCursors } from '../cursor.js';
import type { ConnectionParent, PurchaseEdgeParent } from './models.js';

/** Largest `first` of `User.purchases`. */
export const MAX_PURCHASES_PAGE = 100;
/** Upstream pages one connection page may span (Graph may return fewer items than asked). */
const MAX_UPSTREAM_PAGES = 10;

/** The last edge of a page that has a successor carries Graph's own `after` cursor with skip 0. */
const purchaseCursors = pageCursors({ field: 'User.purchases', prefix: '', maxSkip: 2 * MAX_PURCHASES_PAGE });

/** `first` is checked by the caller (src/graphql/inputs.ts). */
export async function purchaseConnection(ctx: Context, userId: string, first: number, after: string | null | undefined): Promise<ConnectionParent> {
  const start = after ? purchaseCursors.decode(after) : { after: undefined, skip: 0 };
  const edges: PurchaseEdgeParent[] = [];
  let graphAfter = start.after;
  let skip = start.skip;
  let hasNextPage = false;
  for (let round = 0; round < MAX_UPSTREAM_PAGES; round++) {
    const page = await ctx.loaders.purchases.purchasesPage(userId, skip + first - edges.length, graphAfter);
    const items = page.items;
    for (let i = skip; i < items.length; i++) {
      if (edges.length === first) {
        hasNextPage = true; // more items on this very page
        break;
      }
      const lastOfPage = i === items.length - 1 && page.after !== undefined;
      edges.push({
        node: { ...items[i]!, userId },
        cursor: purchaseCursors.encode(lastOfPage ? { after: page.after, skip: 0 } : { after: graphAfter, skip: i + 1 }),
      });
    }
    if (hasNextPage || page.after === undefined || items.length === 0) break;
    if (edges.length === first) {
      // Graph's `next` is the documented "more follow" signal.
      hasNextPage = true;
      break;
    }
    skip = Math.max(0, skip - items.length);
    graphAfter = page.after;
  }
  return { edges, hasNextPage, hasPreviousPage: Boolean(after) };
}
