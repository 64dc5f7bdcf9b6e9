/**
 * Webhook events in a real Redis: two replicas sharing it record an event once however the
 * deliveries are spread, and a Redis outage is answered 503 with nothing acknowledged, the
 * event recorded once Redis is back. The outage uses a redis-server this test starts on a free
 * port (with an append-only file, so it keeps its data across the restart); the shared one on
 * 6379 is never stopped. Skipped when Redis is unreachable, except under REQUIRE_REDIS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { closeRedis, connectRedis, type RedisConnection } from '../../src/store/redis.js';
import { eventsOf, envelopeSchema } from '../../src/webhooks/events.js';
import { RedisWebhookEventStore } from '../../src/webhooks/redisStore.js';
import { signBody } from '../../src/webhooks/signature.js';
import { indexesOf } from '../../src/webhooks/store.js';
import { clientFor, silentLogger } from '../helpers/harness.js';
import { describeWithRedis, redisTestUrl } from '../helpers/redis.js';

const SECRET = 'redis-webhook-secret';
const WEBHOOKS = {
  path: '/webhooks/horizon',
  verifyToken: undefined,
  signature: 'require' as const,
  secret: SECRET,
  maxBodyBytes: 65536,
  retentionMs: 3_600_000,
};

const delivery = (reportingId: string, type = 'PURCHASED') =>
  JSON.stringify({
    object: 'application',
    entry: [
      {
        id: '1',
        time: 1718052945,
        changes: [
          {
            field: 'order_status',
            value: { event_time: '1718052900', user_id: '42', product_info: { notification_type: type, reporting_id: reportingId, sku: 'gems_100' } },
          },
        ],
      },
    ],
  });

async function deliver(subgraph: RunningSubgraph, body: string): Promise<{ status: number; body: any }> {
  const response = await request(new URL('/webhooks/horizon', subgraph.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(SECRET, body) },
    body,
  });
  return { status: response.statusCode, body: await response.body.json() };
}

async function reportingIds(subgraph: RunningSubgraph): Promise<string[]> {
  const response = await request(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ purchaseEvents(first: 200) { nodes { reportingId type } } }' }),
  });
  const body = (await response.body.json()) as any;
  return body.data.purchaseEvents.nodes.map((n: any) => `${n.reportingId}:${n.type}`);
}

let emulator: RunningEmulator;
const started: Array<{ subgraph: RunningSubgraph; horizon: HorizonClient; redis: RedisConnection }> = [];

async function replica(redis: RedisConnection, prefix: string): Promise<RunningSubgraph> {
  const horizon = clientFor(emulator);
  const subgraph = await startSubgraph(
    {
      config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, webhooks: WEBHOOKS },
      horizon,
      logger: silentLogger,
      webhookEvents: new RedisWebhookEventStore(redis, prefix),
    },
    { port: 0, host: '127.0.0.1' },
  );
  started.push({ subgraph, horizon, redis });
  return subgraph;
}

describeWithRedis('webhook events in Redis', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    for (const r of started) {
      await r.subgraph.stop();
      await r.horizon.close();
      await closeRedis(r.redis);
    }
    await emulator?.close();
  });

  test('the store records an event once across connections racing on it, keys in one hash slot', async () => {
    const prefix = `test-webhooks-store-${process.pid}-${Date.now()}`;
    const connections = await Promise.all([connectRedis(redisTestUrl()), connectRedis(redisTestUrl())]);
    try {
      const stores = connections.map((c) => new RedisWebhookEventStore(c, prefix));
      const [event] = eventsOf(envelopeSchema.parse(JSON.parse(delivery('race'))), Date.now());
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.record(event!, indexesOf(event!))));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const listed = await stores[1]!.range(undefined, 0, 10);
      expect(listed.events.map((e) => e.reportingId)).toEqual(['race']);
      expect((await stores[0]!.range('order:race', 0, 10)).events).toHaveLength(1);
      const keys = await connections[0]!.keys(`{${prefix}}:*`);
      expect(keys.length).toBeGreaterThan(3);
      expect(keys.every((k) => k.startsWith(`{${prefix}}:`))).toBe(true);
    } finally {
      for (const c of connections) await closeRedis(c);
    }
  });

  test('retention: events older than it are deleted by later writes; their lingering index entries are skipped', async () => {
    const prefix = `test-webhooks-retention-${process.pid}-${Date.now()}`;
    const redis = await connectRedis(redisTestUrl());
    try {
      let now = 1_000_000;
      const store = new RedisWebhookEventStore(redis, prefix, 1_000, () => now);
      const [old] = eventsOf(envelopeSchema.parse(JSON.parse(delivery('old'))), now);
      await store.record(old!, indexesOf(old!));
      now += 5_000;
      const [fresh] = eventsOf(envelopeSchema.parse(JSON.parse(delivery('fresh'))), now);
      await store.record(fresh!, indexesOf(fresh!));
      expect((await store.range(undefined, 0, 10)).events.map((e) => e.reportingId)).toEqual(['fresh']);
      const byPlayer = await store.range('player:42', 0, 10);
      expect(byPlayer.events.map((e) => e.reportingId)).toEqual(['fresh']);
      expect(byPlayer.scannedTo).toBe(2);
    } finally {
      await closeRedis(redis);
    }
  });

  test('two replicas sharing Redis given the same event at once record it once; both list it', async () => {
    const prefix = `test-webhooks-replicas-${process.pid}-${Date.now()}`;
    const a = await replica(await connectRedis(redisTestUrl()), prefix);
    const b = await replica(await connectRedis(redisTestUrl()), prefix);
    const body = delivery('both-replicas');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => deliver(i % 2 ? a : b, body)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(results.reduce((sum, r) => sum + r.body.recorded, 0)).toBe(1);
    expect(await reportingIds(a)).toEqual(['both-replicas:PURCHASED']);
    expect(await reportingIds(b)).toEqual(['both-replicas:PURCHASED']);
  });

  describe('Redis down', () => {
    let server: ChildProcess | undefined;
    let port: number;
    const dir = mkdtempSync(join(tmpdir(), 'webhooks-redis-'));

    async function startRedisServer(): Promise<void> {
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
        {
          stdio: 'ignore',
        },
      );
      // A plain TCP probe: a refused ioredis connect leaves its connect timer running.
      for (let i = 0; i < 100; i++) {
        const open = await new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => resolve(true)).once('error', () => resolve(false));
          socket.once('close', () => socket.destroy());
          setImmediate(() => socket.unref());
        });
        if (open) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('redis-server did not start');
    }

    async function stopRedisServer(): Promise<void> {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server!.kill('SIGTERM');
      await exited;
      server = undefined;
    }

    beforeAll(async () => {
      port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port: free } = probe.address() as AddressInfo;
          probe.close(() => resolve(free));
        });
      });
      await startRedisServer();
    });
    afterAll(async () => {
      // Its replica first, while its Redis still answers the connection's QUIT.
      for (const r of started.filter((s) => (s.redis.options as { port?: number }).port === port)) {
        started.splice(started.indexOf(r), 1);
        await r.subgraph.stop();
        await r.horizon.close();
        await closeRedis(r.redis);
      }
      if (server) await stopRedisServer();
      rmSync(dir, { recursive: true, force: true });
    });

    test('503 while it is down, nothing acknowledged; recorded once it is back, earlier events kept', async () => {
      const subgraph = await replica(await connectRedis(`redis://127.0.0.1:${port}`), 'outage');
      expect((await deliver(subgraph, delivery('before-outage'))).status).toBe(200);
      await stopRedisServer();
      const refused = await deliver(subgraph, delivery('during-outage', 'REFUNDED'));
      expect(refused.status).toBe(503);
      await startRedisServer();
      // Horizon delivers again until it is acknowledged; the connection reconnects on its own.
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await deliver(subgraph, delivery('during-outage', 'REFUNDED'))).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      expect(await reportingIds(subgraph)).toEqual(['before-outage:PURCHASED', 'during-outage:REFUNDED']);
    });
  });
});
