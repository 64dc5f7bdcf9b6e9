/**
 * Subscriptions (docs/horizon-api.md): the `/application/subscriptions` family (status, cancel,
 * extend). Graph writes their times as ISO strings with a colon-less offset.
 */
import type { EmulatedSubscription } from '../data/subscriptions.js';
import { csvList, DAY_SECONDS, errors, nowSeconds, parseBool, parseIntParam, required, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import type { EmulatedUser, EmulatorState } from '../state.js';
import { listPage, requireApp } from './common.js';
import { USER_SHAPE, userNode } from './users.js';
import { subscriptionChange } from '../webhooks.js';

/** Accumulated extensions may not exceed 10 years (docs/horizon-api.md). */
export const MAX_EXTENDED_DAYS = 3650;

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

function subscriptionNode(state: EmulatorState, s: EmulatedSubscription, now: number): Record<string, unknown> {
  const owner = state.users.get(s.owner_id);
  return {
    ...s,
    owner: owner ? userNode(owner) : { id: s.owner_id },
    period_start_time: graphIsoTime(s.period_start),
    period_end_time: graphIsoTime(s.period_end),
    cancellation_time: s.cancellation === undefined ? undefined : graphIsoTime(s.cancellation),
    next_renewal_time: s.next_renewal === undefined ? undefined : graphIsoTime(s.next_renewal),
    is_active: state.subscriptions.isActive(s, now),
  };
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

export const subscriptionRoutes: Route[] = [
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
      const skus = ctx.params.skus ? new Set(csvList(ctx.params.skus)) : undefined;
      const list = ctx.state.subscriptions.all.filter(
        (s) =>
          (ownerId === undefined || s.owner_id === ownerId) &&
          (isActive === undefined || ctx.state.subscriptions.isActive(s, now) === isActive) &&
          (isTrial === undefined || s.is_trial === isTrial) &&
          (!skus || skus.has(s.sku)),
      );
      return listPage(ctx, list, SUBSCRIPTION_SHAPE, (state, s) => subscriptionNode(state, s, now));
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
      const reason = parseIntParam('cancel_reason', required(ctx.params, 'cancel_reason'), 0, 5)!;
      const now = nowSeconds();
      const subscription = ctx.state.subscriptions.active(owner.id, sku, now);
      if (!subscription) throw errors.param(`Param sku: the user has no active subscription to ${sku}`);
      if (subscription.cancellation !== undefined) throw errors.param(`Param sku: the subscription to ${sku} is already cancelled`);
      subscription.cancellation = now;
      subscription.cancel_reason = reason;
      delete subscription.next_renewal;
      subscriptionChange(ctx.state, subscription, 'canceled');
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
      const days = parseIntParam('number_of_days', required(ctx.params, 'number_of_days'), 1, 365)!;
      const subscription = ctx.state.subscriptions.active(owner.id, sku, nowSeconds());
      if (!subscription) throw errors.param(`Param sku: the user has no active subscription to ${sku}`);
      if (subscription.extended_days + days > MAX_EXTENDED_DAYS) {
        throw errors.param(`Extensions of a subscription may not exceed ${MAX_EXTENDED_DAYS} days in total (${subscription.extended_days} used)`);
      }
      subscription.extended_days += days;
      subscription.period_end += days * DAY_SECONDS;
      if (subscription.next_renewal !== undefined) subscription.next_renewal += days * DAY_SECONDS;
      return { success: true };
    },
  },
];
