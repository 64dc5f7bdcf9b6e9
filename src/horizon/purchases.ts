/**
 * In-app purchase endpoints (docs/horizon-api.md-1.5): entitlement checks, consumption, a user's
 * purchases, the catalog and refunds. Returns camel-cased objects with `Date`s, whatever form
 * Graph used (Unix seconds, numbers or strings); `success:false` is an answer, not an error.
 */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertGraphId, assertSku } from './ids.js';
import { collectAllPages, fieldsParam, parseGraphId, parseGraphInt, parseGraphTime, readPage, type Page } from './params.js';
import type { Credential, RequestSender } from './request.js';

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

const PRICE_FIELDS = ['currency', 'amount_in_hundredths', 'formatted'] as const;
const PURCHASE_FIELDS = fieldsParam(['id', 'grant_time', 'expiration_time', { item: ['id', 'sku'] }]);
/** Every field here is documented (ps-iap-s2s, docs/horizon-api.md), `paid_offer{subscription_term}` included. */
const PRODUCT_FIELDS = fieldsParam([
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

/** Page size for full purchase listings (real clients use 200, docs/horizon-api.md). */
const PURCHASES_PAGE_LIMIT = 200;

export class PurchasesApi {
  constructor(private readonly transport: RequestSender) {}

  /**
   * `POST /{app_id}/verify_entitlement`: does the user own this add-on (or, without `sku`,
   * the app itself)? `owned: false` is Graph's `{"success":false}`.
   */
  async verifyEntitlement(who: ForUserWithId, sku?: string, signal?: CancelSignal): Promise<EntitlementCheck> {
    const acting = forUser(who, true);
    if (sku !== undefined) assertSku('sku', sku);
    const body = await this.transport.request<{ success?: unknown; grant_time?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/verify_entitlement`,
      endpoint: 'POST /{app_id}/verify_entitlement',
      params: { ...acting.params, sku },
      credential: acting.credential,
      signal,
      // A read that Graph happens to serve as POST: safe to resend.
      idempotent: true,
    });
    const owned = isSuccess(body.success);
    return { owned, grantedAt: owned ? parseGraphTime(body.grant_time) : null };
  }

  /**
   * `POST /{app_id}/consume_entitlement`: uses up a consumable so it can be bought again.
   * False when Horizon refused (not owned, already consumed, or not a consumable).
   */
  async consume(who: ForUserWithId, sku: string): Promise<boolean> {
    const acting = forUser(who, true);
    assertSku('sku', sku);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/consume_entitlement`,
      endpoint: 'POST /{app_id}/consume_entitlement',
      params: { ...acting.params, sku },
      credential: acting.credential,
    });
    return isSuccess(body.success);
  }

  /** `GET /{app_id}/viewer_purchases`, one page: durables, unconsumed consumables and subscriptions. */
  async listPurchases(who: ForUser, options: { limit?: number; after?: string; signal?: CancelSignal } = {}): Promise<Page<Purchase>> {
    const acting = forUser(who, false);
    if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0)) {
      throw new InvalidArgumentError('limit', 'limit must be a positive integer');
    }
    return readPage(
      await this.transport.request({
        method: 'GET',
        path: `/${this.transport.appId}/viewer_purchases`,
        endpoint: 'GET /{app_id}/viewer_purchases',
        params: { ...acting.params, fields: PURCHASE_FIELDS, limit: options.limit, after: options.after },
        credential: acting.credential,
        signal: options.signal,
      }),
      toPurchase,
    );
  }

  /** Every purchase of the user, all pages. */
  listAllPurchases(who: ForUser, signal?: CancelSignal): Promise<Purchase[]> {
    return collectAllPages((after) => this.listPurchases(who, { limit: PURCHASES_PAGE_LIMIT, after, signal }));
  }

  /**
   * `GET /application/available_purchases`, all pages: the whole catalog with the app token,
   * or what one player can buy now with their user token.
   */
  listAvailable(options: { userToken?: string; signal?: CancelSignal } = {}): Promise<Product[]> {
    const credential: Credential | undefined = options.userToken !== undefined ? userCredential(options.userToken) : undefined;
    return collectAllPages(async (after) =>
      readPage(
        await this.transport.request({
          method: 'GET',
          path: '/application/available_purchases',
          endpoint: 'GET /application/available_purchases',
          params: { fields: PRODUCT_FIELDS, after },
          credential,
          signal: options.signal,
        }),
        toProduct,
      ),
    );
  }

  /**
   * `POST /{app_id}/refund_iap_entitlement`: refunds a durable or an unconsumed consumable and
   * removes it. With the app token, or with the player's own token (ps-iap-s2s allows both,
   * docs/horizon-api.md), `user_id` sent either way. False when Horizon refused (e.g. already consumed).
   */
  async refund(who: ForUserWithId, sku: string, reason: RefundReason): Promise<boolean> {
    const acting = forUser(who, true);
    assertSku('sku', sku);
    if (!REFUND_REASONS.includes(reason)) throw new InvalidArgumentError('reason', `reason must be one of ${REFUND_REASONS.join(', ')}`);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/refund_iap_entitlement`,
      endpoint: 'POST /{app_id}/refund_iap_entitlement',
      params: { ...acting.params, sku, reason },
      credential: acting.credential,
    });
    return isSuccess(body.success);
  }
}

/** The `user_id` parameter and the credential of a per-user call; `sendUserId` also with a user token. */
export function forUser(who: ForUser, sendUserId: boolean): { params: { user_id?: string }; credential: Credential | undefined } {
  if (typeof who === 'string') return { params: { user_id: assertGraphId('userId', who) }, credential: undefined };
  const credential = userCredential(who.userToken);
  if (!sendUserId) return { params: {}, credential };
  return { params: { user_id: assertGraphId('userId', who.userId as string) }, credential };
}

function userCredential(token: string): Credential {
  if (typeof token !== 'string' || token.trim() === '') throw new InvalidArgumentError('userToken', 'userToken must not be empty');
  return { kind: 'user', token };
}

export function isSuccess(value: unknown): boolean {
  return value === true || value === 'true';
}

interface RawPrice {
  currency?: unknown;
  amount_in_hundredths?: unknown;
  formatted?: unknown;
}

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

function toPurchase(raw: RawPurchase): Purchase {
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

function toProduct(raw: RawProduct): Product {
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
            term: offerTerm(stringOrNull(plan.paid_offer.subscription_term) ?? termOfSku(sku)),
          }
        : null,
      trialOffers: (Array.isArray(plan.trial_offers) ? plan.trial_offers : []).map((trial) => ({
        name: stringOrNull(trial.name),
        description: stringOrNull(trial.description),
        type: trialType(trial.trial_type),
        term: offerTerm(trial.trial_term),
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

/** A term Graph sent, or null for an empty (trial) or unknown one. */
export function offerTerm(value: unknown): OfferTerm | null {
  return OFFER_TERMS.includes(value as OfferTerm) ? (value as OfferTerm) : null;
}

export function trialType(value: unknown): TrialType | null {
  return TRIAL_TYPES.includes(value as TrialType) ? (value as TrialType) : null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
