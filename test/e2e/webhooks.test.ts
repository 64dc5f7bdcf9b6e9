/**
 * The webhook endpoint over real HTTP, as Horizon (or the emulator) calls it: the verification
 * handshake, signatures, exactly-once recording, bounded and garbled bodies, a failing store
 * (503, nothing acknowledged), metrics, and what GraphQL then shows. Then the demo flow end to
 * end: `refundPurchase` -> the emulator's signed webhook -> `purchaseEvents`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId, startEmulator } from '../../src/emulator/index.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { subscriptionLifecycle } from '../../src/webhooks/queries.js';
import { checkSignature, signBody } from '../../src/webhooks/signature.js';
import { MemoryWebhookEventStore, type EventRange, type WebhookEventStore } from '../../src/webhooks/store.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const SECRET = 'webhook-test-app-secret';
const VERIFY_TOKEN = 'verify-me-please';
const WEBHOOKS = {
  path: '/webhooks/horizon',
  verifyToken: VERIFY_TOKEN,
  signature: 'require' as const,
  secret: SECRET,
  maxBodyBytes: 4096,
  retentionMs: 3_600_000,
};

/** A store that fails while `down` is set, as Redis does when unreachable. */
class FlakyStore implements WebhookEventStore {
  down = false;
  constructor(private readonly inner = new MemoryWebhookEventStore(3_600_000)) {}
  record(event: WebhookEvent, indexes: readonly string[]): Promise<number | undefined> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED')) : this.inner.record(event, indexes);
  }
  range(index: string | undefined, afterSeq: number, limit: number): Promise<EventRange> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED')) : this.inner.range(index, afterSeq, limit);
  }
  close = () => this.inner.close();
}

let h: Harness;
let subgraph: RunningSubgraph;
let store: FlakyStore;
beforeAll(async () => {
  h = await startHarness();
  store = new FlakyStore();
  subgraph = await startSubgraph(
    {
      config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, webhooks: WEBHOOKS },
      horizon: h.horizon,
      logger: silentLogger,
      webhookEvents: store,
    },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await subgraph?.stop();
  await h?.close();
});

const endpoint = (query = '') => new URL(`/webhooks/horizon${query}`, subgraph.url).href;

async function deliver(body: string, signature: string | null = signBody(SECRET, body)) {
  const response = await request(endpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
    body,
  });
  return { status: response.statusCode, body: (await response.body.json()) as any, retryAfter: response.headers['retry-after'] };
}

async function graphql(query: string, url = subgraph.url): Promise<any> {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return response.body.json();
}

const delivery = (field: string, value: unknown, time = 1718052945) =>
  JSON.stringify({ object: 'application', entry: [{ id: '345533925309564', time, changes: [{ field, value }] }] });
const orderStatus = (type: string, reportingId: string, userId = demoUserId(1), eventTime = '1718052900') =>
  delivery('order_status', { event_time: eventTime, user_id: userId, product_info: { notification_type: type, reporting_id: reportingId, sku: 'gems_500' } });

const EVENTS = `{ purchaseEvents(first: 200) { nodes { id type field reportingId user { id } } } }`;
async function recorded(): Promise<any[]> {
  return (await graphql(EVENTS)).data.purchaseEvents.nodes;
}

describe('verification handshake', () => {
  test('the right verify token gets the challenge back', async () => {
    const response = await request(endpoint(`?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(await response.body.text()).toBe('1158201444');
  });

  test('a wrong or missing verify token is refused with 403, without echoing the challenge', async () => {
    for (const query of ['?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42', '?hub.mode=subscribe&hub.challenge=42']) {
      const response = await request(endpoint(query));
      expect(response.statusCode).toBe(403);
      expect(await response.body.text()).not.toContain('42');
    }
  });

  test('not a subscribe handshake: 400', async () => {
    const response = await request(endpoint(`?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`));
    expect(response.statusCode).toBe(400);
    await response.body.dump();
  });
});

describe('deliveries', () => {
  test('signature missing (401) or wrong (403): refused, nothing recorded', async () => {
    const body = orderStatus('PURCHASED', 'unsigned-order');
    expect((await deliver(body, null)).status).toBe(401);
    expect((await deliver(body, signBody('another-secret', body))).status).toBe(403);
    expect((await deliver(body, signBody(SECRET, `${body} `))).status).toBe(403);
    expect((await recorded()).filter((e) => e.reportingId === 'unsigned-order')).toEqual([]);
  });

  test('a signed delivery is recorded and shows in purchaseEvents', async () => {
    const result = await deliver(orderStatus('PURCHASED', 'order-1'));
    expect(result).toMatchObject({ status: 200, body: { received: 1, recorded: 1 } });
    const events = (await recorded()).filter((e) => e.reportingId === 'order-1');
    expect(events).toEqual([{ id: expect.any(String), type: 'PURCHASED', field: 'order_status', reportingId: 'order-1', user: { id: demoUserId(1) } }]);
  });

  test('the same delivery twice, even at once, is recorded once', async () => {
    const body = orderStatus('REFUNDED', 'order-1');
    const results = await Promise.all([deliver(body), deliver(body), deliver(body)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.recorded).sort()).toEqual([0, 0, 1]);
    expect((await recorded()).filter((e) => e.reportingId === 'order-1').map((e) => e.type)).toEqual(['PURCHASED', 'REFUNDED']);
    const order = await graphql('{ purchaseOrder(reportingId: "order-1") { status sku purchasedAt refundedAt events { type } } }');
    expect(order.data.purchaseOrder).toEqual({
      status: 'REFUNDED',
      sku: 'gems_500',
      purchasedAt: '2024-06-10T20:55:00.000Z',
      refundedAt: '2024-06-10T20:55:00.000Z',
      events: [{ type: 'PURCHASED' }, { type: 'REFUNDED' }],
    });
  });

  test('oversized (413) and garbled or foreign bodies (400) are refused, nothing recorded, the server still serves', async () => {
    const before = (await recorded()).length;
    const big = orderStatus('PURCHASED', 'x'.repeat(5000));
    expect((await deliver(big)).status).toBe(413);
    for (const body of ['{"entry": [', 'null', '[]', '{"entry": "x"}', '\u0000\u00ff', '{"entry":[{"changes":[{"value":1}]}]}']) {
      expect((await deliver(body)).status).toBe(400);
    }
    expect(await recorded()).toHaveLength(before);
    expect((await request(new URL('/health', subgraph.url))).statusCode).toBe(200);
  });

  test('unknown fields are stored raw and counted, not refused', async () => {
    const result = await deliver(delivery('join_intent', { destination_api_name: 'lobby', joining_user: '1' }));
    expect(result.status).toBe(200);
    const events = (await graphql('{ purchaseEvents(types: [OTHER]) { nodes { field raw } } }')).data.purchaseEvents.nodes;
    expect(events).toContainEqual({ field: 'join_intent', raw: '{"destination_api_name":"lobby","joining_user":"1"}' });
    const metrics = await (await request(new URL('/metrics', subgraph.url))).body.text();
    expect(metrics).toMatch(/horizon_webhook_events_total\{type="OTHER",outcome="recorded"\} [1-9]/);
    expect(metrics).toMatch(/horizon_webhook_events_total\{type="REFUNDED",outcome="duplicate"\} 2/);
    expect(metrics).toMatch(/horizon_webhook_deliveries_total\{outcome="signature_mismatch"\} [1-9]/);
    expect(metrics).not.toContain(SECRET);
  });

  test('out-of-order subscription events resolve to the state of the latest one', async () => {
    const value = (id: string) => ({ owner_id: demoUserId(0), subscription: { id, sku: 'vip_pass' } });
    // Arrival: expired, canceled, started; they happened: started (100), canceled (200), expired (300).
    for (const [field, time] of [
      ['subscription_expired', 300],
      ['subscription_canceled', 200],
      ['subscription_started', 100],
    ] as const) {
      expect((await deliver(delivery(field, value('sub-ooo'), time))).status).toBe(200);
    }
    const events = (await graphql('{ purchaseEvents(types: [SUBSCRIPTION_STARTED, SUBSCRIPTION_CANCELED, SUBSCRIPTION_EXPIRED]) { nodes { type } } }')).data
      .purchaseEvents.nodes;
    expect(events.map((e: any) => e.type)).toEqual(['SUBSCRIPTION_EXPIRED', 'SUBSCRIPTION_CANCELED', 'SUBSCRIPTION_STARTED']);
    // What `PlayerSubscription.lifecycle` answers for that subscription (shown through GraphQL in the demo flow below).
    const lifecycle = await subscriptionLifecycle(store, 'sub-ooo');
    expect(lifecycle.state).toBe('SUBSCRIPTION_EXPIRED');
    expect(lifecycle.events.map((e) => e.type)).toEqual(['SUBSCRIPTION_STARTED', 'SUBSCRIPTION_CANCELED', 'SUBSCRIPTION_EXPIRED']);
  });

  test('store down: 503 with Retry-After, nothing acknowledged; delivered again once it is back: recorded once', async () => {
    const body = orderStatus('CHARGEBACKED', 'order-down');
    store.down = true;
    const refused = await deliver(body);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('5');
    const read = await graphql('{ purchaseOrder(reportingId: "order-down") { status } }');
    expect(read.errors[0].extensions.code).toBe('EVENT_STORE_UNAVAILABLE');
    store.down = false;
    expect((await deliver(body)).body).toEqual({ received: 1, recorded: 1 });
    expect((await deliver(body)).body).toEqual({ received: 1, recorded: 0 });
    expect((await graphql('{ purchaseOrder(reportingId: "order-down") { status } }')).data.purchaseOrder.status).toBe('CHARGEBACKED');
  });

  test('paging: bad cursors are BAD_USER_INPUT, cursors resume after the last event', async () => {
    expect((await graphql('{ purchaseEvents(after: "nope") { nodes { id } } }')).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await graphql('{ purchaseEvents(first: 0) { nodes { id } } }')).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const first = (await graphql('{ purchaseEvents(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }')).data.purchaseEvents;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
    const next = (await graphql(`{ purchaseEvents(first: 200, after: "${first.pageInfo.endCursor}") { nodes { id } } }`)).data.purchaseEvents.nodes;
    const all = await recorded();
    expect(next.map((e: any) => e.id)).toEqual(all.slice(2).map((e) => e.id));
  });
});

test('WEBHOOK_SIGNATURE=off: unsigned deliveries are accepted (the operator chose it)', async () => {
  const open = await startSubgraph(
    {
      config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, webhooks: { ...WEBHOOKS, signature: 'off', secret: undefined } },
      horizon: h.horizon,
      logger: silentLogger,
    },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    const response = await request(new URL('/webhooks/horizon', open.url), { method: 'POST', body: orderStatus('PURCHASED', 'unsigned-ok') });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ received: 1, recorded: 1 });
  } finally {
    await open.stop();
  }
});

test('signatures required but no key configured: every delivery is refused, none accepted unchecked', async () => {
  const keyless = await startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: h.horizon, logger: silentLogger },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    const body = orderStatus('PURCHASED', 'keyless');
    const signed = await request(new URL('/webhooks/horizon', keyless.url), { method: 'POST', body, headers: { 'x-hub-signature-256': signBody('', body) } });
    expect(signed.statusCode).toBe(403);
    await signed.body.dump();
    const handshake = await request(new URL('/webhooks/horizon?hub.mode=subscribe&hub.verify_token=&hub.challenge=1', keyless.url));
    expect(handshake.statusCode).toBe(403);
    await handshake.body.dump();
  } finally {
    await keyless.stop();
  }
});

describe('demo mode end to end: the emulator signs and sends, the subgraph records', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'silent', AUTH_MODE: 'none' }), silentLogger);
  });
  afterAll(async () => {
    await app?.stop();
  });

  test("docs/webhooks.md's demo commands, run in order as written: the refund shows in purchaseEvents", async () => {
    const doc = readFileSync(join(__dirname, '../../docs/webhooks.md'), 'utf8');
    const demo = doc.slice(doc.indexOf('## In demo mode'));
    const commands = [...demo.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll('http://localhost:4001', app.subgraph.url.replace(/\/$/, '')));
    expect(commands).toHaveLength(2);
    const run = (command: string) =>
      new Promise<any>((resolve, reject) =>
        execFile('bash', ['-c', command], { env: { ...process.env, TOKEN: '' }, timeout: 10_000 }, (error, stdout) =>
          error ? reject(error) : resolve(JSON.parse(stdout)),
        ),
      );
    expect((await run(commands[0]!)).data.refundPurchase.refunded).toBe(true);
    await app.emulator!.webhooks.idle();
    const listed = await run(commands[1]!);
    expect(listed.data.purchaseEvents.nodes).toEqual([{ type: 'REFUNDED', sku: 'skin_golden_armor', reportingId: expect.any(String) }]);
  });

  test('refundPurchase -> order_status webhook -> purchaseEvents, purchaseOrder and Entitlement.lastOrder show the refund', async () => {
    const player = demoUserId(2);
    const refund = await graphql(
      `mutation { refundPurchase(userId: "${player}", sku: "skin_neon_visor", reason: CUSTOMER_SUPPORT) { refunded } }`,
      app.subgraph.url,
    );
    expect(refund.data.refundPurchase.refunded).toBe(true);
    await app.emulator!.webhooks.idle();
    expect(app.emulator!.webhooks.deliveries.at(-1)).toMatchObject({ field: 'order_status', status: 200, delivered: true, attempts: 1 });
    const events = await graphql(`{ purchaseEvents(userId: "${player}", types: [REFUNDED]) { nodes { type sku reportingId user { id } } } }`, app.subgraph.url);
    const [event] = events.data.purchaseEvents.nodes;
    expect(event).toMatchObject({ type: 'REFUNDED', sku: 'skin_neon_visor', user: { id: player } });
    const entitlement = await graphql(
      `{ user(id: "${player}") { entitlement(sku: "skin_neon_visor") { owned lastOrder { status reportingId } } } }`,
      app.subgraph.url,
    );
    expect(entitlement.data.user.entitlement).toEqual({ owned: false, lastOrder: { status: 'REFUNDED', reportingId: event.reportingId } });
  });

  test('a purchase, a consumption and subscription changes made in the emulator arrive too', async () => {
    const player = demoUserId(5);
    const control = (path: string, params: Record<string, string>) =>
      request(`${app.emulator!.url}/__emulator/${path}`, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const bought = await control('purchase', { user_id: player, sku: 'gems_100' });
    expect(bought.statusCode).toBe(200);
    const { reporting_id: reportingId } = (await bought.body.json()) as { reporting_id: string };
    await app.emulator!.webhooks.idle();
    // The purchase as Horizon lists it, joined to its order by the webhook: its reporting id, not refunded.
    const purchases = await graphql(`{ user(id: "${player}") { purchases { nodes { sku lastOrder { status reportingId } } } } }`, app.subgraph.url);
    expect(purchases.data.user.purchases.nodes).toContainEqual({ sku: 'gems_100', lastOrder: { status: 'PURCHASED', reportingId } });
    const consumed = await graphql(`mutation { consumePurchase(userId: "${player}", sku: "gems_100") { consumed } }`, app.subgraph.url);
    expect(consumed.data.consumePurchase.consumed).toBe(true);
    for (const step of ['started', 'canceled', 'uncanceled', 'renewal_success']) {
      expect((await control('subscription', { user_id: player, sku: 'vip_pass', step })).statusCode).toBe(200);
    }
    await app.emulator!.webhooks.idle();
    const events = await graphql(`{ purchaseEvents(userId: "${player}") { nodes { type notificationType } } }`, app.subgraph.url);
    expect(events.data.purchaseEvents.nodes.map((e: any) => e.type)).toEqual([
      'PURCHASED',
      'ORDER_OTHER',
      'SUBSCRIPTION_STARTED',
      'SUBSCRIPTION_CANCELED',
      'SUBSCRIPTION_UNCANCELED',
      'SUBSCRIPTION_RENEWED',
    ]);
    expect(events.data.purchaseEvents.nodes[1].notificationType).toBe('CONSUMED');
    const subscriptions = await graphql(
      `{ user(id: "${player}") { subscriptions(active: true) { sku lifecycle { state events { type } } } } }`,
      app.subgraph.url,
    );
    expect(subscriptions.data.user.subscriptions[0].lifecycle.state).toBe('SUBSCRIPTION_RENEWED');
  });

  test('the emulator delivers again after a non-2xx answer, signed each time', async () => {
    // A receiver that fails twice (as a subgraph whose Redis is down answers 503), then takes it.
    const seen: Array<{ ok: boolean; status: number }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = seen.length < 2 ? 503 : 200;
        seen.push({ ok: checkSignature(emulator.appSecret, Buffer.concat(chunks), req.headers['x-hub-signature-256']) === 'ok', status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, webhookRetry: { baseDelayMs: 5 } });
    try {
      const response = await request(`${emulator.url}/__emulator/chargeback`, {
        method: 'POST',
        body: new URLSearchParams({ user_id: demoUserId(3), sku: 'gems_1200' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      await emulator.webhooks.idle();
      expect(seen).toEqual([
        { ok: true, status: 503 },
        { ok: true, status: 503 },
        { ok: true, status: 200 },
      ]);
      expect(emulator.webhooks.deliveries).toEqual([{ field: 'order_status', status: 200, attempts: 3, delivered: true }]);
    } finally {
      await emulator.close();
      receiver.close();
    }
  });
});
