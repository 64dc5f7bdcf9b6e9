/** The emulator's subscriptions (docs/horizon-api.md), in Graph's own snake_case shapes. */
import type { OfferTerm, TrialType } from './purchases.js';

export interface EmulatedPriceTerm {
  /** A decimal string without currency symbol, e.g. "1.99". */
  price: string;
  /** Empty for trials (docs/horizon-api.md). */
  term: OfferTerm | '';
  currency: string;
}

export interface EmulatedSubscription {
  id: string;
  /** The id of the purchase record viewer_purchases lists for it. */
  purchase_id: string;
  owner_id: string;
  /** The tier SKU, without the `:SUBSCRIPTION__{TERM}` suffix. */
  sku: string;
  /** The catalog item the user bought, for the entitlement's `item.id`. */
  item_id: string;
  /** Unix seconds; routes render them as Graph's ISO `+0000` strings. */
  period_start: number;
  period_end: number;
  /** Absent once cancelled. */
  next_renewal?: number;
  cancellation?: number;
  is_trial: boolean;
  trial_type?: TrialType;
  current_price_term: EmulatedPriceTerm;
  next_price_term?: EmulatedPriceTerm;
  /** 0..5 once cancelled (docs/horizon-api.md). */
  cancel_reason?: number;
  /** Days added with extend_subscription so far (capped at 10 years, docs/horizon-api.md). */
  extended_days: number;
  /** Ended for a reason other than time (e.g. billing failure); otherwise active until period_end. */
  ended: boolean;
}

export class SubscriptionData {
  /** Every subscription, past and present, in listing order. */
  readonly all: EmulatedSubscription[] = [];

  /** Active at `now` (Unix seconds): not ended and inside its period. A cancelled one stays active until period end. */
  isActive(subscription: EmulatedSubscription, now: number): boolean {
    return !subscription.ended && subscription.period_start <= now && now < subscription.period_end;
  }

  /** The owner's active subscription to a tier SKU, if any. */
  active(ownerId: string, sku: string, now: number): EmulatedSubscription | undefined {
    return this.all.find((s) => s.owner_id === ownerId && s.sku === sku && this.isActive(s, now));
  }
}
