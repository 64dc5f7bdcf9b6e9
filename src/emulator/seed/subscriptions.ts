/**
 * The demo subscriptions to the VIP pass: player 0 active and renewing, 1 cancelled, 2 in a free
 * trial, 3 expired. Periods are anchored to the start of the current UTC day, so "active" stays
 * true whenever the emulator starts.
 */
import type { EmulatedPriceTerm, EmulatedSubscription } from '../data/subscriptions.js';
import type { EmulatedItem, OfferTerm } from '../data/purchases.js';
import { DAY_SECONDS } from '../graph.js';
import type { EmulatorState } from '../state.js';
import { demoUserId } from './demo.js';
import { DEMO_SUBSCRIPTION_SKU } from './purchases.js';

export function seedSubscriptions(state: EmulatorState): void {
  const monthly = state.purchases.items.get(`${DEMO_SUBSCRIPTION_SKU}:SUBSCRIPTION__MONTHLY`)!;
  const annual = state.purchases.items.get(`${DEMO_SUBSCRIPTION_SKU}:SUBSCRIPTION__ANNUAL`)!;
  const today = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS;
  const paid = (price: string, t: OfferTerm): EmulatedPriceTerm => ({ price, term: t, currency: 'USD' });
  const subscribe = (
    player: number,
    item: EmulatedItem,
    s: Omit<EmulatedSubscription, 'id' | 'purchase_id' | 'owner_id' | 'sku' | 'item_id' | 'extended_days' | 'ended'>,
  ) =>
    state.subscriptions.all.push({
      id: state.newId(),
      purchase_id: state.newId(),
      owner_id: demoUserId(player),
      sku: DEMO_SUBSCRIPTION_SKU,
      item_id: item.id,
      extended_days: 0,
      ended: false,
      ...s,
    });
  // Active, renewing monthly.
  subscribe(0, monthly, {
    period_start: today - 10 * DAY_SECONDS,
    period_end: today + 20 * DAY_SECONDS,
    next_renewal: today + 20 * DAY_SECONDS,
    is_trial: false,
    current_price_term: paid('4.99', 'MONTHLY'),
    next_price_term: paid('4.99', 'MONTHLY'),
  });
  // Cancelled annual: still active until its period ends, no renewal.
  subscribe(1, annual, {
    period_start: today - 100 * DAY_SECONDS,
    period_end: today + 265 * DAY_SECONDS,
    cancellation: today - 5 * DAY_SECONDS,
    cancel_reason: 1,
    is_trial: false,
    current_price_term: paid('49.99', 'ANNUAL'),
    next_price_term: paid('49.99', 'ANNUAL'),
  });
  // In its free trial month: the current term is free and has no term (docs/horizon-api.md).
  subscribe(2, monthly, {
    period_start: today - 3 * DAY_SECONDS,
    period_end: today + 27 * DAY_SECONDS,
    next_renewal: today + 27 * DAY_SECONDS,
    is_trial: true,
    trial_type: 'FREE_TRIAL',
    current_price_term: { price: '0.00', term: '', currency: 'USD' },
    next_price_term: paid('4.99', 'MONTHLY'),
  });
  // Expired two months ago.
  subscribe(3, monthly, {
    period_start: today - 90 * DAY_SECONDS,
    period_end: today - 60 * DAY_SECONDS,
    cancellation: today - 70 * DAY_SECONDS,
    cancel_reason: 2,
    is_trial: false,
    current_price_term: paid('4.99', 'MONTHLY'),
  });
}
