/** Purchases and the catalog on the wire: the fields asked, and Graph's JSON read into the client's types. */
import { fieldsParam, knownValue, parseGraphId, parseGraphInt, parseGraphTime, stringOrNull, type RawFields } from '../params.js';
import { OFFER_TERMS, TRIAL_TYPES, type Price, type Product, type Purchase } from './model.js';

const PRICE_FIELDS = ['currency', 'amount_in_hundredths', 'formatted'] as const;
export const PURCHASE_FIELDS = fieldsParam(['id', 'grant_time', 'expiration_time', { item: ['id', 'sku'] }]);
/** Every field here is documented (ps-iap-s2s, docs/horizon-api.md), `paid_offer{subscription_term}` included. */
export const PRODUCT_FIELDS = fieldsParam([
  'id',
  'sku',
  { current_offer: ['name', 'description', { price: PRICE_FIELDS }] },
  {
    billing_plans: [
      { paid_offer: ['name', 'description', { price: PRICE_FIELDS }, 'subscription_term'] },
      { trial_offers: ['name', 'description', 'max_term_count', 'trial_type', 'trial_term', { price: PRICE_FIELDS }] },
    ],
  },
]);

type RawPrice = RawFields<typeof PRICE_FIELDS>;

interface RawPurchase {
  id?: unknown;
  grant_time?: unknown;
  expiration_time?: unknown;
  item?: { id?: unknown; sku?: unknown };
}

interface RawProduct {
  id?: unknown;
  sku?: unknown;
  current_offer?: { name?: unknown; description?: unknown; price?: RawPrice };
  billing_plans?: Array<{
    paid_offer?: { name?: unknown; description?: unknown; price?: RawPrice; subscription_term?: unknown };
    trial_offers?: Array<{ name?: unknown; description?: unknown; max_term_count?: unknown; trial_type?: unknown; trial_term?: unknown; price?: RawPrice }>;
  }>;
}

export function toPurchase(raw: RawPurchase): Purchase {
  const sku = raw.item?.sku;
  if (typeof sku !== 'string' || sku === '') throw new TypeError('purchase has no item.sku');
  return {
    id: parseGraphId(raw.id),
    sku,
    itemId: raw.item?.id === undefined ? null : parseGraphId(raw.item.id),
    grantedAt: parseGraphTime(raw.grant_time),
    // 0 means indefinite, which parseGraphTime reads as null.
    expiresAt: parseGraphTime(raw.expiration_time),
  };
}

export function toProduct(raw: RawProduct): Product {
  const sku = raw.sku;
  if (typeof sku !== 'string' || sku === '') throw new TypeError('catalog item has no sku');
  return {
    id: raw.id === undefined ? sku : parseGraphId(raw.id),
    sku,
    name: stringOrNull(raw.current_offer?.name),
    description: stringOrNull(raw.current_offer?.description),
    price: toPrice(raw.current_offer?.price),
    billingPlans: (Array.isArray(raw.billing_plans) ? raw.billing_plans : []).map((plan) => ({
      paidOffer: plan.paid_offer
        ? {
            name: stringOrNull(plan.paid_offer.name),
            description: stringOrNull(plan.paid_offer.description),
            price: toPrice(plan.paid_offer.price),
            term: knownValue(OFFER_TERMS, stringOrNull(plan.paid_offer.subscription_term) ?? termOfSku(sku), null),
          }
        : null,
      trialOffers: (Array.isArray(plan.trial_offers) ? plan.trial_offers : []).map((trial) => ({
        name: stringOrNull(trial.name),
        description: stringOrNull(trial.description),
        type: knownValue(TRIAL_TYPES, trial.trial_type, null),
        // Null for an empty (trial) or unknown term.
        term: knownValue(OFFER_TERMS, trial.trial_term, null),
        maxTermCount: parseGraphInt(trial.max_term_count) ?? null,
        price: toPrice(trial.price),
      })),
    })),
  };
}

export function toPrice(raw: RawPrice | undefined): Price | null {
  const amount = parseGraphInt(raw?.amount_in_hundredths);
  if (!raw || typeof raw.currency !== 'string' || amount === undefined) return null;
  return { currency: raw.currency, amountInHundredths: amount, formatted: typeof raw.formatted === 'string' ? raw.formatted : '' };
}

/** A subscription term's SKU ends in `:SUBSCRIPTION__{TERM}` (docs/horizon-api.md). */
function termOfSku(sku: string): string | undefined {
  return /:SUBSCRIPTION__([A-Z]+)$/.exec(sku)?.[1];
}
