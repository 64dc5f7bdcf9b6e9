/**
 * Property: whatever a signed delivery holds (random bytes, random JSON, envelopes whose
 * changes carry random fields and values, ids and times of any type), the webhook endpoint
 * answers 200, 400 or 413 with a JSON body, never a 5xx; whatever it accepted is listed by
 * `purchaseEvents` without an error; and no log line carries the secret or the verify token.
 */
import fc from 'fast-check';
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { NO_CALLER_AUTH } from '../../src/auth/jwt.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { signBody } from '../../src/webhooks/signature.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const SECRET = 'property-webhook-secret';
const VERIFY_TOKEN = 'property-verify-token';
const MAX = 8 * 1024;
const logs: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  }),
);

let h: Harness;
let subgraph: RunningSubgraph;
beforeAll(async () => {
  h = await startHarness();
  subgraph = await startSubgraph(
    {
      config: {
        production: true,
        corsOrigins: [],
        maxBodyBytes: 1 << 20,
        webhooks: { path: '/webhooks/horizon', verifyToken: VERIFY_TOKEN, signature: 'require', secret: SECRET, maxBodyBytes: MAX, retentionMs: 3_600_000 },
      },
      horizon: h.horizon,
      logger,
      auth: NO_CALLER_AUTH,
    },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await subgraph?.stop();
  await h?.close();
});

const anyJson = fc.jsonValue({ maxDepth: 3 });
const field = fc.oneof(
  fc.constantFrom(
    'order_status',
    'subscription_started',
    'subscription_renewal_success',
    'subscription_canceled',
    'subscription_uncanceled',
    'subscription_expired',
    'join_intent',
  ),
  fc.string({ maxLength: 20 }),
);
const orderLike = fc.record(
  {
    event_time: fc.oneof(fc.nat().map(String), anyJson),
    user_id: fc.oneof(fc.nat().map(String), anyJson),
    product_info: fc.oneof(
      fc.record({
        notification_type: fc.oneof(fc.constantFrom('PURCHASED', 'REFUNDED', 'CHARGEBACKED'), fc.string()),
        reporting_id: fc.uuid(),
        sku: fc.string(),
      }),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
const value = fc.oneof(
  anyJson,
  orderLike,
  fc.record({ owner_id: fc.oneof(fc.nat(), anyJson), subscription: fc.oneof(fc.record({ id: fc.nat(), sku: fc.string() }), anyJson) }),
);
const envelope = fc.record(
  {
    object: fc.oneof(fc.constant('application'), anyJson),
    entry: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(fc.nat(), fc.string(), anyJson),
            time: fc.oneof(fc.nat(), fc.string(), anyJson),
            changes: fc.array(fc.record({ field, value }), { maxLength: 4 }),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
/** Envelopes of the documented form whose changes carry anything. */
const wellFormed = fc.record({
  object: fc.constant('application'),
  entry: fc.array(fc.record({ id: fc.nat().map(String), time: fc.nat(), changes: fc.array(fc.record({ field, value }), { minLength: 1, maxLength: 4 }) }), {
    minLength: 1,
    maxLength: 2,
  }),
});
const body: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: envelope.map((e) => Buffer.from(JSON.stringify(e))), weight: 3 },
  { arbitrary: wellFormed.map((e) => Buffer.from(JSON.stringify(e))), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 1_000 }).map((b) => Buffer.from(b)), weight: 1 },
  { arbitrary: fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)), weight: 1 },
  { arbitrary: fc.integer({ min: MAX - 100, max: 2 * MAX }).map((n) => Buffer.from(JSON.stringify({ entry: [], pad: 'x'.repeat(n) }))), weight: 1 },
);

test('any signed body: 200, 400 or 413 with JSON, never a 5xx; accepted events list without errors', async () => {
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      const response = await request(new URL('/webhooks/horizon', subgraph.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, payload) },
        body: payload,
      });
      expect([200, 400, 413]).toContain(response.statusCode);
      expect(await response.body.json()).toBeInstanceOf(Object);
    }),
    { numRuns: 150, seed: 1_515 },
  );
  const listed = await request(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ purchaseEvents(first: 200) { nodes { id type field user { id } sku reportingId occurredAt receivedAt raw } } }' }),
  });
  const result = (await listed.body.json()) as any;
  expect(result.errors).toBeUndefined();
  expect(result.data.purchaseEvents.nodes.length).toBeGreaterThan(0);
  const all = logs.join('');
  expect(all).toContain('webhook event recorded');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(VERIFY_TOKEN);
  expect(all).not.toContain('sha256=');
});
