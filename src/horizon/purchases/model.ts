/** Purchases' and the catalog's types as the client returns and takes them. */

/**
 * Whom a per-user call is for: an app-scoped user id (sent as `user_id` with the app token),
 * or the player's own user access token. With the token, viewer_purchases takes the user from
 * it and no `user_id` is sent (docs/horizon-api.md), so the id may be omitted there.
 */
export type ForUser = string | { userToken: string; userId?: string };

/**
 * Whom verify, consume and refund act for: with the player's token, their own id too, sent as
 * `user_id`. ps-iap-s2s marks `user_id` Required on these even with a user token (reference
 * §11), although older docs and the SDK example leave it out.
 */
export type ForUserWithId = string | { userToken: string; userId: string };

/** Billing terms (docs/horizon-api.md). Graph may add more; unknown ones read as null. */
export const OFFER_TERMS = ['WEEKLY', 'BIWEEKLY', 'MONTHLY', 'QUARTERLY', 'SEMIANNUAL', 'ANNUAL'] as const;
export type OfferTerm = (typeof OFFER_TERMS)[number];
export const TRIAL_TYPES = ['FREE_TRIAL', 'INTRO_OFFER'] as const;
export type TrialType = (typeof TRIAL_TYPES)[number];
export const REFUND_REASONS = ['customer_support', 'unable_to_fulfill', 'other'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export interface EntitlementCheck {
  owned: boolean;
  /** When it was granted; null when not owned or when Graph sent no `grant_time` (older API versions). */
  grantedAt: Date | null;
}

export interface Purchase {
  /** The purchase id (the device SDK's `Purchase.purchase_str_id`). */
  id: string;
  sku: string;
  /** The catalog item's id, when Graph sent it. */
  itemId: string | null;
  grantedAt: Date | null;
  /** Null for durables and consumables (`expiration_time` 0 = indefinite); set for subscriptions. */
  expiresAt: Date | null;
}

export interface Price {
  /** ISO 4217, e.g. `USD`. */
  currency: string;
  amountInHundredths: number;
  /** Localized, e.g. `$2.99`. */
  formatted: string;
}

export interface PaidOffer {
  name: string | null;
  description: string | null;
  price: Price | null;
  /** Graph's `subscription_term`; from the SKU's `:SUBSCRIPTION__{TERM}` suffix when Graph sent none. */
  term: OfferTerm | null;
}

export interface TrialOffer {
  name: string | null;
  description: string | null;
  type: TrialType | null;
  term: OfferTerm | null;
  /** How many terms the trial lasts. */
  maxTermCount: number | null;
  price: Price | null;
}

export interface BillingPlan {
  paidOffer: PaidOffer | null;
  trialOffers: TrialOffer[];
}

export interface Product {
  id: string;
  /** For subscriptions, one entry per term: `{SKU}:SUBSCRIPTION__{TERM}`. */
  sku: string;
  name: string | null;
  description: string | null;
  price: Price | null;
  /** Subscriptions only; empty for durables and consumables. */
  billingPlans: BillingPlan[];
}
