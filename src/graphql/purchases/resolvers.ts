/** Resolvers for purchases, entitlements and the catalog. */
import { assertGraphId, assertSku } from '../../horizon/ids.js';
import { connectionResolvers } from '../cursor.js';
import type { ForUserWithId } from '../../horizon/purchases.js';
import { assertIdempotencyKey } from '../../idempotency/ledger.js';
import { requirePlayerToken, type Context } from '../context.js';
import type { RefundReason, Resolvers } from '../generated/types.js';
import { assertFirst } from '../inputs.js';
import { MAX_PURCHASES_PAGE, purchaseConnection } from './connection.js';

/** Runs a write for a user, then drops the request's cached reads of that user, even if the write failed midway. */
export async function writeFor<T>(ctx: Context, userId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    // Subscriptions are purchases too (viewer_purchases lists them): a write of either kind may change both.
    ctx.loaders.purchases.clearUser(userId);
    ctx.loaders.subscriptions.ofUser.clear(userId);
  }
}

export const purchaseResolvers = {
  Query: {
    products: (_, __, ctx) => ctx.loaders.purchases.products(),
    async product(_, args, ctx) {
      assertSku('sku', args.sku);
      // Graph has no lookup by SKU: the request's one catalog listing answers every product(sku:).
      return (await ctx.loaders.purchases.products()).find((p) => p.sku === args.sku) ?? null;
    },
  },

  Mutation: {
    async consumePurchase(_, args, ctx) {
      assertGraphId('userId', args.userId);
      assertSku('sku', args.sku);
      assertIdempotencyKey(args.idempotencyKey);
      // Reads around the write stop at the operation's deadline (a stopped read-back leaves the outcome to settle on retry).
      const owned = async () => (await ctx.horizon.purchases.verifyEntitlement(args.userId, args.sku, ctx.signal)).owned;
      const { result: consumed, settledBy } = await writeFor(ctx, args.userId, () =>
        ctx.ledger.execute<{ ownedBefore: boolean }, boolean>({
          scope: 'consumePurchase',
          key: args.idempotencyKey,
          args: { userId: args.userId, sku: args.sku },
          // Consume is by SKU only and Horizon has no "was this consumed?" query: what the
          // player owned just before is what tells a lost reply's outcome afterwards.
          alwaysSettle: true,
          snapshot: async () => ({ ownedBefore: await owned() }),
          run: () => ctx.horizon.purchases.consume(args.userId, args.sku),
          settle: async (before) => {
            const ownedNow = await owned();
            if (!before?.ownedBefore) return { applied: true, result: false }; // nothing to consume: refused either way
            return ownedNow ? { applied: false } : { applied: true, result: true };
          },
          settledBy: 'VERIFY_ENTITLEMENT',
        }),
      );
      return { consumed, status: consumed ? 'CONSUMED' : 'REFUSED', settledBy, user: { id: args.userId }, sku: args.sku };
    },
    async refundPurchase(_, args, ctx) {
      assertGraphId('userId', args.userId);
      assertSku('sku', args.sku);
      // Horizon would take the user from the token: it must be this player's.
      const refusal = `asPlayer refunds need the token of the player ${args.userId}; the forwarded token is another player's`;
      const who: ForUserWithId = args.asPlayer ? { userToken: await requirePlayerToken(ctx, args.userId, refusal), userId: args.userId } : args.userId;
      const refunded = await writeFor(ctx, args.userId, () =>
        ctx.horizon.purchases.refund(who, args.sku, args.reason.toLowerCase() as Lowercase<RefundReason>),
      );
      return { refunded, status: refunded ? 'REFUNDED' : 'REFUSED', user: { id: args.userId }, sku: args.sku };
    },
  },

  User: {
    purchases: (user, args, ctx) => purchaseConnection(ctx, user.id, assertFirst(args.first ?? 20, MAX_PURCHASES_PAGE), args.after),
    async entitlement(user, args, ctx) {
      return { ...(await ctx.loaders.purchases.entitlement(user.id, assertSku('sku', args.sku))), userId: user.id, sku: args.sku };
    },
    ownsApp: async (user, _, ctx) => (await ctx.loaders.purchases.entitlement(user.id, null)).owned,
  },

  Entitlement: {
    user: (parent) => ({ id: parent.userId }),
  },

  Purchase: {
    item: (purchase) => ({ id: purchase.itemId, sku: purchase.sku }),
  },

  PurchaseConnection: connectionResolvers,
} satisfies Resolvers;
