/**
 * In-app purchase endpoints (docs/horizon-api.md-1.5): entitlement checks, consumption, a user's
 * purchases, the catalog and refunds. Returns camel-cased objects with `Date`s, whatever form
 * Graph used (Unix seconds, numbers or strings); `success:false` is an answer, not an error.
 */
import { InvalidArgumentError } from '../lib/errors.js';
import { assertGraphId, assertSku } from './ids.js';
import { collectAllPages, isSuccess, parseGraphTime, readPage, type Page } from './params.js';
import { REFUND_REASONS, type EntitlementCheck, type ForUser, type ForUserWithId, type Product, type Purchase, type RefundReason } from './purchases/model.js';
import { PRODUCT_FIELDS, PURCHASE_FIELDS, toProduct, toPurchase } from './purchases/wire.js';
import { userCredential, type Credential, type RequestSender } from './request.js';
import type { CancelSignal } from './signal.js';

export * from './purchases/model.js';

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
