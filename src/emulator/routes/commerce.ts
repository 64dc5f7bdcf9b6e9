/**
 * In-app purchases, entitlements, catalog and subscriptions (docs/horizon-api.md): verify, consume,
 * viewer_purchases, available_purchases, refund, and the `/application/subscriptions` family.
 * Soft refusals are HTTP 200 `{"success":false}`; malformed requests are Graph's code 100.
 */
import type { EmulatedEntitlement, EmulatedItem, EmulatedPrice, EmulatedPriceTerm, EmulatedSubscription, OfferTerm, TrialType } from '../data/commerce.js';
import { errors, nowSeconds, paginate, parseBool, parseIntParam, project, required, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import type { EmulatedUser, EmulatorState } from '../state.js';
import { actingUser, requireApp, requireOwnApp } from './common.js';
import type { NodeKind } from './nodes.js';
import { USER_SHAPE, userNode } from './users.js';
// seed.ts imports this module too; demoUserId is only called at seed time, after both loaded.
import { demoUserId } from '../seed.js';

const DAY = 86_400;

/**
 * viewer_purchases reported a subscription's expiration ~5 days after the period end that
 * `/application/subscriptions` gave (docs/horizon-api.md quirk, §9.6). Reproduced so clients
 * never take one for the other.
 */
export const SUBSCRIPTION_PURCHASE_SLACK_SECONDS = 5 * DAY;

/** Accumulated extensions may not exceed 10 years (docs/horizon-api.md). */
export const MAX_EXTENDED_DAYS = 3650;

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

/** A subscription's owner: a user, whom the subscription docs only ever show as `owner{id}` (docs/horizon-api.md). */
const SUBSCRIPTION_OWNER_SHAPE: NodeShape = { ...USER_SHAPE, guessed: USER_SHAPE.fields.filter((f) => f !== 'id') };

const PRICE_TERM_SHAPE: NodeShape = { type: 'PriceTerm', fields: ['price', 'term', 'currency'], defaults: ['price', 'term', 'currency'] };

export const SUBSCRIPTION_SHAPE: NodeShape = {
  type: 'Subscription',
  fields: [
    'id',
    'owner',
    'sku',
    'period_start_time',
    'period_end_time',
    'cancellation_time',
    'next_renewal_time',
    'is_trial',
    'trial_type',
    'is_active',
    'current_price_term',
    'next_price_term',
  ],
  nested: { owner: SUBSCRIPTION_OWNER_SHAPE, current_price_term: PRICE_TERM_SHAPE, next_price_term: PRICE_TERM_SHAPE },
  // Reference §1.6: the only documented non-`id` default.
  defaults: ['sku', 'owner', 'is_active'],
};

/** Unix seconds → Graph's subscription time form, `2021-03-09T13:04:20+0000`. */
export function graphIsoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

interface PurchaseRecord {
  id: string;
  grant_time: number;
  expiration_time: number;
  item: { id: string; sku: string };
}

/** What viewer_purchases lists: durables and unconsumed consumables, plus active subscriptions. Newest first. */
function purchasesOf(state: EmulatorState, userId: string, now: number): PurchaseRecord[] {
  const records: PurchaseRecord[] = [...state.commerce.entitlementsOf(userId).values()].map((e) => ({
    id: e.id,
    grant_time: e.grant_time,
    expiration_time: 0,
    item: { id: e.item_id, sku: e.sku },
  }));
  for (const s of state.commerce.subscriptions) {
    if (s.owner_id !== userId || !state.commerce.isActive(s, now)) continue;
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
  const entitlement = state.commerce.entitlementsOf(userId).get(sku);
  if (entitlement) return entitlement.grant_time;
  return state.commerce.activeSubscription(userId, sku, now)?.period_start;
}

/** A user-token caller sees what they could buy now: not what they hold, nor a tier they subscribe to. */
function availableTo(state: EmulatorState, user: EmulatedUser, item: EmulatedItem, now: number): boolean {
  if (item.item_type === 'SUBSCRIPTION') return !state.commerce.activeSubscription(user.id, item.subscription_sku!, now);
  // A consumable can be bought again only once consumed (docs/horizon-api.md).
  return !state.commerce.entitlementsOf(user.id).has(item.sku);
}

function itemNode(item: EmulatedItem): Record<string, unknown> {
  // item_type and subscription_sku are the emulator's bookkeeping, not Graph fields.
  const { item_type: _type, subscription_sku: _tier, ...node } = item;
  return node;
}

function subscriptionNode(state: EmulatorState, s: EmulatedSubscription, now: number): Record<string, unknown> {
  const owner = state.users.get(s.owner_id);
  return {
    id: s.id,
    owner: owner ? userNode(owner) : { id: s.owner_id },
    sku: s.sku,
    period_start_time: graphIsoTime(s.period_start),
    period_end_time: graphIsoTime(s.period_end),
    cancellation_time: s.cancellation === undefined ? undefined : graphIsoTime(s.cancellation),
    next_renewal_time: s.next_renewal === undefined ? undefined : graphIsoTime(s.next_renewal),
    is_trial: s.is_trial,
    trial_type: s.trial_type,
    is_active: state.commerce.isActive(s, now),
    current_price_term: { ...s.current_price_term },
    next_price_term: s.next_price_term ? { ...s.next_price_term } : undefined,
  };
}

/**
 * The user verify, consume and refund act for: `user_id` with the app token; with a user token
 * the token's own user, whom `user_id` may name too (another user's id is refused). With
 * `requireUserIdWithUserToken`, a user token without `user_id` is refused (docs/horizon-api.md).
 */
function entitlementUser(ctx: RouteContext): EmulatedUser {
  if (ctx.auth.kind === 'user' && ctx.state.behavior.requireUserIdWithUserToken && !ctx.params.user_id) {
    throw errors.param('The parameter user_id is required');
  }
  return actingUser(ctx, 'user_id', ctx.params.user_id);
}

/** cancel/extend name the user by `owner_id` or `owner_alias` (one required). */
function subscriptionOwner(ctx: RouteContext): EmulatedUser {
  const { owner_id: ownerId, owner_alias: ownerAlias } = ctx.params;
  let byId: EmulatedUser | undefined;
  let byAlias: EmulatedUser | undefined;
  if (ownerId) {
    byId = ctx.state.users.get(ownerId);
    if (!byId) throw errors.invalidUser('owner_id', ownerId);
  }
  if (ownerAlias) {
    byAlias = [...ctx.state.users.values()].find((u) => u.alias === ownerAlias);
    if (!byAlias) throw errors.param(`Parameter owner_alias: no user with alias ${ownerAlias}`);
  }
  if (!byId && !byAlias) throw errors.param('One of the parameters owner_id or owner_alias is required');
  if (byId && byAlias && byId !== byAlias) throw errors.param('owner_id and owner_alias name different users');
  return (byId ?? byAlias)!;
}

export const commerceRoutes: Route[] = [
  {
    // Reference §1.1: app token + user_id, or the user's token (with user_id, §11); no sku = the base application.
    method: 'POST',
    pattern: '/:app_id/verify_entitlement',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const user = entitlementUser(ctx);
      const sku = ctx.params.sku;
      const granted = sku === undefined || sku === '' ? ctx.state.commerce.appOwners.get(user.id) : grantTime(ctx.state, user.id, sku, nowSeconds());
      return granted === undefined ? { success: false } : { success: true, grant_time: granted };
    },
  },
  {
    // Reference §1.2: consumables only; consuming removes the SKU from verify and viewer_purchases.
    method: 'POST',
    pattern: '/:app_id/consume_entitlement',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const user = entitlementUser(ctx);
      const sku = required(ctx.params, 'sku');
      const item = ctx.state.commerce.items.get(sku);
      const owned = ctx.state.commerce.entitlementsOf(user.id);
      // Durables, subscriptions, unknown and unowned SKUs: a refusal, not an error.
      if (!item || item.item_type !== 'CONSUMABLE' || !owned.has(sku)) return { success: false };
      owned.delete(sku);
      return { success: true };
    },
  },
  {
    method: 'GET',
    pattern: '/:app_id/viewer_purchases',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const user = actingUser(ctx, 'user_id', ctx.params.user_id);
      const { page, paging } = paginate(purchasesOf(ctx.state, user.id, nowSeconds()), ctx.params, ctx.selfUrl);
      return { data: page.map((p) => project({ ...p }, PURCHASE_SHAPE, ctx.fields)), ...(paging ? { paging } : {}) };
    },
  },
  {
    // Reference §1.4: the app comes from the token; a user token narrows to what that user can buy.
    method: 'GET',
    pattern: '/application/available_purchases',
    handler: (ctx) => {
      const now = nowSeconds();
      const auth = ctx.auth;
      const items = [...ctx.state.commerce.items.values()].filter((item) => auth.kind === 'app' || availableTo(ctx.state, auth.user, item, now));
      const { page, paging } = paginate(items, ctx.params, ctx.selfUrl);
      return {
        data: page.map((item) => project(itemNode(item), ITEM_SHAPE, ctx.fields, ctx.state.behavior.refuseGuessedFields)),
        ...(paging ? { paging } : {}),
      };
    },
  },
  {
    // Reference §1.5: reason required; only a durable or a not-yet-consumed consumable.
    // The app token or the player's own token (§11), like verify and consume.
    method: 'POST',
    pattern: '/:app_id/refund_iap_entitlement',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const user = entitlementUser(ctx);
      const sku = required(ctx.params, 'sku');
      const reason = required(ctx.params, 'reason');
      if (!(REFUND_REASONS as readonly string[]).includes(reason)) throw errors.param(`Param reason must be one of ${REFUND_REASONS.join(', ')}`);
      const item = ctx.state.commerce.items.get(sku);
      if (item?.item_type === 'SUBSCRIPTION') throw errors.param('Only DURABLE or CONSUMABLE entitlements can be refunded');
      const owned = ctx.state.commerce.entitlementsOf(user.id);
      // Nothing to refund (never bought, already consumed or refunded): a refusal.
      if (!owned.delete(sku)) return { success: false };
      return { success: true };
    },
  },
  {
    method: 'GET',
    pattern: '/application/subscriptions',
    handler: (ctx) => {
      const now = nowSeconds();
      let ownerId: string | undefined;
      if (ctx.auth.kind === 'user') {
        // Reference §1.6: owner_id is for the app token only, even naming oneself.
        if (ctx.params.owner_id !== undefined) throw errors.param('Param owner_id can only be used with the app access token');
        ownerId = ctx.auth.user.id;
      } else if (ctx.params.owner_id) {
        if (!ctx.state.users.has(ctx.params.owner_id)) throw errors.invalidUser('owner_id', ctx.params.owner_id);
        ownerId = ctx.params.owner_id;
      }
      const isActive = parseBool('is_active', ctx.params.is_active);
      const isTrial = parseBool('is_trial', ctx.params.is_trial);
      const skus = ctx.params.skus
        ? new Set(
            ctx.params.skus
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        : undefined;
      const list = ctx.state.commerce.subscriptions.filter(
        (s) =>
          (ownerId === undefined || s.owner_id === ownerId) &&
          (isActive === undefined || ctx.state.commerce.isActive(s, now) === isActive) &&
          (isTrial === undefined || s.is_trial === isTrial) &&
          (!skus || skus.has(s.sku)),
      );
      const { page, paging } = paginate(list, ctx.params, ctx.selfUrl);
      return {
        data: page.map((s) => project(subscriptionNode(ctx.state, s, now), SUBSCRIPTION_SHAPE, ctx.fields, ctx.state.behavior.refuseGuessedFields)),
        ...(paging ? { paging } : {}),
      };
    },
  },
  {
    // Irreversible; the subscription stays active until period end, it just won't renew.
    method: 'POST',
    pattern: '/application/cancel_subscription',
    handler: (ctx) => {
      requireApp(ctx);
      const owner = subscriptionOwner(ctx);
      const sku = required(ctx.params, 'sku');
      const reason = parseIntParam('cancel_reason', ctx.params.cancel_reason, 0, 5);
      if (reason === undefined) throw errors.param('The parameter cancel_reason is required');
      const now = nowSeconds();
      const subscription = ctx.state.commerce.activeSubscription(owner.id, sku, now);
      if (!subscription) throw errors.param(`Param sku: the user has no active subscription to ${sku}`);
      if (subscription.cancellation !== undefined) throw errors.param(`Param sku: the subscription to ${sku} is already cancelled`);
      subscription.cancellation = now;
      subscription.cancel_reason = reason;
      delete subscription.next_renewal;
      return { success: true };
    },
  },
  {
    method: 'POST',
    pattern: '/application/extend_subscription',
    handler: (ctx) => {
      requireApp(ctx);
      const owner = subscriptionOwner(ctx);
      const sku = required(ctx.params, 'sku');
      const days = parseIntParam('number_of_days', ctx.params.number_of_days, 1, 365);
      if (days === undefined) throw errors.param('The parameter number_of_days is required');
      const subscription = ctx.state.commerce.activeSubscription(owner.id, sku, nowSeconds());
      if (!subscription) throw errors.param(`Param sku: the user has no active subscription to ${sku}`);
      if (subscription.extended_days + days > MAX_EXTENDED_DAYS) {
        throw errors.param(`Extensions of a subscription may not exceed ${MAX_EXTENDED_DAYS} days in total (${subscription.extended_days} used)`);
      }
      subscription.extended_days += days;
      subscription.period_end += days * DAY;
      if (subscription.next_renewal !== undefined) subscription.next_renewal += days * DAY;
      return { success: true };
    },
  },
];

/** Catalog items are Graph nodes (`GET /{item_id}`). */
export const commerceNodes: NodeKind[] = [
  {
    shape: ITEM_SHAPE,
    find: (state, id) => {
      const item = state.commerce.itemById(id);
      return item ? itemNode(item) : undefined;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Seed

const usd = (hundredths: number): EmulatedPrice => ({ currency: 'USD', amount_in_hundredths: hundredths, formatted: `$${(hundredths / 100).toFixed(2)}` });

/** The demo tier and its two terms, each with a trial offer. */
export const DEMO_SUBSCRIPTION_SKU = 'vip_pass';

/**
 * A deterministic store: two durables of each kind a game sells (DLC, cosmetics), three gem
 * packs, and a VIP subscription with MONTHLY (first month free) and ANNUAL (intro price)
 * terms. Player 0 owns the app, a durable, an unconsumed consumable and an active
 * subscription; others own a mix (one cancelled, one in trial, one expired); player 4 owns six
 * items (paging); player 11 owns nothing, not even the app. Subscription periods are anchored
 * to the start of the current UTC day, so "active" stays true whenever the emulator starts.
 */
export function seedCommerce(state: EmulatorState): void {
  const commerce = state.commerce;
  const addItem = (
    sku: string,
    itemType: EmulatedItem['item_type'],
    name: string,
    description: string,
    price: EmulatedPrice,
    extra: Partial<EmulatedItem> = {},
  ) => {
    const item: EmulatedItem = { id: state.newId(), sku, item_type: itemType, current_offer: { id: state.newId(), name, description, price }, ...extra };
    commerce.items.set(sku, item);
    return item;
  };
  addItem('dlc_frozen_peaks', 'DURABLE', 'Frozen Peaks Expansion', 'Three new mountain tracks and a snowboard.', usd(999));
  addItem('skin_neon_visor', 'DURABLE', 'Neon Visor', 'A glowing visor for your avatar.', usd(299));
  addItem('skin_golden_armor', 'DURABLE', 'Golden Armor', 'A full set of golden armor.', usd(499));
  addItem('gems_100', 'CONSUMABLE', '100 Gems', 'A pouch of 100 gems.', usd(99));
  addItem('gems_500', 'CONSUMABLE', '500 Gems', 'A chest of 500 gems.', usd(399));
  addItem('gems_1200', 'CONSUMABLE', '1200 Gems', 'A vault of 1200 gems.', usd(799));
  const term = (t: OfferTerm, price: EmulatedPrice, trial: { type: TrialType; term: OfferTerm; price: EmulatedPrice; name: string; description: string }) =>
    addItem(`${DEMO_SUBSCRIPTION_SKU}:SUBSCRIPTION__${t}`, 'SUBSCRIPTION', `VIP Pass (${t.toLowerCase()})`, 'Double XP and a monthly skin drop.', price, {
      subscription_sku: DEMO_SUBSCRIPTION_SKU,
      billing_plans: [
        {
          paid_offer: {
            id: state.newId(),
            name: `VIP Pass (${t.toLowerCase()} plan)`,
            description: `Renews automatically at ${price.formatted} per ${t.toLowerCase()} term.`,
            price,
            subscription_term: t,
          },
          trial_offers: [
            {
              id: state.newId(),
              name: trial.name,
              description: trial.description,
              max_term_count: 1,
              trial_type: trial.type,
              trial_term: trial.term,
              price: trial.price,
            },
          ],
        },
      ],
    });
  const monthly = term('MONTHLY', usd(499), {
    type: 'FREE_TRIAL',
    term: 'MONTHLY',
    price: usd(0),
    name: 'First month free',
    description: 'Try VIP free for a month.',
  });
  const annual = term('ANNUAL', usd(4999), {
    type: 'INTRO_OFFER',
    term: 'ANNUAL',
    price: usd(2999),
    name: 'First year $29.99',
    description: 'Your first year at a lower price.',
  });

  const user = demoUserId;
  const base = 1_750_000_000;
  for (let i = 0; i <= 10; i++) commerce.appOwners.set(user(i), base - 30 * DAY + i * DAY);
  const own: Array<[player: number, skus: string[]]> = [
    [0, ['dlc_frozen_peaks', 'gems_100']],
    [1, ['skin_neon_visor', 'gems_500']],
    [2, ['dlc_frozen_peaks', 'skin_neon_visor']],
    [3, ['gems_1200']],
    [4, ['dlc_frozen_peaks', 'skin_neon_visor', 'skin_golden_armor', 'gems_100', 'gems_500', 'gems_1200']],
  ];
  for (const [player, skus] of own) {
    const owned = commerce.entitlementsOf(user(player));
    skus.forEach((sku, k) => {
      const entitlement: EmulatedEntitlement = { id: state.newId(), sku, item_id: commerce.items.get(sku)!.id, grant_time: base + player * DAY + k * 3600 };
      owned.set(sku, entitlement);
    });
  }

  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const paid = (price: string, t: OfferTerm): EmulatedPriceTerm => ({ price, term: t, currency: 'USD' });
  const subscribe = (
    player: number,
    item: EmulatedItem,
    s: Omit<EmulatedSubscription, 'id' | 'purchase_id' | 'owner_id' | 'sku' | 'item_id' | 'extended_days' | 'ended'>,
  ) =>
    commerce.subscriptions.push({
      id: state.newId(),
      purchase_id: state.newId(),
      owner_id: user(player),
      sku: DEMO_SUBSCRIPTION_SKU,
      item_id: item.id,
      extended_days: 0,
      ended: false,
      ...s,
    });
  // Active, renewing monthly.
  subscribe(0, monthly, {
    period_start: today - 10 * DAY,
    period_end: today + 20 * DAY,
    next_renewal: today + 20 * DAY,
    is_trial: false,
    current_price_term: paid('4.99', 'MONTHLY'),
    next_price_term: paid('4.99', 'MONTHLY'),
  });
  // Cancelled annual: still active until its period ends, no renewal.
  subscribe(1, annual, {
    period_start: today - 100 * DAY,
    period_end: today + 265 * DAY,
    cancellation: today - 5 * DAY,
    cancel_reason: 1,
    is_trial: false,
    current_price_term: paid('49.99', 'ANNUAL'),
    next_price_term: paid('49.99', 'ANNUAL'),
  });
  // In its free trial month: the current term is free and has no term (docs/horizon-api.md).
  subscribe(2, monthly, {
    period_start: today - 3 * DAY,
    period_end: today + 27 * DAY,
    next_renewal: today + 27 * DAY,
    is_trial: true,
    trial_type: 'FREE_TRIAL',
    current_price_term: { price: '0.00', term: '', currency: 'USD' },
    next_price_term: paid('4.99', 'MONTHLY'),
  });
  // Expired two months ago.
  subscribe(3, monthly, {
    period_start: today - 90 * DAY,
    period_end: today - 60 * DAY,
    cancellation: today - 70 * DAY,
    cancel_reason: 2,
    is_trial: false,
    current_price_term: paid('4.99', 'MONTHLY'),
  });
}
