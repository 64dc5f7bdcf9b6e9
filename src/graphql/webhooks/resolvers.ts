/**
 * Resolvers for the webhook events Horizon pushed (src/webhooks): the reconciliation listing,
 * an order's refund and chargeback state, an entitlement's last order and a subscription's
 * lifecycle. They read the event store only, never Horizon.
 */
import { assertGraphId, assertSku } from '../../horizon/ids.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { findOrder, latestOrder, pageEvents, subscriptionLifecycle, type EventFilter } from '../../webhooks/queries.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { Resolvers } from '../generated/types.js';
import { assertAtMost, assertFirst } from '../inputs.js';

/** Largest `first` of `purchaseEvents`. */
export const MAX_EVENTS_PAGE = 200;
/** Most entries of `purchaseEvents(types:)`: there are 10 types. */
const MAX_TYPES = 10;
const CURSOR_PREFIX = 'pe1:';

const encodeCursor = (seq: number) => Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) throw new InvalidArgumentError('after', 'after is not a cursor of purchaseEvents');
  return seq;
}

/** A store read; an unreachable store is EVENT_STORE_UNAVAILABLE, never an internal error. */
async function fromStore<T>(ctx: Context, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    ctx.logger.error({ requestId: ctx.requestId, err: error }, 'webhook event store unavailable');
    throw userError(ErrorCode.EVENT_STORE_UNAVAILABLE, 'The webhook event store is unavailable; try again shortly');
  }
}

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

export const webhookResolvers = {
  Query: {
    async purchaseEvents(_, args, ctx) {
      const first = assertFirst(args.first ?? 50, MAX_EVENTS_PAGE);
      const after = args.after ? decodeCursor(args.after) : 0;
      const filter: EventFilter = {
        ...(args.types ? { types: new Set(assertAtMost('types', args.types, MAX_TYPES, 'types')) } : {}),
        ...(args.userId ? { userId: assertGraphId('userId', args.userId) } : {}),
        ...(args.sku ? { sku: assertSku('sku', args.sku) } : {}),
        ...(args.occurredFrom ? { occurredFrom: args.occurredFrom.getTime() } : {}),
        ...(args.occurredBefore ? { occurredBefore: args.occurredBefore.getTime() } : {}),
      };
      const page = await fromStore(ctx, () => pageEvents(ctx.webhookEvents, filter, first, after));
      return {
        edges: page.events.map((node) => ({ node, cursor: encodeCursor(node.seq!) })),
        hasNextPage: page.hasNextPage,
        endCursor: page.endSeq > 0 ? encodeCursor(page.endSeq) : null,
      };
    },
    async purchaseOrder(_, args, ctx) {
      if (!args.reportingId || args.reportingId.length > 128) throw new InvalidArgumentError('reportingId', 'reportingId must be 1 to 128 characters');
      return (await fromStore(ctx, () => findOrder(ctx.webhookEvents, args.reportingId))) ?? null;
    },
  },

  Purchase: {
    lastOrder: async (purchase, _, ctx) => (await fromStore(ctx, () => latestOrder(ctx.webhookEvents, purchase.userId, purchase.sku))) ?? null,
  },

  Entitlement: {
    lastOrder: async (parent, _, ctx) => (await fromStore(ctx, () => latestOrder(ctx.webhookEvents, parent.userId, parent.sku))) ?? null,
  },

  PlayerSubscription: {
    lifecycle: (subscription, _, ctx) => fromStore(ctx, () => subscriptionLifecycle(ctx.webhookEvents, subscription.id)),
  },

  PurchaseEventConnection: {
    nodes: (parent) => parent.edges.map((e) => e.node),
    pageInfo: (parent) => ({ hasNextPage: parent.hasNextPage, endCursor: parent.endCursor }),
  },

  PurchaseEvent: {
    user: (event) => (event.userId ? { id: event.userId } : null),
    occurredAt: (event) => new Date(event.occurredAt),
    receivedAt: (event) => new Date(event.receivedAt),
  },

  PurchaseOrder: {
    user: (order) => (order.userId ? { id: order.userId } : null),
    purchasedAt: (order) => date(order.purchasedAt),
    refundedAt: (order) => date(order.refundedAt),
    chargedBackAt: (order) => date(order.chargedBackAt),
  },

  SubscriptionLifecycle: {
    lastEventAt: (lifecycle) => date(lifecycle.lastEventAt),
  },
} satisfies Resolvers;
