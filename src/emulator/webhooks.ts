/**
 * The emulator's webhooks (docs/webhooks.md): when a purchase, consumption, refund, chargeback or
 * subscription change happens, it POSTs Horizon's delivery shape, signed like Meta's
 * (`X-Hub-Signature-256`, HMAC-SHA256 of the body with the app secret), to a configured URL, in
 * order, again on a non-2xx answer or no answer (bounded backoff). Purchases, chargebacks and
 * subscription lifecycle steps happen on devices and in Meta's billing, not through the S2S API:
 * test controls (`POST /__emulator/...`) make them happen.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNATURE_HEADER, signBody } from '../webhooks/signature.js';
import type { EmulatedEntitlement } from './data/purchases.js';
import type { EmulatedSubscription } from './data/subscriptions.js';
import { DAY_SECONDS, errors, nowSeconds, required } from './graph.js';
import type { EmulatorState } from './state.js';

export interface WebhookDelivery {
  field: string;
  /** The last answer's status; 0 when none came. */
  status: number;
  attempts: number;
  delivered: boolean;
}

export interface SenderOptions {
  maxAttempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export class WebhookSender {
  /** Where deliveries go; none are sent while unset. */
  target: string | undefined;
  /** Every delivery so far, oldest first (tests read it). */
  readonly deliveries: WebhookDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly appId: string,
    private readonly secret: string,
    target: string | undefined,
    private readonly options: SenderOptions,
  ) {
    this.target = target;
  }

  /** Queues one change; deliveries leave one at a time, in the order they happened. */
  send(field: string, value: Record<string, unknown>): void {
    if (!this.target || this.closed) return;
    const target = this.target;
    const body = JSON.stringify({ object: 'application', entry: [{ id: this.appId, time: nowSeconds(), changes: [{ field, value }] }] });
    this.queue = this.queue.then(() => this.deliver(target, field, body));
  }

  /** Resolves once every queued delivery has been answered or given up. */
  idle(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(target: string, field: string, body: string): Promise<void> {
    const delivery: WebhookDelivery = { field, status: 0, attempts: 0, delivered: false };
    this.deliveries.push(delivery);
    while (delivery.attempts < this.options.maxAttempts && !this.closed) {
      delivery.attempts++;
      try {
        const response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(this.secret, body) },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        delivery.status = response.status;
        await response.body?.cancel();
        if (response.ok) {
          delivery.delivered = true;
          return;
        }
      } catch {
        delivery.status = 0;
      }
      await sleep(this.options.baseDelayMs * 2 ** (delivery.attempts - 1));
    }
  }
}

/** `order_status` for a change to an add-on purchase. A consumption's notification type is undocumented: `CONSUMED` is a guess. */
export function orderStatus(
  state: EmulatorState,
  userId: string,
  entitlement: EmulatedEntitlement,
  type: 'PURCHASED' | 'CONSUMED' | 'REFUNDED' | 'CHARGEBACKED',
): void {
  entitlement.reporting_id ??= randomUUID();
  state.webhooks?.send('order_status', {
    event_time: String(nowSeconds()),
    user_id: userId,
    product_info: { notification_type: type, reporting_id: entitlement.reporting_id, sku: entitlement.sku, developer_payload: '' },
  });
}

/** `cancel_reason` 0..5 as the webhooks name them: only PRICE_TOO_EXPENSIVE is documented, the rest are guesses. */
const CANCEL_REASONS = ['OTHER', 'PRICE_TOO_EXPENSIVE', 'CONTENT', 'USAGE', 'PURCHASED_BY_MISTAKE', 'TECHNICAL'];

export type SubscriptionStep = 'started' | 'renewal_success' | 'canceled' | 'uncanceled' | 'expired';

export function subscriptionChange(state: EmulatorState, s: EmulatedSubscription, step: SubscriptionStep): void {
  const time = (seconds: number | undefined) => (seconds === undefined ? undefined : String(seconds));
  state.webhooks?.send(`subscription_${step}`, {
    owner_id: s.owner_id,
    subscription: {
      id: s.id,
      sku: s.sku,
      trial_type: s.trial_type,
      period_start_time: time(s.period_start),
      period_end_time: time(s.period_end),
      next_renewal_time: time(s.next_renewal),
      is_active: state.subscriptions.isActive(s, nowSeconds()),
      is_trial: s.is_trial,
      current_price_term: s.current_price_term,
      next_price_term: s.next_price_term,
    },
    ...(step === 'canceled' ? { cancel_reason: CANCEL_REASONS[s.cancel_reason ?? 0] } : {}),
    source_app: state.appId,
  });
}

/** A new monthly subscription to a tier, at the price of its first catalog term. */
function startSubscription(state: EmulatorState, userId: string, sku: string, now: number): void {
  const item = [...state.purchases.items.values()].find((i) => i.subscription_sku === sku);
  const offer = item?.billing_plans?.[0]?.paid_offer;
  if (!item || !offer) throw errors.param('sku must name a subscription tier in the catalog');
  const term = { price: (offer.price.amount_in_hundredths / 100).toFixed(2), term: offer.subscription_term, currency: offer.price.currency };
  state.subscriptions.all.push({
    id: state.newId(),
    purchase_id: state.newId(),
    owner_id: userId,
    sku,
    item_id: item.id,
    period_start: now,
    period_end: now + 30 * DAY_SECONDS,
    next_renewal: now + 30 * DAY_SECONDS,
    is_trial: false,
    current_price_term: term,
    next_price_term: term,
    extended_days: 0,
    ended: false,
  });
}

/** The emulator's controls for what happens outside the S2S API, each answering what it did. */
export function webhookControls(state: EmulatorState): Map<string, (params: Record<string, string>) => unknown> {
  const user = (params: Record<string, string>) => {
    const id = required(params, 'user_id');
    if (!state.users.has(id)) throw errors.invalidUser('user_id', id);
    return id;
  };
  return new Map<string, (params: Record<string, string>) => unknown>([
    [
      // A player buys a durable or consumable on their device.
      '/__emulator/purchase',
      (params) => {
        const userId = user(params);
        const item = state.purchases.items.get(required(params, 'sku'));
        if (!item || item.item_type === 'SUBSCRIPTION') throw errors.param('sku must name a durable or consumable in the catalog');
        const owned = state.purchases.entitlementsOf(userId);
        if (owned.has(item.sku)) throw errors.param('The user already owns this item');
        const entitlement: EmulatedEntitlement = { id: state.newId(), sku: item.sku, item_id: item.id, grant_time: nowSeconds(), reporting_id: randomUUID() };
        owned.set(item.sku, entitlement);
        orderStatus(state, userId, entitlement, 'PURCHASED');
        return { success: true, id: entitlement.id, reporting_id: entitlement.reporting_id };
      },
    ],
    [
      // The player's bank reverses the payment: the item is taken away.
      '/__emulator/chargeback',
      (params) => {
        const userId = user(params);
        const owned = state.purchases.entitlementsOf(userId);
        const entitlement = owned.get(required(params, 'sku'));
        if (!entitlement) throw errors.param('The user does not own this item');
        owned.delete(entitlement.sku);
        orderStatus(state, userId, entitlement, 'CHARGEBACKED');
        return { success: true, reporting_id: entitlement.reporting_id };
      },
    ],
    [
      // Billing moves a subscription on: renews it, ends it, or the player uncancels it.
      '/__emulator/subscription',
      (params) => {
        const userId = user(params);
        const step = required(params, 'step') as SubscriptionStep;
        const sku = required(params, 'sku');
        const now = nowSeconds();
        if (step === 'started' && !state.subscriptions.active(userId, sku, now)) startSubscription(state, userId, sku, now);
        const s = state.subscriptions.all.findLast((x) => x.owner_id === userId && x.sku === sku);
        if (!s) throw errors.param('The user has no subscription to this SKU');
        if (step === 'renewal_success') {
          // Billing renews at the period's end; here the new period starts now.
          const length = s.period_end - s.period_start || 30 * DAY_SECONDS;
          s.period_start = now;
          s.period_end = now + length;
          s.next_renewal = s.period_end;
        } else if (step === 'canceled') {
          s.cancellation = now;
          s.cancel_reason = 0;
          delete s.next_renewal;
        } else if (step === 'uncanceled') {
          delete s.cancellation;
          delete s.cancel_reason;
          s.next_renewal = s.period_end;
        } else if (step === 'expired') {
          s.ended = true;
        } else if (step !== 'started') {
          throw errors.param('step must be one of started, renewal_success, canceled, uncanceled, expired');
        }
        subscriptionChange(state, s, step);
        return { success: true, id: s.id };
      },
    ],
  ]);
}
