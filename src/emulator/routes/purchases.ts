/**
 * In-app purchases, entitlements and the catalog (docs/horizon-api.md): verify, consume,
 * viewer_purchases, available_purchases, refund. Subscriptions: ./subscriptions.ts.
 * Soft refusals are HTTP 200 `{"success":false}`; malformed requests are Graph's code 100.
 */
import type { EmulatedItem } from '../data/purchases.js';
import { DAY_SECONDS, enumParam, errors, nowSeconds, required, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import type { EmulatedUser, EmulatorState } from '../state.js';
import { actingUser, listPage, requireOwnApp } from './common.js';
import { orderStatus } from '../webhooks.js';
import type { NodeKind } from './nodes.js';

/**
 * viewer_purchases reported a subscription's expiration ~5 days after the period end that
 * `/application/subscriptions` gave (docs/horizon-api.md quirk, §9.6). Reproduced so clients
 * never take one for the other.
 */
export const SUBSCRIPTION_PURCHASE_SLACK_SECONDS = 5 * DAY_SECONDS;

export const REFUND_REASONS = ['customer_support', 'unable_to_fulfill', 'other'] as const;

const PRICE_SHAPE: NodeShape = { type: 'Price', fields: ['currency', 'amount_in_hundredths', 'formatted'] };

export const ITEM_SHAPE: NodeShape = {
  type: 'IAPItem',
  fields: ['id', 'sku', 'current_offer', 'billing_plans'],
  nested: {
    current_offer: { type: 'Offer', fields: ['id', 'name', 'description', 'price'], nested: { price: PRICE_SHAPE } },
    billing_plans: {
      type: 'BillingPlan',
      fields: ['paid_offer', 'trial_offers'],
      defaults: ['paid_offer'],
      nested: {
        // ps-iap-s2s documents paid_offer{name, description, price, subscription_term} (docs/horizon-api.md).
        paid_offer: { type: 'PaidOffer', fields: ['id', 'name', 'description', 'price', 'subscription_term'], nested: { price: PRICE_SHAPE } },
        trial_offers: {
          type: 'TrialOffer',
          fields: ['id', 'name', 'description', 'max_term_count', 'trial_type', 'trial_term', 'price'],
          nested: { price: PRICE_SHAPE },
        },
      },
    },
  },
};

/** Documented purchase fields: id, grant_time, expiration_time, item{sku} (item also has id). */
export const PURCHASE_SHAPE: NodeShape = {
  type: 'Purchase',
  fields: ['id', 'grant_time', 'expiration_time', 'item'],
  nested: { item: { type: 'IAPItem', fields: ['id', 'sku'] } },
};

interface PurchaseRecord {
  id: string;
  grant_time: number;
  expiration_time: number;
  item: { id: string; sku: string };
}

/** What viewer_purchases lists: durables and unconsumed consumables, plus active subscriptions. Newest first. */
function purchasesOf(state: EmulatorState, userId: string, now: number): PurchaseRecord[] {
  const records: PurchaseRecord[] = [...state.purchases.entitlementsOf(userId).values()].map((e) => ({
    id: e.id,
    grant_time: e.grant_time,
    expiration_time: 0,
    item: { id: e.item_id, sku: e.sku },
  }));
  for (const s of state.subscriptions.all) {
    if (s.owner_id !== userId || !state.subscriptions.isActive(s, now)) continue;
    records.push({
      id: s.purchase_id,
      grant_time: s.period_start,
      expiration_time: s.period_end + SUBSCRIPTION_PURCHASE_SLACK_SECONDS,
      item: { id: s.item_id, sku: s.sku },
    });
  }
  return records.sort((a, b) => b.grant_time - a.grant_time || b.id.localeCompare(a.id));
}

/** Grant time of the user's entitlement to a SKU (add-on or subscription tier), or undefined. Case-sensitive. */
function grantTime(state: EmulatorState, userId: string, sku: string, now: number): number | undefined {
  const entitlement = state.purchases.entitlementsOf(userId).get(sku);
  if (entitlement) return entitlement.grant_time;
  return state.subscriptions.active(userId, sku, now)?.period_start;
}

/** A user-token caller sees what they could buy now: not what they hold, nor a tier they subscribe to. */
function availableTo(state: EmulatorState, user: EmulatedUser, item: EmulatedItem, now: number): boolean {
  if (item.item_type === 'SUBSCRIPTION') return !state.subscriptions.active(user.id, item.subscription_sku!, now);
  // A consumable can be bought again only once consumed (docs/horizon-api.md).
  return !state.purchases.entitlementsOf(user.id).has(item.sku);
}

function itemNode(_state: EmulatorState, item: EmulatedItem): Record<string, unknown> {
  // item_type and subscription_sku are the emulator's bookkeeping, not Graph fields.
  const { item_type: _type, subscription_sku: _tier, ...node } = item;
  return node;
}

/**
 * The user verify, consume and refund act for, once the path has named this app: `user_id` with
 * the app token; with a user token the token's own user, whom `user_id` may name too (another
 * user's id is refused). With `requireUserIdWithUserToken`, a user token without `user_id` is
 * refused (docs/horizon-api.md).
 */
function entitlementUser(ctx: RouteContext): EmulatedUser {
  requireOwnApp(ctx);
  if (ctx.auth.kind === 'user' && ctx.state.behavior.requireUserIdWithUserToken && !ctx.params.user_id) {
    throw errors.param('The parameter user_id is required');
  }
  return actingUser(ctx, 'user_id', ctx.params.user_id);
}

export const purchaseRoutes: Route[] = [
  {
    // Reference §1.1: app token + user_id, or the user's token (with user_id, §11); no sku = the base application.
    method: 'POST',
    pattern: '/:app_id/verify_entitlement',
    handler: (ctx) => {
      const user = entitlementUser(ctx);
      const sku = ctx.params.sku;
      const granted = sku === undefined || sku === '' ? ctx.state.purchases.appOwners.get(user.id) : grantTime(ctx.state, user.id, sku, nowSeconds());
      return granted === undefined ? { success: false } : { success: true, grant_time: granted };
    },
  },
  {
    // Reference §1.2: consumables only; consuming removes the SKU from verify and viewer_purchases.
    method: 'POST',
    pattern: '/:app_id/consume_entitlement',
    handler: (ctx) => {
      const user = entitlementUser(ctx);
      const sku = required(ctx.params, 'sku');
      const item = ctx.state.purchases.items.get(sku);
      const owned = ctx.state.purchases.entitlementsOf(user.id);
      // Durables, subscriptions, unknown and unowned SKUs: a refusal, not an error.
      const entitlement = owned.get(sku);
      if (!item || item.item_type !== 'CONSUMABLE' || !entitlement) return { success: false };
      owned.delete(sku);
      orderStatus(ctx.state, user.id, entitlement, 'CONSUMED');
      return { success: true };
    },
  },
  {
    method: 'GET',
    pattern: '/:app_id/viewer_purchases',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const user = actingUser(ctx, 'user_id', ctx.params.user_id);
      return listPage(ctx, purchasesOf(ctx.state, user.id, nowSeconds()), PURCHASE_SHAPE, (_, p) => ({ ...p }));
    },
  },
  {
    // Reference §1.4: the app comes from the token; a user token narrows to what that user can buy.
    method: 'GET',
    pattern: '/application/available_purchases',
    handler: (ctx) => {
      const now = nowSeconds();
      const auth = ctx.auth;
      const items = [...ctx.state.purchases.items.values()].filter((item) => auth.kind === 'app' || availableTo(ctx.state, auth.user, item, now));
      return listPage(ctx, items, ITEM_SHAPE, itemNode);
    },
  },
  {
    // Reference §1.5: reason required; only a durable or a not-yet-consumed consumable.
    // The app token or the player's own token (§11), like verify and consume.
    method: 'POST',
    pattern: '/:app_id/refund_iap_entitlement',
    handler: (ctx) => {
      const user = entitlementUser(ctx);
      const sku = required(ctx.params, 'sku');
      enumParam('reason', required(ctx.params, 'reason'), REFUND_REASONS);
      const item = ctx.state.purchases.items.get(sku);
      if (item?.item_type === 'SUBSCRIPTION') throw errors.param('Only DURABLE or CONSUMABLE entitlements can be refunded');
      const owned = ctx.state.purchases.entitlementsOf(user.id);
      // Nothing to refund (never bought, already consumed or refunded): a refusal.
      const entitlement = owned.get(sku);
      if (!entitlement) return { success: false };
      owned.delete(sku);
      orderStatus(ctx.state, user.id, entitlement, 'REFUNDED');
      return { success: true };
    },
  },
];

/** Catalog items are Graph nodes (`GET /{item_id}`). */
export const purchaseNodes: NodeKind[] = [
  {
    shape: ITEM_SHAPE,
    find: (state, id) => {
      const item = state.purchases.itemById(id);
      return item ? itemNode(state, item) : undefined;
    },
  },
];
