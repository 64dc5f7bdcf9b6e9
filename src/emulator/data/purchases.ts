/**
 * The emulator's catalog and entitlements (docs/horizon-api.md), stored in Graph's own
 * snake_case shapes so routes only filter and project them. Subscriptions: ./subscriptions.ts.
 */
import { entryOf } from '../graph.js';

/** Billing terms of subscriptions and trial offers (docs/horizon-api.md). */
export type OfferTerm = 'WEEKLY' | 'BIWEEKLY' | 'MONTHLY' | 'QUARTERLY' | 'SEMIANNUAL' | 'ANNUAL';
export type TrialType = 'FREE_TRIAL' | 'INTRO_OFFER';

/** Graph has no item-type field on catalog items; the emulator needs it for the consume/refund rules. */
export type ItemType = 'DURABLE' | 'CONSUMABLE' | 'SUBSCRIPTION';

export interface EmulatedPrice {
  currency: string;
  amount_in_hundredths: number;
  formatted: string;
}

export interface EmulatedTrialOffer {
  id: string;
  name: string;
  description: string;
  max_term_count: number;
  trial_type: TrialType;
  trial_term: OfferTerm;
  price: EmulatedPrice;
}

/** The regular offer of a subscription term: all four fields are documented (ps-iap-s2s, docs/horizon-api.md). */
export interface EmulatedPaidOffer {
  id: string;
  name: string;
  description: string;
  price: EmulatedPrice;
  subscription_term: OfferTerm;
}

export interface EmulatedBillingPlan {
  paid_offer: EmulatedPaidOffer;
  trial_offers: EmulatedTrialOffer[];
}

/** One purchasable item. Subscriptions appear once per term, as `{SKU}:SUBSCRIPTION__{TERM}`. */
export interface EmulatedItem {
  id: string;
  sku: string;
  item_type: ItemType;
  current_offer: { id: string; name: string; description: string; price: EmulatedPrice };
  /** Subscriptions only. */
  billing_plans?: EmulatedBillingPlan[];
  /** Subscriptions only: the tier SKU that subscription records and entitlements carry. */
  subscription_sku?: string;
}

/** A durable or a not-yet-consumed consumable a user holds. One per (user, SKU). */
export interface EmulatedEntitlement {
  /** The purchase id (`Purchase.purchase_str_id` on the device). */
  id: string;
  sku: string;
  item_id: string;
  /** Unix seconds. */
  grant_time: number;
  /** The order's id in `order_status` webhooks; given on first use to seeded entitlements. */
  reporting_id?: string;
}

export class PurchaseData {
  /** Catalog items by SKU, in listing order. */
  readonly items = new Map<string, EmulatedItem>();
  /** user id → grant time of the base application (verify_entitlement without sku). */
  readonly appOwners = new Map<string, number>();
  /** user id → SKU → entitlement. */
  readonly entitlements = new Map<string, Map<string, EmulatedEntitlement>>();

  entitlementsOf(userId: string): Map<string, EmulatedEntitlement> {
    return entryOf(this.entitlements, userId, Map);
  }

  itemById(id: string): EmulatedItem | undefined {
    for (const item of this.items.values()) if (item.id === id) return item;
    return undefined;
  }
}
