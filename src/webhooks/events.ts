/**
 * Horizon's webhook deliveries (docs/webhooks.md) to the events this subgraph records. One
 * delivery is `{"object":"application","entry":[{"id","time","changes":[{"field","value"}]}]}`;
 * each change is one event. Liberal in what is accepted: ids and times as numbers or strings, and
 * `entry` as one object (as Meta's own `order_status` example writes it) or an array. A change
 * whose value does not match its documented shape, or whose field is unknown, is still recorded,
 * raw, typed `OTHER`: an event is never dropped because this subgraph did not expect it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const SUBSCRIPTION_FIELDS = {
  subscription_started: 'SUBSCRIPTION_STARTED',
  subscription_renewal_success: 'SUBSCRIPTION_RENEWED',
  subscription_canceled: 'SUBSCRIPTION_CANCELED',
  subscription_uncanceled: 'SUBSCRIPTION_UNCANCELED',
  subscription_expired: 'SUBSCRIPTION_EXPIRED',
} as const;
/** How long events are kept unless WEBHOOK_RETENTION_DAYS says otherwise (90 days). */
export const DEFAULT_WEBHOOK_RETENTION_MS = 90 * 24 * 3600 * 1000;
export const ORDER_TYPES = ['PURCHASED', 'REFUNDED', 'CHARGEBACKED'] as const;

export type OrderEventType = (typeof ORDER_TYPES)[number];
export type SubscriptionEventType = (typeof SUBSCRIPTION_FIELDS)[keyof typeof SUBSCRIPTION_FIELDS];
/** `ORDER_OTHER`: an `order_status` with an undocumented notification type; `OTHER`: any other field, or a value not of its documented shape. */
export type PurchaseEventType = OrderEventType | SubscriptionEventType | 'ORDER_OTHER' | 'OTHER';

/** One recorded change, as the store keeps it. Times in ms since the epoch. */
export interface WebhookEvent {
  /** The dedup key: the same change delivered again (a retry, another replica) has the same id. */
  id: string;
  /** Ingestion order, given by the store (cursors page on it). */
  seq?: number;
  type: PurchaseEventType;
  /** The webhook field, e.g. `order_status`, `subscription_canceled`. */
  field: string;
  appId?: string;
  userId?: string;
  sku?: string;
  reportingId?: string;
  notificationType?: string;
  developerPayload?: string;
  subscriptionId?: string;
  cancelReason?: string;
  /** When it happened: the value's `event_time`, else the entry's `time`, else when it arrived. */
  occurredAt: number;
  receivedAt: number;
  /** The change's value exactly as received, as JSON. */
  raw: string;
}

const idText = z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String);
// Unix seconds, as numbers or strings; bounded so that every one is a valid date (year < 5000).
const unixTime = z.union([
  z.number().finite().nonnegative().max(1e11),
  z
    .string()
    .regex(/^\d{1,11}(\.\d+)?$/)
    .transform(Number),
]);
const change = z.object({ field: z.string().min(1).max(100), value: z.unknown() });
// An entry's own id and time only help: unreadable ones are ignored rather than the delivery refused.
const entry = z.object({ id: idText.optional().catch(undefined), time: unixTime.optional().catch(undefined), changes: z.array(change).max(1000) });
/** The envelope; anything else is not a Horizon delivery (400). */
export const envelopeSchema = z.object({
  object: z.string().max(100).optional(),
  entry: z.union([z.array(entry).max(1000), entry.transform((e) => [e])]),
});

const orderValue = z.object({
  event_time: unixTime.optional(),
  user_id: idText,
  product_info: z.object({
    notification_type: z.string().min(1).max(64),
    reporting_id: z.string().min(1).max(128),
    sku: z.string().min(1).max(256),
    developer_payload: z.string().nullish(),
  }),
});

const subscriptionValue = z.object({
  event_time: unixTime.optional(),
  owner_id: idText,
  subscription: z.object({ id: idText, sku: z.string().min(1).max(256) }).passthrough(),
  cancel_reason: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === undefined || v === null ? undefined : String(v))),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** The events of a parsed delivery, one per change. */
export function eventsOf(envelope: Envelope, receivedAt: number): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const e of envelope.entry) {
    for (const c of e.changes) events.push(eventOf(c.field, c.value, e.id, e.time, receivedAt));
  }
  return events;
}

function eventOf(field: string, value: unknown, appId: string | undefined, entryTime: number | undefined, receivedAt: number): WebhookEvent {
  const raw = JSON.stringify(value ?? null);
  const at = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  const base = { field, raw, receivedAt, ...(appId ? { appId } : {}) };
  if (field === 'order_status') {
    const order = orderValue.safeParse(value);
    if (order.success) {
      const info = order.data.product_info;
      const type = (ORDER_TYPES as readonly string[]).includes(info.notification_type) ? (info.notification_type as OrderEventType) : 'ORDER_OTHER';
      return {
        ...base,
        // The value carries its own time: a retry of it is the same event whatever the entry's time.
        id: dedupKey(field, raw),
        type,
        userId: order.data.user_id,
        sku: info.sku,
        reportingId: info.reporting_id,
        notificationType: info.notification_type,
        ...(info.developer_payload ? { developerPayload: info.developer_payload } : {}),
        occurredAt: at(order.data.event_time) ?? at(entryTime) ?? receivedAt,
      };
    }
  }
  const subscriptionType = SUBSCRIPTION_FIELDS[field as keyof typeof SUBSCRIPTION_FIELDS];
  if (subscriptionType) {
    const parsed = subscriptionValue.safeParse(value);
    if (parsed.success) {
      return {
        ...base,
        // A cancel, uncancel and cancel again can carry identical values: the entry's time tells them apart.
        id: dedupKey(field, raw, entryTime),
        type: subscriptionType,
        userId: parsed.data.owner_id,
        sku: parsed.data.subscription.sku,
        subscriptionId: parsed.data.subscription.id,
        ...(parsed.data.cancel_reason ? { cancelReason: parsed.data.cancel_reason } : {}),
        occurredAt: at(parsed.data.event_time) ?? at(entryTime) ?? receivedAt,
      };
    }
  }
  return { ...base, id: dedupKey(field, raw, entryTime), type: 'OTHER', occurredAt: at(entryTime) ?? receivedAt };
}

function dedupKey(field: string, raw: string, entryTime?: number): string {
  return createHash('sha256')
    .update(`${field}\n${entryTime ?? ''}\n${raw}`)
    .digest('base64url')
    .slice(0, 32);
}
