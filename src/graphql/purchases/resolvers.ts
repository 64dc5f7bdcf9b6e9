/** Resolvers for purchases, entitlements, the catalog and subscriptions. */
import type { Settlement } from '../../idempotency/ledger.js';
import { assertGraphId, assertSku } from '../../horizon/ids.js';
import type { EntitlementCheck, ForUserWithId, Product, Purchase, RefundReason } from '../../horizon/purchases.js';
import { assertOwnerAlias, type CancelReason, type Subscription, type SubscriptionOwner } from '../../horizon/subscriptions.js';
import { requireUserToken, type Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { UserRef } from '../users/resolvers.js';
import { assertIdempotencyKey } from '../inputs.js';
import type { Resolvers } from '../generated/types.js';

/** Largest `first` of `User.purchases`, and its default. */
export const MAX_PURCHASES_PAGE = 100;
/** Most SKUs one `subscriptions(skus:)` may name. */
const MAX_SKUS = 100;
/** Upstream pages one connection page may span (Graph may return fewer items than asked). */
const MAX_UPSTREAM_PAGES = 10;

export interface EntitlementParent extends EntitlementCheck {
  userId: string;
  sku: string;
}

export interface PurchaseEdgeParent {
  cursor: string;
  node: Purchase;
}

export interface ConnectionParent {
  edges: PurchaseEdgeParent[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface SubscriptionPayloadParent {
  success: boolean;
  userId: string;
  sku: string;
  settledBy?: Settlement;
}

// --- Cursors -----------------------------------------------------------------------------------
// Graph gives cursors per page, not per item. An edge's cursor is therefore (the Graph cursor
// that fetched its page, how many items of that page to skip): resuming after any edge is
// "fetch from that Graph cursor, drop the first `skip`". The last edge of a page that has a
// successor carries Graph's own `after` cursor with skip 0.

interface PurchaseCursor {
  graphAfter: string | undefined;
  skip: number;
}

export function encodePurchaseCursor(cursor: PurchaseCursor): string {
  return Buffer.from(JSON.stringify([cursor.graphAfter ?? null, cursor.skip])).toString('base64url');
}

export function decodePurchaseCursor(value: string): PurchaseCursor {
  const invalid = () => userError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor this field returned', { argument: 'after' });
  if (value.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [graphAfter, skip] = parsed as [unknown, unknown];
  if (!(graphAfter === null || (typeof graphAfter === 'string' && graphAfter.length > 0 && graphAfter.length <= 1024))) throw invalid();
  if (!(Number.isSafeInteger(skip) && (skip as number) >= 0 && (skip as number) <= 2 * MAX_PURCHASES_PAGE)) throw invalid();
  return { graphAfter: graphAfter ?? undefined, skip: skip as number };
}

async function purchaseConnection(ctx: Context, userId: string, first: number, after: string | null | undefined): Promise<ConnectionParent> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PURCHASES_PAGE) {
    throw userError(ErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_PURCHASES_PAGE}`, { argument: 'first' });
  }
  const start = after ? decodePurchaseCursor(after) : { graphAfter: undefined, skip: 0 };
  const edges: PurchaseEdgeParent[] = [];
  let graphAfter = start.graphAfter;
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
      edges.push({ node: items[i]!, cursor: encodePurchaseCursor(lastOfPage ? { graphAfter: page.after, skip: 0 } : { graphAfter, skip: i + 1 }) });
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

// --- Subscriptions -----------------------------------------------------------------------------

/** The user's subscription to a tier: the active one, else the one that ended last. */
async function subscriptionTo(ctx: Context, userId: string, sku: string): Promise<Subscription | null> {
  const all = (await ctx.loaders.purchases.subscriptions.load(userId)).filter((s) => s.sku === sku);
  const active = all.find((s) => s.isActive);
  if (active) return active;
  return all.sort((a, b) => (b.periodEnd?.getTime() ?? 0) - (a.periodEnd?.getTime() ?? 0))[0] ?? null;
}

function checkUserAndSku(userId: string, sku: string): void {
  assertGraphId('userId', userId);
  assertSku('sku', sku);
}

interface SubscriberArgs {
  userId?: string | null;
  ownerAlias?: string | null;
}

/** A cancel/extend's subscriber: exactly one of `userId` and `ownerAlias`, well formed. Checked before any call. */
function subscriberOf(args: SubscriberArgs): SubscriptionOwner {
  const hasId = args.userId !== undefined && args.userId !== null;
  const hasAlias = args.ownerAlias !== undefined && args.ownerAlias !== null;
  if (hasId === hasAlias) {
    throw userError(ErrorCode.BAD_USER_INPUT, hasId ? 'Give userId or ownerAlias, not both' : 'Name the subscriber by userId or by ownerAlias', {
      argument: hasId ? 'ownerAlias' : 'userId',
    });
  }
  return hasId ? assertGraphId('userId', args.userId!) : { alias: assertOwnerAlias(args.ownerAlias!) };
}

/**
 * The app-scoped id of the subscriber: `userId` as given (no call), or the owner of the
 * active subscription to `sku` whose alias is `ownerAlias`, found by reading the tier's active
 * subscribers. Payloads, read-backs and the ledger's settling need the id; the write itself
 * still names the alias, as the caller did.
 */
async function subscriberId(ctx: Context, owner: SubscriptionOwner, sku: string): Promise<string> {
  if (typeof owner === 'string') return owner;
  const found = await ctx.horizon.subscriptions.findActiveByOwnerAlias(owner.alias, sku, ctx.signal);
  if (!found.aliasesKnown) {
    throw userError(ErrorCode.BAD_USER_INPUT, "Horizon did not return subscribers' aliases, so ownerAlias cannot be resolved: name the subscriber by userId", {
      argument: 'ownerAlias',
    });
  }
  if (!found.subscription) {
    throw userError(ErrorCode.BAD_USER_INPUT, `No user with alias ${owner.alias} has an active subscription to ${sku}`, { argument: 'ownerAlias' });
  }
  return found.subscription.ownerId;
}

/** Runs a write for a user, then drops the request's cached reads of that user, even if the write failed midway. */
async function writeFor<T>(ctx: Context, userId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    ctx.loaders.purchases.clearUser(userId);
  }
}

const REFUND_REASON_PARAM: Record<string, RefundReason> = {
  CUSTOMER_SUPPORT: 'customer_support',
  UNABLE_TO_FULFILL: 'unable_to_fulfill',
  OTHER: 'other',
};

// Checked against the types generated from schema/ (npm run codegen).
export const purchaseResolvers = {
  Query: {
    async products(_: unknown, _args: unknown, ctx: Context): Promise<Product[]> {
      return ctx.loaders.purchases.products();
    },
    async product(_: unknown, args: { sku: string }, ctx: Context): Promise<Product | null> {
      assertSku('sku', args.sku);
      // Graph has no lookup by SKU: the request's one catalog listing answers every product(sku:).
      return (await ctx.loaders.purchases.products()).find((p) => p.sku === args.sku) ?? null;
    },
  },

  Mutation: {
    async consumePurchase(_: unknown, args: { userId: string; sku: string; idempotencyKey?: string | null }, ctx: Context) {
      checkUserAndSku(args.userId, args.sku);
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
      return { consumed, status: consumed ? ('CONSUMED' as const) : ('REFUSED' as const), settledBy, user: { id: args.userId }, sku: args.sku };
    },
    async refundPurchase(_: unknown, args: { userId: string; sku: string; reason: string; asPlayer?: boolean | null }, ctx: Context) {
      checkUserAndSku(args.userId, args.sku);
      const reason = REFUND_REASON_PARAM[args.reason];
      if (!reason) throw userError(ErrorCode.BAD_USER_INPUT, 'reason is not a RefundReason', { argument: 'reason' });
      let who: ForUserWithId = args.userId;
      if (args.asPlayer) {
        // Horizon would take the user from the token: make sure it is this player's before refunding.
        const userToken = requireUserToken(ctx);
        const viewer = await ctx.loaders.users.viewer();
        if (viewer.id !== args.userId) {
          throw userError(ErrorCode.FORBIDDEN, `asPlayer refunds need the token of the player ${args.userId}; the forwarded token is another player's`);
        }
        who = { userToken, userId: args.userId };
      }
      const refunded = await writeFor(ctx, args.userId, () => ctx.horizon.purchases.refund(who, args.sku, reason));
      return { refunded, status: refunded ? ('REFUNDED' as const) : ('REFUSED' as const), user: { id: args.userId }, sku: args.sku };
    },
    async cancelSubscription(_: unknown, args: SubscriberArgs & { sku: string; reason: CancelReason }, ctx: Context): Promise<SubscriptionPayloadParent> {
      const owner = subscriberOf(args);
      assertSku('sku', args.sku);
      const userId = await subscriberId(ctx, owner, args.sku);
      const success = await writeFor(ctx, userId, () => ctx.horizon.subscriptions.cancel(owner, args.sku, args.reason));
      return { success, userId, sku: args.sku };
    },
    async extendSubscription(
      _: unknown,
      args: SubscriberArgs & { sku: string; days: number; idempotencyKey?: string | null },
      ctx: Context,
    ): Promise<SubscriptionPayloadParent> {
      const owner = subscriberOf(args);
      assertSku('sku', args.sku);
      assertIdempotencyKey(args.idempotencyKey);
      if (!Number.isInteger(args.days) || args.days < 1 || args.days > 365) {
        throw userError(ErrorCode.BAD_USER_INPUT, 'days must be from 1 to 365', { argument: 'days' });
      }
      const userId = await subscriberId(ctx, owner, args.sku);
      // Extending adds days: not idempotent. Its trace is the next renewal date moving by them.
      const renewalAt = async () => {
        const [subscription] = await ctx.horizon.subscriptions.list({ ownerId: userId, skus: [args.sku], signal: ctx.signal });
        return subscription?.nextRenewal?.getTime() ?? null;
      };
      const { result: success, settledBy } = await writeFor(ctx, userId, () =>
        ctx.ledger.execute<{ renewalAt: number | null }, boolean>({
          scope: 'extendSubscription',
          key: args.idempotencyKey,
          // The write as the caller named it: a key first used with ownerAlias replays only for
          // that alias (userId-keyed records are unchanged), whoever the alias resolves to later.
          args: typeof owner === 'string' ? { userId, sku: args.sku, days: args.days } : { ownerAlias: owner.alias, sku: args.sku, days: args.days },
          snapshot: async () => ({ renewalAt: await renewalAt() }),
          run: () => ctx.horizon.subscriptions.extend(owner, args.sku, args.days),
          settle: async (before) => {
            const now = await renewalAt();
            const moved = before?.renewalAt != null && now !== null && now - before.renewalAt >= args.days * 86_400_000 - 60_000;
            return moved ? { applied: true, result: true } : { applied: false };
          },
        }),
      );
      return { success, userId, sku: args.sku, settledBy };
    },
  },

  User: {
    async purchases(user: UserRef, args: { first?: number | null; after?: string | null }, ctx: Context): Promise<ConnectionParent> {
      return purchaseConnection(ctx, user.id, args.first ?? 20, args.after);
    },
    async entitlement(user: UserRef, args: { sku: string }, ctx: Context): Promise<EntitlementParent> {
      assertSku('sku', args.sku);
      return { ...(await ctx.loaders.purchases.entitlement(user.id, args.sku)), userId: user.id, sku: args.sku };
    },
    async ownsApp(user: UserRef, _: unknown, ctx: Context): Promise<boolean> {
      return (await ctx.loaders.purchases.entitlement(user.id, null)).owned;
    },
    async subscriptions(user: UserRef, args: { active?: boolean | null; skus?: string[] | null }, ctx: Context): Promise<Subscription[]> {
      if (args.skus) {
        if (args.skus.length > MAX_SKUS) throw userError(ErrorCode.BAD_USER_INPUT, `skus may list at most ${MAX_SKUS} SKUs`, { argument: 'skus' });
        for (const sku of args.skus) assertSku('skus', sku);
      }
      // One listing per user per request, however many filtered views the operation asks.
      const all = await ctx.loaders.purchases.subscriptions.load(user.id);
      const skus = args.skus ? new Set(args.skus) : undefined;
      return all.filter((s) => (args.active == null || s.isActive === args.active) && (!skus || skus.has(s.sku)));
    },
  },

  Entitlement: {
    user: (parent: EntitlementParent): UserRef => ({ id: parent.userId }),
  },

  Purchase: {
    item: (purchase: Purchase) => ({ id: purchase.itemId, sku: purchase.sku }),
  },

  PurchaseConnection: {
    nodes: (parent: ConnectionParent) => parent.edges.map((e) => e.node),
    pageInfo: (parent: ConnectionParent) => ({
      hasNextPage: parent.hasNextPage,
      hasPreviousPage: parent.hasPreviousPage,
      startCursor: parent.edges[0]?.cursor ?? null,
      endCursor: parent.edges.at(-1)?.cursor ?? null,
    }),
  },

  PlayerSubscription: {
    owner: (subscription: Subscription): UserRef => ({ id: subscription.ownerId }),
  },

  CancelSubscriptionPayload: {
    cancelled: (parent: SubscriptionPayloadParent) => parent.success,
    user: (parent: SubscriptionPayloadParent): UserRef => ({ id: parent.userId }),
    subscription: (parent: SubscriptionPayloadParent, _: unknown, ctx: Context) => subscriptionTo(ctx, parent.userId, parent.sku),
  },

  ExtendSubscriptionPayload: {
    extended: (parent: SubscriptionPayloadParent) => parent.success,
    settledBy: (parent: SubscriptionPayloadParent) => parent.settledBy ?? 'REPLY',
    user: (parent: SubscriptionPayloadParent): UserRef => ({ id: parent.userId }),
    // Read back after the write (the loaders were cleared), so the new dates show.
    subscription: (parent: SubscriptionPayloadParent, _: unknown, ctx: Context) => subscriptionTo(ctx, parent.userId, parent.sku),
  },
} satisfies Resolvers;
