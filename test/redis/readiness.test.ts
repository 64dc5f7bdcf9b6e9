/**
 * /ready and /metrics while the shared store (Redis) is down, on the whole app (`startApp`) with
 * a real redis-server killed and restarted mid-run: keyed writes are refused
 * (IDEMPOTENCY_LEDGER_UNAVAILABLE), reads still work, /ready says so and stays 200 unless
 * READINESS_REQUIRE_SHARED_STORE=true (then 503), the metrics show it, and all recovers when
 * Redis is back. The password is in no answer.
 */
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId } from '../../src/emulator/index.js';
import { silentLogger } from '../helpers/harness.js';
import { waitFor } from '../helpers/redisServers.js';
import { startSingle, TOPOLOGY_PROBLEM, type RunningTopology } from '../helpers/redisTopologies.js';

const PASSWORD = 'pw-4b1d-shared-store';
let redis: RunningTopology;
let app: RunningApp;
let strict: RunningApp;

const describeIt = TOPOLOGY_PROBLEM && process.env.REQUIRE_REDIS !== '1' ? describe.skip : describe;
describeIt('the shared store down mid-run', () => {
  beforeAll(async () => {
    redis = await startSingle({ args: ['--requirepass', PASSWORD], clientOptions: { password: PASSWORD } });
    const env = {
      REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redis.nodes[0]!.port}`,
      PORT: '0',
      HOST: '127.0.0.1',
      EMULATOR_PORT: '0',
      CACHE_WARMUP: 'false',
      AUTH_MODE: 'none',
    };
    app = await startApp(loadConfig(env), silentLogger);
    strict = await startApp(loadConfig({ ...env, READINESS_REQUIRE_SHARED_STORE: 'true' }), silentLogger);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await strict?.stop();
    await redis?.stop();
  });

  const get = async (a: RunningApp, path: string) => {
    const response = await request(new URL(path, a.subgraph.url));
    const text = await response.body.text();
    expect(text).not.toContain(PASSWORD);
    return { status: response.statusCode, text };
  };
  const ready = async (a: RunningApp) => {
    const { status, text } = await get(a, '/ready');
    return { status, body: JSON.parse(text) as Record<string, any> };
  };
  const post = async (query: string) => {
    const response = await request(app.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const text = await response.body.text();
    expect(text).not.toContain(PASSWORD);
    return JSON.parse(text) as { data?: any; errors?: Array<{ extensions: { code: string } }> };
  };
  const keyedWrite = (key: string) =>
    post(`mutation { addAchievementCount(userId: "${demoUserId(2)}", apiName: "COLLECT_100_GEMS", count: 1, idempotencyKey: "${key}") { settledBy } }`);
  const metric = async (line: RegExp) => (await get(app, '/metrics')).text.split('\n').find((l) => line.test(l));

  test('up: /ready reports the store, the topology and the primary', async () => {
    expect(await ready(app)).toEqual({
      status: 200,
      body: expect.objectContaining({
        ready: true,
        sharedStore: { kind: 'redis', topology: 'single', state: 'up', primary: `127.0.0.1:${redis.nodes[0]!.port}`, nodes: { primaries: 1, replicas: 0 } },
      }),
    });
    expect(await metric(/^shared_store_up\{/)).toBe('shared_store_up{kind="redis",topology="single"} 1');
    expect((await keyedWrite(`up-${Date.now()}`)).data.addAchievementCount.settledBy).toBe('REPLY');
  });

  test('down: keyed writes refused, reads served, /ready 200 with state down (503 when required), metrics 0', async () => {
    await redis.nodes[0]!.kill();
    const down = await waitFor('/ready to report the store down', async () => {
      const report = await ready(app);
      return report.body.sharedStore.state === 'down' && report;
    });
    expect(down).toMatchObject({
      status: 200,
      body: { ready: true, status: 'ready', sharedStore: { kind: 'redis', topology: 'single', state: 'down', reason: expect.any(String) } },
    });
    expect(down.body.reason).toBeUndefined();
    expect(await waitFor('the strict replica to be not ready', async () => (await ready(strict)).status === 503 && ready(strict))).toMatchObject({
      body: { ready: false, status: 'not_ready', reason: 'shared_store_down', sharedStore: { state: 'down' } },
    });

    const refused = await keyedWrite(`down-${Date.now()}`);
    expect(refused.errors?.[0]?.extensions.code).toBe('IDEMPOTENCY_LEDGER_UNAVAILABLE');
    expect((await post(`{ user(id: "${demoUserId(2)}") { displayName } }`)).data.user.displayName).toEqual(expect.any(String));

    expect(await metric(/^shared_store_up\{/)).toBe('shared_store_up{kind="redis",topology="single"} 0');
    expect(await metric(/^shared_store_state_changes_total\{state="down"\}/)).toBe('shared_store_state_changes_total{state="down"} 1');
  });

  test('back: Redis restarted, the client reconnects, keyed writes work and /ready says up', async () => {
    await redis.nodes[0]!.start();
    await waitFor('/ready to report the store up', async () => (await ready(app)).body.sharedStore.state === 'up', 20_000);
    // The strict replica has its own connection, reconnecting on its own schedule.
    await waitFor('the strict replica to be ready again', async () => (await ready(strict)).status === 200, 20_000);
    expect((await keyedWrite(`back-${Date.now()}`)).data.addAchievementCount.settledBy).toBe('REPLY');
    expect(await metric(/^shared_store_state_changes_total\{state="up"\}/)).toBe('shared_store_state_changes_total{state="up"} 1');
  }, 30_000);
});
