/** Resolvers for players' subscriptions and the admin writes on them (cancel, extend). */
import { assertGraphId, assertSku } from '../../horizon/ids.js';
import { assertExtendDays, assertOwnerAlias, type Subscription, type SubscriptionOwner } from '../../horizon/subscriptions.js';
import { assertIdempotencyKey } from '../../idempotency/ledger.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { InputMaybe, Resolvers } from '../generated/types.js';
import { assertAtMost } from '../inputs.js';
import { writeFor } from '../purchases/resolvers.js';
import type { SubscriptionPayloadParent } from './models.js';

/** Most SKUs one `subscriptions(skus:)` may name. */
const MAX_SKUS = 100;

/** The user's subscription to a tier: the active one, else the one that ended last. */
async function subscriptionTo(ctx: Context, userId: string, sku: string): Promise<Subscription | null> {
  const all = (await ctx.loaders.subscriptions.ofUser.load(userId)).filter((s) => s.sku === sku);
  const active = all.find((s) => s.isActive);
  if (active) return active;
  return all.sort((a, b) => (b.periodEnd?.getTime() ?? 0) - (a.periodEnd?.getTime() ?? 0))[0] ?? null;
}

/** A cancel/extend's subscriber: exactly one of `userId` and `ownerAlias`, well formed. Checked before any call. */
function subscriberOf(args: { userId?: InputMaybe<string>; ownerAlias?: InputMaybe<string> }): SubscriptionOwner {
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

const payloadSubscription = (parent: SubscriptionPayloadParent, _: unknown, ctx: Context) => subscriptionTo(ctx, parent.userId, parent.sku);

export const subscriptionResolvers = {
  Mutation: {
    async cancelSubscription(_, args, ctx) {
      const owner = subscriberOf(args);
      const userId = await subscriberId(ctx, owner, args.sku);
      const success = await writeFor(ctx, userId, () => ctx.horizon.subscriptions.cancel(owner, args.sku, args.reason));
      return { success, userId, sku: args.sku };
    },
    async extendSubscription(_, args, ctx) {
      const owner = subscriberOf(args);
      assertSku('sku', args.sku);
      assertIdempotencyKey(args.idempotencyKey);
      assertExtendDays(args.days);
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
    async subscriptions(user, args, ctx) {
      for (const sku of assertAtMost('skus', args.skus ?? [], MAX_SKUS, 'SKUs')) assertSku('skus', sku);
      // One listing per user per request, however many filtered views the operation asks.
      const all = await ctx.loaders.subscriptions.ofUser.load(user.id);
      const skus = args.skus ? new Set(args.skus) : undefined;
      return all.filter((s) => (args.active == null || s.isActive === args.active) && (!skus || skus.has(s.sku)));
    },
  },

  PlayerSubscription: {
    owner: (subscription) => ({ id: subscription.ownerId }),
  },

  CancelSubscriptionPayload: {
    cancelled: (parent) => parent.success,
    user: (parent) => ({ id: parent.userId }),
    subscription: payloadSubscription,
  },

  ExtendSubscriptionPayload: {
    extended: (parent) => parent.success,
    settledBy: (parent) => parent.settledBy ?? 'REPLY',
    user: (parent) => ({ id: parent.userId }),
    // Read back after the write (the loaders were cleared), so the new dates show.
    subscription: payloadSubscription,
  },
} satisfies Resolvers;
