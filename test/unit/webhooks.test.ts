/**
 * Webhook ingestion's pure parts: reading deliveries (documented shapes, liberal forms, unknown
 * fields kept raw), dedup keys, signatures, the in-memory store, and the final states computed
 * from events whatever order they arrived in.
 */
import { ConfigError, loadConfig } from '../../src/config.js';
import { envelopeSchema, eventsOf, type WebhookEvent } from '../../src/webhooks/events.js';
import { indexEvents, lifecycleOf, MAX_INDEX_EVENTS, orderState, pageEvents } from '../../src/webhooks/queries.js';
import { constantTimeEqual as sameText } from '../../src/lib/compare.js';
import { checkSignature, signBody } from '../../src/webhooks/signature.js';
import { indexesOf, MemoryWebhookEventStore } from '../../src/webhooks/store.js';

const order = (type: string, eventTime: string | number = '1659742639', reportingId = '03f8833e-9c02-4fa0-978f-4cfe91f86bae') => ({
  event_time: eventTime,
  user_id: '10149999707612630',
  product_info: { notification_type: type, reporting_id: reportingId, sku: 'item_sku_1', developer_payload: '{"quoteId": 1234567}' },
});
const subscription = (id = '555') => ({
  owner_id: 3559884437424131,
  subscription: { id, sku: 'VIP', is_active: true, period_start_time: '1700000000' },
  cancel_reason: 'PRICE_TOO_EXPENSIVE',
  source_app: '345533925309564',
});
const delivery = (changes: Array<{ field: string; value: unknown }>, time = 1718052945, asObject = false) => {
  const entry = { id: '345533925309564', time, changes };
  return envelopeSchema.parse({ object: 'application', entry: asObject ? entry : [entry] });
};

describe('reading deliveries', () => {
  test("an order_status as Meta's docs show it (entry as one object, times as strings)", () => {
    const [event] = eventsOf(delivery([{ field: 'order_status', value: order('REFUNDED') }], 1718052945, true), 5);
    expect(event).toMatchObject({
      type: 'REFUNDED',
      field: 'order_status',
      appId: '345533925309564',
      userId: '10149999707612630',
      sku: 'item_sku_1',
      reportingId: '03f8833e-9c02-4fa0-978f-4cfe91f86bae',
      notificationType: 'REFUNDED',
      developerPayload: '{"quoteId": 1234567}',
      occurredAt: 1659742639000,
      receivedAt: 5,
    });
    expect(JSON.parse(event!.raw)).toEqual(order('REFUNDED'));
  });

  test('subscription events: numeric ids become strings, the entry time is when it happened', () => {
    const [event] = eventsOf(delivery([{ field: 'subscription_canceled', value: subscription() }]), 5);
    expect(event).toMatchObject({
      type: 'SUBSCRIPTION_CANCELED',
      userId: '3559884437424131',
      subscriptionId: '555',
      sku: 'VIP',
      cancelReason: 'PRICE_TOO_EXPENSIVE',
      occurredAt: 1718052945000,
    });
  });

  test('unknown fields, undocumented notification types and off-shape values are kept, never dropped', () => {
    const events = eventsOf(
      delivery([
        { field: 'join_intent', value: { destination_api_name: 'x', joining_user: '1' } },
        { field: 'order_status', value: order('CONSUMED') },
        { field: 'order_status', value: { user_id: 'x' } },
        { field: 'subscription_expired', value: 'garbage' },
      ]),
      5,
    );
    expect(events.map((e) => e.type)).toEqual(['OTHER', 'ORDER_OTHER', 'OTHER', 'OTHER']);
    expect(events[1]!.notificationType).toBe('CONSUMED');
    expect(events[3]!.raw).toBe('"garbage"');
  });

  test('what is not a delivery is refused', () => {
    for (const body of [{}, { entry: 'x' }, { entry: [{ changes: [{ value: 1 }] }] }, [], null, { entry: [{ changes: 'x' }] }]) {
      expect(envelopeSchema.safeParse(body).success).toBe(false);
    }
  });

  test("an entry's unreadable id or time is ignored, not a reason to refuse the delivery", () => {
    const parsed = envelopeSchema.parse({ entry: [{ id: {}, time: 1e300, changes: [{ field: 'order_status', value: order('PURCHASED') }] }] });
    const [event] = eventsOf(parsed, 5);
    expect(event).toMatchObject({ type: 'PURCHASED', occurredAt: 1659742639000 });
    expect(event!.appId).toBeUndefined();
  });

  test('the same change delivered again has the same id; different changes differ', () => {
    const id = (field: string, value: unknown, time = 1) => eventsOf(delivery([{ field, value }], time), Math.random())[0]!.id;
    // An order's value carries its time: a retry with another delivery time is still the same event.
    expect(id('order_status', order('PURCHASED'), 1)).toBe(id('order_status', order('PURCHASED'), 2));
    expect(id('order_status', order('PURCHASED'))).not.toBe(id('order_status', order('REFUNDED')));
    expect(id('order_status', order('PURCHASED', '1'))).not.toBe(id('order_status', order('PURCHASED', '2')));
    // Subscription values can repeat (cancel, uncancel, cancel): the delivery time tells them apart.
    expect(id('subscription_canceled', subscription(), 1)).toBe(id('subscription_canceled', subscription(), 1));
    expect(id('subscription_canceled', subscription(), 1)).not.toBe(id('subscription_canceled', subscription(), 2));
  });
});

describe('settings', () => {
  test('defaults: the path, signatures required, keyed by the app secret unless WEBHOOK_SECRET is set', () => {
    expect(loadConfig({}).webhooks).toEqual({
      path: '/webhooks/horizon',
      verifyToken: undefined,
      signature: 'require',
      secret: undefined,
      maxBodyBytes: 262_144,
      retentionMs: 90 * 24 * 3600 * 1000,
    });
    const live = { HORIZON_APP_ID: '123', HORIZON_APP_SECRET: 'app-secret' };
    expect(loadConfig(live).webhooks.secret).toBe('app-secret');
    expect(loadConfig({ ...live, WEBHOOK_SECRET: 'hook-secret', WEBHOOK_RETENTION_DAYS: '7' }).webhooks).toMatchObject({
      secret: 'hook-secret',
      retentionMs: 7 * 24 * 3600 * 1000,
    });
  });

  test('a path the subgraph serves itself, a bad path or a short verify token are refused, the token never echoed', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (error) {
        return (error as ConfigError).message;
      }
    };
    expect(problems({ WEBHOOK_PATH: '/graphql' })).toContain('WEBHOOK_PATH must not be one of');
    expect(problems({ WEBHOOK_PATH: 'webhooks' })).toContain('WEBHOOK_PATH must be a path');
    expect(problems({ WEBHOOK_SIGNATURE: 'maybe' })).toContain('WEBHOOK_SIGNATURE must be require or off');
    const short = problems({ WEBHOOK_VERIFY_TOKEN: 'abc12' });
    expect(short).toContain('WEBHOOK_VERIFY_TOKEN must be at least 8 characters');
    expect(short).not.toContain('abc12');
  });
});

describe('signatures', () => {
  const body = Buffer.from('{"entry":[]}');
  test('right, missing, wrong, other body, other secret', () => {
    expect(checkSignature('s3cret', body, signBody('s3cret', body))).toBe('ok');
    expect(checkSignature('s3cret', body, signBody('s3cret', body).toUpperCase())).toBe('ok');
    expect(checkSignature('s3cret', body, undefined)).toBe('missing');
    expect(checkSignature('s3cret', body, ' ')).toBe('missing');
    expect(checkSignature('s3cret', body, 'sha256=00')).toBe('mismatch');
    expect(checkSignature('s3cret', body, signBody('s3cret', '{}'))).toBe('mismatch');
    expect(checkSignature('s3cret', body, signBody('other', body))).toBe('mismatch');
    expect(checkSignature('s3cret', body, signBody('s3cret', body).replace('sha256=', 'sha1='))).toBe('mismatch');
  });
  test('verify tokens compare exactly', () => {
    expect(sameText('token-123', 'token-123')).toBe(true);
    expect(sameText('token-123', 'token-124')).toBe(false);
    expect(sameText('', 'token-123')).toBe(false);
  });
});

const ev = (over: Partial<WebhookEvent>): WebhookEvent => ({
  id: Math.random().toString(36),
  type: 'OTHER',
  field: 'x',
  occurredAt: 0,
  receivedAt: 0,
  raw: '{}',
  ...over,
});

describe('final states, whatever order events arrive in', () => {
  test('an order: a refund arriving before its purchase still reads REFUNDED', () => {
    const purchase = ev({ type: 'PURCHASED', reportingId: 'r', occurredAt: 1000, seq: 2 });
    const refund = ev({ type: 'REFUNDED', reportingId: 'r', occurredAt: 2000, seq: 1 });
    for (const events of [
      [purchase, refund],
      [refund, purchase],
    ]) {
      expect(orderState('r', events)).toMatchObject({ status: 'REFUNDED', purchasedAt: 1000, refundedAt: 2000, chargedBackAt: undefined });
    }
    expect(orderState('r', [purchase])!.status).toBe('PURCHASED');
    expect(orderState('other', [purchase])).toBeUndefined();
    const chargeback = ev({ type: 'CHARGEBACKED', reportingId: 'r', occurredAt: 3000 });
    expect(orderState('r', [chargeback, refund, purchase])!.status).toBe('CHARGEBACKED');
  });

  test('a subscription: the latest event by time decides, within a second the last to arrive, then lifecycle order', () => {
    const s = (type: WebhookEvent['type'], occurredAt: number, seq: number) => ev({ type, occurredAt, seq, subscriptionId: '1' });
    const started = s('SUBSCRIPTION_STARTED', 100, 4);
    const canceled = s('SUBSCRIPTION_CANCELED', 200, 3);
    const uncanceled = s('SUBSCRIPTION_UNCANCELED', 300, 1);
    const expired = s('SUBSCRIPTION_EXPIRED', 300, 2);
    expect(lifecycleOf([uncanceled, canceled, started]).state).toBe('SUBSCRIPTION_UNCANCELED');
    expect(lifecycleOf([expired, uncanceled, canceled, started])).toMatchObject({ state: 'SUBSCRIPTION_EXPIRED', lastEventAt: 300 });
    expect(lifecycleOf([expired, canceled, started, uncanceled]).events.map((e) => e.type)).toEqual([
      'SUBSCRIPTION_STARTED',
      'SUBSCRIPTION_CANCELED',
      'SUBSCRIPTION_UNCANCELED',
      'SUBSCRIPTION_EXPIRED',
    ]);
    expect(lifecycleOf([]).state).toBeUndefined();
    const sameSecond = (type: WebhookEvent['type'], seq?: number) => ev({ type, occurredAt: 500, subscriptionId: '1', ...(seq ? { seq } : {}) });
    expect(lifecycleOf([sameSecond('SUBSCRIPTION_RENEWED', 9), sameSecond('SUBSCRIPTION_CANCELED', 8)]).state).toBe('SUBSCRIPTION_RENEWED');
    expect(lifecycleOf([sameSecond('SUBSCRIPTION_EXPIRED'), sameSecond('SUBSCRIPTION_CANCELED')]).state).toBe('SUBSCRIPTION_EXPIRED');
  });
});

describe('the in-memory store', () => {
  test('records an id once, lists in ingestion order, by index too', async () => {
    const store = new MemoryWebhookEventStore(60_000, 100, () => 0);
    const a = ev({ id: 'a', userId: 'u1' });
    expect(await store.record(a, indexesOf(a))).toBe(1);
    expect(await store.record(a, indexesOf(a))).toBeUndefined();
    const b = ev({ id: 'b', userId: 'u2' });
    expect(await store.record(b, indexesOf(b))).toBe(2);
    expect((await store.range(undefined, 0, 10)).events.map((e) => e.id)).toEqual(['a', 'b']);
    expect((await store.range(undefined, 1, 10)).events.map((e) => e.id)).toEqual(['b']);
    expect((await store.range('player:u2', 0, 10)).events.map((e) => e.id)).toEqual(['b']);
    expect(await store.range('player:nobody', 0, 10)).toEqual({ events: [], scannedTo: undefined });
  });

  test('retention and the size bound drop the oldest first', async () => {
    let now = 0;
    const store = new MemoryWebhookEventStore(1_000, 3, () => now);
    for (const [id, at] of [
      ['a', 0],
      ['b', 500],
      ['c', 900],
    ] as const) {
      now = at;
      await store.record(ev({ id, receivedAt: at, userId: 'u' }), ['player:u']);
    }
    now = 1_200;
    await store.record(ev({ id: 'd', receivedAt: now, userId: 'u' }), ['player:u']);
    expect((await store.range(undefined, 0, 10)).events.map((e) => e.id)).toEqual(['b', 'c', 'd']);
    await store.record(ev({ id: 'e', receivedAt: now }), []);
    expect((await store.range(undefined, 0, 10)).events.map((e) => e.id)).toEqual(['c', 'd', 'e']);
    expect((await store.range('player:u', 0, 10)).events.map((e) => e.id)).toEqual(['c', 'd']);
    // Past retention, a retry is new again: retention is how long duplicates are recognised.
    expect(await store.record(ev({ id: 'a' }), [])).toBeDefined();
  });

  test('pages: filters, cursors, and whether more follow', async () => {
    const store = new MemoryWebhookEventStore(60_000, 100_000, () => 0);
    for (let i = 0; i < 450; i++) {
      const e = ev({ id: `e${i}`, type: i % 3 === 0 ? 'REFUNDED' : 'PURCHASED', userId: `u${i % 2}`, occurredAt: i * 1000 });
      await store.record(e, indexesOf(e));
    }
    const refunds = await pageEvents(store, { types: new Set(['REFUNDED']) }, 100, 0);
    expect(refunds.events).toHaveLength(100);
    expect(refunds.events.every((e) => e.type === 'REFUNDED')).toBe(true);
    expect(refunds.hasNextPage).toBe(true);
    const rest = await pageEvents(store, { types: new Set(['REFUNDED']) }, 100, refunds.endSeq);
    expect(rest.events).toHaveLength(50);
    expect(rest.hasNextPage).toBe(false);
    const player = await pageEvents(store, { userId: 'u1', occurredFrom: 100_000, occurredBefore: 110_000 }, 50, 0);
    expect(player.events.map((e) => e.id)).toEqual(['e101', 'e103', 'e105', 'e107', 'e109']);
    expect((await pageEvents(store, {}, 10, 450)).events).toEqual([]);
  });

  test("a player's lookup keeps their newest events", async () => {
    const store = new MemoryWebhookEventStore(60_000, 100_000, () => 0);
    for (let i = 0; i < MAX_INDEX_EVENTS + 250; i++) await store.record(ev({ id: `p${i}`, userId: 'u' }), ['player:u']);
    const events = await indexEvents(store, 'player:u');
    expect(events).toHaveLength(MAX_INDEX_EVENTS);
    expect(events[0]!.id).toBe('p250');
    expect(events.at(-1)!.id).toBe(`p${MAX_INDEX_EVENTS + 249}`);
  });
});
