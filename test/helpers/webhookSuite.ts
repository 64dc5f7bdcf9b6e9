/**
 * The webhook event store's contract for a shared (Redis) store: an event given to two
 * connections at once is recorded once; retention deletes old events and their lingering index
 * entries are skipped; pages and filters read in ingestion order. `open` gives a store on its
 * own connection (`connection` 0 or 1) over the same `prefix`. Call inside a describe:
 * test/redis/topologies.test.ts runs it on every Redis topology.
 */
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { pageEvents } from '../../src/webhooks/queries.js';
import { indexesOf, type WebhookEventStore } from '../../src/webhooks/store.js';

export interface OpenWebhookStore {
  (options: { prefix: string; connection: 0 | 1; retentionMs?: number; now?: () => number }): WebhookEventStore;
}

const event = (over: Partial<WebhookEvent>): WebhookEvent => ({
  id: Math.random().toString(36).slice(2),
  type: 'PURCHASED',
  field: 'order_status',
  occurredAt: 0,
  receivedAt: Date.now(),
  raw: '{}',
  ...over,
});

export function webhookStoreSuite(open: OpenWebhookStore): void {
  const prefix = () => `test-webhooks-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

  test('an event given to two connections at once is recorded once; both list it', async () => {
    const p = prefix();
    const stores = [open({ prefix: p, connection: 0 }), open({ prefix: p, connection: 1 })];
    const e = event({ id: 'race', reportingId: 'r1', userId: '42' });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.record(e, indexesOf(e))));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    for (const store of stores) expect((await store.range(undefined, 0, 10)).events.map((x) => x.id)).toEqual(['race']);
    expect((await stores[1]!.range('player:42', 0, 10)).events.map((x) => x.id)).toEqual(['race']);
  });

  test('retention: older events are deleted by later writes; their lingering index entries are skipped', async () => {
    let now = 1_000_000;
    const store = open({ prefix: prefix(), connection: 0, retentionMs: 1_000, now: () => now });
    const old = event({ id: 'old', userId: 'u', receivedAt: now });
    await store.record(old, indexesOf(old));
    now += 5_000;
    const fresh = event({ id: 'fresh', userId: 'u', receivedAt: now });
    await store.record(fresh, indexesOf(fresh));
    expect((await store.range(undefined, 0, 10)).events.map((x) => x.id)).toEqual(['fresh']);
    const byPlayer = await store.range('player:u', 0, 10);
    expect(byPlayer.events.map((x) => x.id)).toEqual(['fresh']);
    expect(byPlayer.scannedTo).toBe(2);
  });

  test('pages: filters and cursors in ingestion order', async () => {
    const store = open({ prefix: prefix(), connection: 1 });
    for (let i = 0; i < 60; i++) {
      const e = event({ id: `e${i}`, type: i % 3 === 0 ? 'REFUNDED' : 'PURCHASED', userId: `u${i % 2}` });
      await store.record(e, indexesOf(e));
    }
    const refunds = await pageEvents(store, { types: new Set(['REFUNDED']) }, 15, 0);
    expect(refunds.events.map((e) => e.id)).toEqual(Array.from({ length: 15 }, (_, i) => `e${i * 3}`));
    expect(refunds.hasNextPage).toBe(true);
    const rest = await pageEvents(store, { types: new Set(['REFUNDED']) }, 15, refunds.endSeq);
    expect(rest.events).toHaveLength(5);
    expect(rest.hasNextPage).toBe(false);
  });
}
