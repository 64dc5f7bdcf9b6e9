/**
 * Reading recorded webhook events for reconciliation: filtered pages in ingestion order, an
 * order's final state, a subscription's lifecycle. Final states come from when events happened
 * (`occurredAt`), never from the order they arrived in, so late or retried deliveries do not
 * change the answer.
 */
import type { PurchaseEventType, WebhookEvent } from './events.js';
import { orderIndex, playerIndex, subscriptionIndex, type WebhookEventStore } from './store.js';

export interface EventFilter {
  types?: ReadonlySet<PurchaseEventType>;
  userId?: string;
  sku?: string;
  /** ms, inclusive. */
  occurredFrom?: number;
  /** ms, exclusive. */
  occurredBefore?: number;
}

export interface EventPage {
  events: WebhookEvent[];
  hasNextPage: boolean;
  /** Where the next page starts (past the last event, or past what was scanned). */
  endSeq: number;
}

const BATCH = 200;
/** Entries one page may scan for its matches: past it the page ends early, with `hasNextPage`. */
export const MAX_SCANNED = 5_000;
/** Most events one player, order or subscription lookup keeps: the newest. */
export const MAX_INDEX_EVENTS = 1_000;
/** Most index entries one lookup scans. */
const MAX_INDEX_SCANNED = 50_000;

function matches(event: WebhookEvent, filter: EventFilter): boolean {
  return (
    (!filter.types || filter.types.has(event.type)) &&
    (filter.sku === undefined || event.sku === filter.sku) &&
    (filter.occurredFrom === undefined || event.occurredAt >= filter.occurredFrom) &&
    (filter.occurredBefore === undefined || event.occurredAt < filter.occurredBefore)
  );
}

/** Up to `first` matching events after `afterSeq`; a player filter reads only that player's index. */
export async function pageEvents(store: WebhookEventStore, filter: EventFilter, first: number, afterSeq: number): Promise<EventPage> {
  const index = filter.userId === undefined ? undefined : playerIndex(filter.userId);
  const events: WebhookEvent[] = [];
  let cursor = afterSeq;
  let scanned = 0;
  while (scanned < MAX_SCANNED) {
    const range = await store.range(index, cursor, BATCH);
    if (range.scannedTo === undefined) return { events, hasNextPage: false, endSeq: events.at(-1)?.seq ?? afterSeq };
    for (const event of range.events) {
      if (!matches(event, filter)) continue;
      // One match more than asked: the page is full and more follow.
      if (events.length === first) return { events, hasNextPage: true, endSeq: events.at(-1)!.seq! };
      events.push(event);
    }
    scanned += BATCH;
    cursor = range.scannedTo;
  }
  return { events, hasNextPage: true, endSeq: cursor };
}

/** The newest MAX_INDEX_EVENTS events of one index, in ingestion order. */
export async function indexEvents(store: WebhookEventStore, index: string): Promise<WebhookEvent[]> {
  let events: WebhookEvent[] = [];
  let cursor = 0;
  for (let scanned = 0; scanned < MAX_INDEX_SCANNED; scanned += BATCH) {
    const range = await store.range(index, cursor, BATCH);
    if (range.scannedTo === undefined) break;
    events.push(...range.events);
    if (events.length > MAX_INDEX_EVENTS) events = events.slice(-MAX_INDEX_EVENTS);
    cursor = range.scannedTo;
  }
  return events;
}

export type OrderStatus = 'PURCHASED' | 'REFUNDED' | 'CHARGEBACKED';

export interface OrderState {
  reportingId: string;
  userId: string | undefined;
  sku: string | undefined;
  /** The latest reversal (refund or chargeback) when there is one, else PURCHASED; undefined when only undocumented notifications arrived. */
  status: OrderStatus | undefined;
  purchasedAt: number | undefined;
  refundedAt: number | undefined;
  chargedBackAt: number | undefined;
  /** By when they happened. */
  events: WebhookEvent[];
}

/** By when they happened; within one second (Horizon's resolution) by arrival, then by `rank`. */
const byOccurrence = (rank: (e: WebhookEvent) => number) => (a: WebhookEvent, b: WebhookEvent) =>
  a.occurredAt - b.occurredAt || (a.seq ?? 0) - (b.seq ?? 0) || rank(a) - rank(b);

/** The state of one order from its events, whatever order they arrived in. */
export function orderState(reportingId: string, events: WebhookEvent[]): OrderState | undefined {
  const own = events.filter((e) => e.reportingId === reportingId).sort(byOccurrence(() => 0));
  if (own.length === 0) return undefined;
  const last = (type: OrderStatus) => own.findLast((e) => e.type === type)?.occurredAt;
  const reversal = own.findLast((e) => e.type === 'REFUNDED' || e.type === 'CHARGEBACKED');
  const purchasedAt = last('PURCHASED');
  return {
    reportingId,
    userId: own[0]!.userId,
    sku: own[0]!.sku,
    status: (reversal?.type as OrderStatus | undefined) ?? (purchasedAt !== undefined ? 'PURCHASED' : undefined),
    purchasedAt,
    refundedAt: last('REFUNDED'),
    chargedBackAt: last('CHARGEBACKED'),
    events: own,
  };
}

export async function findOrder(store: WebhookEventStore, reportingId: string): Promise<OrderState | undefined> {
  return orderState(reportingId, await indexEvents(store, orderIndex(reportingId)));
}

/** The player's latest order of a SKU (by when it last changed), from the events of that player. */
export async function latestOrder(store: WebhookEventStore, userId: string, sku: string): Promise<OrderState | undefined> {
  const ofSku = (await indexEvents(store, playerIndex(userId))).filter((e) => e.sku === sku && e.reportingId !== undefined);
  const latest = ofSku.sort(byOccurrence(() => 0)).at(-1);
  return latest && orderState(latest.reportingId!, ofSku);
}

/** Same-second events of one subscription not told apart by arrival: they apply in this order. */
const LIFECYCLE_RANK: Partial<Record<PurchaseEventType, number>> = {
  SUBSCRIPTION_STARTED: 0,
  SUBSCRIPTION_RENEWED: 1,
  SUBSCRIPTION_UNCANCELED: 2,
  SUBSCRIPTION_CANCELED: 3,
  SUBSCRIPTION_EXPIRED: 4,
};

export interface SubscriptionLifecycle {
  /** The type of the last event by when it happened (within a second, the last to arrive): the subscription's state as webhooks tell it. */
  state: PurchaseEventType | undefined;
  lastEventAt: number | undefined;
  events: WebhookEvent[];
}

export function lifecycleOf(events: WebhookEvent[]): SubscriptionLifecycle {
  const sorted = events.filter((e) => e.subscriptionId !== undefined).sort(byOccurrence((e) => LIFECYCLE_RANK[e.type] ?? 5));
  const last = sorted.at(-1);
  return { state: last?.type, lastEventAt: last?.occurredAt, events: sorted };
}

export async function subscriptionLifecycle(store: WebhookEventStore, subscriptionId: string): Promise<SubscriptionLifecycle> {
  return lifecycleOf(await indexEvents(store, subscriptionIndex(subscriptionId)));
}
