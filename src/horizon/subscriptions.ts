/**
 * Subscription endpoints (docs/horizon-api.md): status (`GET /application/subscriptions`), cancel
 * and extend. Graph sends these times as ISO strings with a colon-less offset
 * (`2021-03-09T13:04:20+0000`), unlike the Unix seconds elsewhere; both read as `Date`s here.
 */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertGraphId, assertSku } from './ids.js';
import {
  collectAllPages,
  fieldsParam,
  isSuccess,
  knownValue,
  parseGraphId,
  parseGraphTime,
  readPage,
  stringOrNull,
  withDocumentedFields,
  type FieldChoice,
  type FieldSelection,
  type RawFields,
} from './params.js';
import { OFFER_TERMS, TRIAL_TYPES, type OfferTerm, type TrialType } from './purchases.js';
import { userCredential, type RequestSender } from './request.js';

/** `cancel_reason` codes, in Graph's order (0..5). */
export const CANCEL_REASONS = ['OTHER', 'PRICING', 'CONTENT', 'USAGE', 'PURCHASED_BY_MISTAKE', 'TECHNICAL'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export const MIN_EXTEND_DAYS = 1;
export const MAX_EXTEND_DAYS = 365;

export interface PriceTerm {
  /** As Graph sends it: a decimal string without currency symbol, e.g. "1.99". */
  price: string;
  /** Null when Graph sent none (trials) or one this client does not know. */
  term: OfferTerm | null;
  currency: string | null;
}

export interface Subscription {
  id: string;
  /** The tier SKU. */
  sku: string;
  ownerId: string;
  periodStart: Date | null;
  periodEnd: Date | null;
  /** Null once cancelled (no renewal is coming). */
  nextRenewal: Date | null;
  /** When it was cancelled; a cancelled subscription stays active until its period ends. */
  cancelledAt: Date | null;
  isActive: boolean;
  isTrial: boolean;
  trialType: TrialType | null;
  currentPriceTerm: PriceTerm | null;
  nextPriceTerm: PriceTerm | null;
}

/** The user a cancel/extend acts on: an app-scoped id (`owner_id`) or `{ alias }` (`owner_alias`). */
export type SubscriptionOwner = string | { alias: string };

const PRICE_TERM_FIELDS = ['price', 'term', 'currency'] as const;
const subscriptionFields = (owner: FieldSelection) =>
  fieldsParam([
    'id',
    'sku',
    { owner },
    'period_start_time',
    'period_end_time',
    'cancellation_time',
    'next_renewal_time',
    'is_active',
    'is_trial',
    'trial_type',
    { current_price_term: PRICE_TERM_FIELDS },
    { next_price_term: PRICE_TERM_FIELDS },
  ]);
/** Every field documented (docs/horizon-api.md); the docs show the owner as `owner{id}`. */
const SUBSCRIPTION_FIELDS = subscriptionFields(['id']);
/**
 * The same, with each owner's alias. The owner is a user, and users have a documented `alias`,
 * but the subscription docs only ever show `owner{id}` [GUESS]: asked behind the
 * documented-fields fallback, and used only to resolve an `owner_alias`.
 */
const SUBSCRIPTION_FIELDS_WITH_OWNER_ALIAS: FieldChoice = {
  name: 'subscriptionOwnerAlias',
  preferred: subscriptionFields(['id', 'alias']),
  documented: SUBSCRIPTION_FIELDS,
};

/** Pages a search for an owner alias reads at most (as `collectAllPages` does). */
const MAX_ALIAS_SEARCH_PAGES = 50;

/** What `findActiveByOwnerAlias` found. */
export interface OwnerAliasSearch {
  /** The user's active subscription to the tier; null when none has that owner alias. */
  subscription: Subscription | null;
  /** False when Graph refused to return owners' aliases: the alias could not be looked for. */
  aliasesKnown: boolean;
}

export interface ListSubscriptionsOptions {
  /** One user's subscriptions (app token). Omit, with the app token, for every user's. */
  ownerId?: string;
  /** The player's own token instead of the app token: only their subscriptions. Excludes `ownerId`. */
  userToken?: string;
  active?: boolean;
  trial?: boolean;
  /** Only these tier SKUs. An empty list answers [] without a request. */
  skus?: readonly string[];
  signal?: CancelSignal;
}

export class SubscriptionsApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /application/subscriptions`, all pages. */
  async list(options: ListSubscriptionsOptions = {}): Promise<Subscription[]> {
    if (options.ownerId !== undefined) assertGraphId('ownerId', options.ownerId);
    if (options.ownerId !== undefined && options.userToken !== undefined) {
      // Graph refuses owner_id with a user token (docs/horizon-api.md): say so before sending it.
      throw new InvalidArgumentError('ownerId', 'ownerId is for the app token; a user token lists its own subscriptions only');
    }
    options.skus?.forEach((sku) => assertSku('skus', sku));
    if (options.skus && options.skus.length === 0) return [];
    const credential = options.userToken === undefined ? undefined : userCredential(options.userToken);
    return collectAllPages(async (after) =>
      readPage(
        await this.transport.request({
          method: 'GET',
          path: '/application/subscriptions',
          endpoint: 'GET /application/subscriptions',
          params: {
            fields: SUBSCRIPTION_FIELDS,
            owner_id: options.ownerId,
            is_active: options.active,
            is_trial: options.trial,
            skus: options.skus?.join(','),
            after,
          },
          credential,
          signal: options.signal,
        }),
        toSubscription,
      ),
    );
  }

  /**
   * The active subscription to `sku` of the user whose alias is `alias`. cancel and extend take
   * an `owner_alias` (docs/horizon-api.md), but Graph has no lookup of a user by alias: this reads
   * the tier's active subscriptions (app token) with their owners' aliases, page by page until
   * found. Aliases are compared exactly.
   */
  async findActiveByOwnerAlias(alias: string, sku: string, signal?: CancelSignal): Promise<OwnerAliasSearch> {
    assertOwnerAlias(alias);
    assertSku('sku', sku);
    // Refused before: the answer would not say, so it is not asked again.
    if (this.transport.refusedFields.has(SUBSCRIPTION_FIELDS_WITH_OWNER_ALIAS.name)) return { subscription: null, aliasesKnown: false };
    let after: string | undefined;
    for (let page = 0; page < MAX_ALIAS_SEARCH_PAGES; page++) {
      let aliasesKnown = true;
      const body = await withDocumentedFields(this.transport.refusedFields, SUBSCRIPTION_FIELDS_WITH_OWNER_ALIAS, (fields) => {
        aliasesKnown = fields === SUBSCRIPTION_FIELDS_WITH_OWNER_ALIAS.preferred;
        return this.transport.request({
          method: 'GET',
          path: '/application/subscriptions',
          endpoint: 'GET /application/subscriptions',
          params: { fields, skus: sku, is_active: true, after },
          signal,
        });
      });
      if (!aliasesKnown) return { subscription: null, aliasesKnown: false };
      const found = readPage(body, (raw: RawSubscription) => ({ raw, subscription: toSubscription(raw) }));
      const match = found.items.find((item) => item.raw.owner?.alias === alias && item.subscription.sku === sku && item.subscription.isActive);
      if (match) return { subscription: match.subscription, aliasesKnown: true };
      if (!found.after || found.after === after || found.items.length === 0) break;
      after = found.after;
    }
    return { subscription: null, aliasesKnown: true };
  }

  /**
   * `POST /application/cancel_subscription`: stops renewal (irreversible; the user keeps
   * access until the period ends and is emailed). Graph answers a code-100 error when the
   * user has no active subscription to `sku`.
   */
  async cancel(owner: SubscriptionOwner, sku: string, reason: CancelReason): Promise<boolean> {
    const reasonCode = CANCEL_REASONS.indexOf(reason);
    if (reasonCode < 0) throw new InvalidArgumentError('reason', `reason must be one of ${CANCEL_REASONS.join(', ')}`);
    return this.post('/application/cancel_subscription', owner, sku, { cancel_reason: reasonCode });
  }

  /** `POST /application/extend_subscription`: pushes the period end and next renewal back by `days` (1..365). */
  async extend(owner: SubscriptionOwner, sku: string, days: number): Promise<boolean> {
    return this.post('/application/extend_subscription', owner, sku, { number_of_days: assertExtendDays(days) });
  }

  private async post(
    path: '/application/cancel_subscription' | '/application/extend_subscription',
    owner: SubscriptionOwner,
    sku: string,
    params: Record<string, number>,
  ): Promise<boolean> {
    const ownerParams = ownerParam(owner);
    assertSku('sku', sku);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path,
      endpoint: `POST ${path}`,
      params: { ...ownerParams, sku, ...params },
    });
    return isSuccess(body.success);
  }
}

function ownerParam(owner: SubscriptionOwner): { owner_id?: string; owner_alias?: string } {
  if (typeof owner === 'string') return { owner_id: assertGraphId('ownerId', owner) };
  return { owner_alias: assertOwnerAlias(owner.alias) };
}

/** What `extend` adds: 1 to 365 days. */
export function assertExtendDays(days: number): number {
  if (!Number.isSafeInteger(days) || days < MIN_EXTEND_DAYS || days > MAX_EXTEND_DAYS) {
    throw new InvalidArgumentError('days', `days must be an integer from ${MIN_EXTEND_DAYS} to ${MAX_EXTEND_DAYS}`);
  }
  return days;
}

/** A Horizon alias (username): 1-64 characters, none of them white space. */
export function assertOwnerAlias(alias: string): string {
  if (typeof alias !== 'string' || !/^\S{1,64}$/.test(alias)) throw new InvalidArgumentError('ownerAlias', 'ownerAlias must be 1-64 characters without spaces');
  return alias;
}

type RawPriceTerm = RawFields<typeof PRICE_TERM_FIELDS>;

interface RawSubscription {
  id?: unknown;
  sku?: unknown;
  owner?: { id?: unknown; alias?: unknown };
  period_start_time?: unknown;
  period_end_time?: unknown;
  cancellation_time?: unknown;
  next_renewal_time?: unknown;
  is_active?: unknown;
  is_trial?: unknown;
  trial_type?: unknown;
  current_price_term?: RawPriceTerm;
  next_price_term?: RawPriceTerm;
}

function toSubscription(raw: RawSubscription): Subscription {
  if (typeof raw.sku !== 'string' || raw.sku === '') throw new TypeError('subscription has no sku');
  return {
    id: parseGraphId(raw.id),
    sku: raw.sku,
    ownerId: parseGraphId(raw.owner?.id),
    periodStart: parseGraphTime(raw.period_start_time),
    periodEnd: parseGraphTime(raw.period_end_time),
    nextRenewal: parseGraphTime(raw.next_renewal_time),
    cancelledAt: parseGraphTime(raw.cancellation_time),
    isActive: isSuccess(raw.is_active),
    isTrial: isSuccess(raw.is_trial),
    trialType: knownValue(TRIAL_TYPES, raw.trial_type, null),
    currentPriceTerm: toPriceTerm(raw.current_price_term),
    nextPriceTerm: toPriceTerm(raw.next_price_term),
  };
}

function toPriceTerm(raw: RawPriceTerm | undefined): PriceTerm | null {
  if (!raw || typeof raw !== 'object') return null;
  // Graph documents `price` as a string; a number is kept as written rather than refused.
  const price = typeof raw.price === 'string' ? raw.price : typeof raw.price === 'number' ? String(raw.price) : undefined;
  if (price === undefined) return null;
  return { price, term: knownValue(OFFER_TERMS, raw.term, null), currency: stringOrNull(raw.currency) };
}
