/**
 * /health (liveness: the process serves HTTP) and /ready (readiness: not shutting down,
 * circuit not open, upstream answered recently or a cheap probe succeeds).
 */
import type { RunningApp } from '../../src/app.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { HorizonClient } from '../../src/horizon/client.js';
import { horizonProbe, Readiness } from '../../src/observability/health.js';
import { get, post, PLAYER, startDemoApp } from './helpers.js';

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function ready(url: string) {
  const response = await get(`${url}ready`);
  return { status: response.status, body: JSON.parse(response.text) };
}

test('/health answers 200 while the process runs; /ready is 200 in demo mode once the emulator answers', async () => {
  app = await startDemoApp();
  // Only what the probes do from here on (start-up warmed the shared caches).
  app.emulator!.clearRequests();
  const health = await get(`${app.subgraph.url}health`);
  expect(health.status).toBe(200);
  expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
  expect(health.headers['cache-control']).toBe('no-store');
  const readiness = await ready(app.subgraph.url);
  expect(readiness).toMatchObject({ status: 200, body: { ready: true, status: 'ready', circuit: 'closed' } });
  // The probe asked the emulator's own health, not the API.
  expect(app.emulator!.requests).toHaveLength(0);
  const { request } = await import('undici');
  const head = await request(`${app.subgraph.url}health`, { method: 'HEAD' });
  expect(head.statusCode).toBe(200);
  expect(await head.body.text()).toBe('');
  const refused = await request(`${app.subgraph.url}ready`, { method: 'POST' });
  await refused.body.dump();
  expect(refused.statusCode).toBe(405);
});

test('/ready is 503 while the circuit is open, /health stays 200', async () => {
  app = await startDemoApp({ HORIZON_BREAKER_THRESHOLD: '1', HORIZON_BREAKER_COOLDOWN_MS: '60000', HORIZON_RETRY_MAX_ATTEMPTS: '1' });
  Object.assign(app.emulator!.faults, { modes: ['error_500'], errorRate: 1, routes: ['GET /:node_id'] });
  await post(app.subgraph.url, `{ user(id: "${PLAYER}") { displayName } }`);
  expect(await ready(app.subgraph.url)).toMatchObject({ status: 503, body: { ready: false, reason: 'circuit_open', circuit: 'open' } });
  expect((await get(`${app.subgraph.url}health`)).status).toBe(200);
});

test('/ready is 503 when the emulator does not answer (demo mode)', async () => {
  // No warm-up: Horizon has not answered anything yet when it goes away.
  app = await startDemoApp({ CACHE_WARMUP: 'false' });
  await app.emulator!.close();
  expect(await ready(app.subgraph.url)).toMatchObject({
    status: 503,
    body: { ready: false, reason: 'upstream_unreachable', upstream: { lastAnswerAgoMs: null, probeError: expect.any(String) } },
  });
});

describe('live mode probe', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ appId: '777000777', appSecret: 'live-mode-test-secret' });
  });
  afterAll(() => emulator.close());

  const client = (secret: string) =>
    HorizonClient.create({
      baseUrl: emulator.url,
      appId: '777000777',
      appSecret: secret,
      maxConnections: 2,
      connectTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      retry: false,
    });

  test('a cheap app-token call: ready when Horizon accepts the credentials', async () => {
    const horizon = client('live-mode-test-secret');
    const readiness = new Readiness({ horizon, probe: horizonProbe(horizon) });
    emulator.clearRequests();
    expect(await readiness.check()).toMatchObject({ ready: true });
    expect(emulator.requests.map((r) => [r.route, r.token, r.status])).toEqual([['GET /:app_id/leaderboards', 'app', 200]]);
    // Answered recently: no second probe.
    expect(await readiness.check()).toMatchObject({ ready: true });
    expect(emulator.requests).toHaveLength(1);
    readiness.close();
    await horizon.close();
  });

  test('not ready when Horizon refuses the app credentials; the secret is not in the report', async () => {
    const horizon = client('wrong-secret-value-123');
    const readiness = new Readiness({ horizon, probe: horizonProbe(horizon) });
    const report = await readiness.check();
    expect(report).toMatchObject({ ready: false, reason: 'upstream_unreachable' });
    expect(report.upstream.probeError).toMatch(/code 190/);
    expect(JSON.stringify(report)).not.toContain('wrong-secret-value-123');
    readiness.close();
    await horizon.close();
  });
});

describe('Readiness', () => {
  function fixture() {
    let now = 1_000_000;
    let probes = 0;
    let failProbe = false;
    const listeners: Array<(info: any) => void> = [];
    const breaker = { state: 'closed' as string };
    const horizon = { transport: { breaker, onCall: (l: (info: any) => void) => (listeners.push(l), () => undefined) } } as unknown as HorizonClient;
    const readiness = new Readiness({
      horizon,
      maxAgeMs: 30_000,
      now: () => now,
      probe: async () => {
        probes++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (failProbe) throw new Error('no answer');
      },
    });
    return {
      readiness,
      breaker,
      call: (info: any) => listeners.forEach((l) => l(info)),
      advance: (ms: number) => (now += ms),
      failProbe: (value: boolean) => (failProbe = value),
      get probes() {
        return probes;
      },
    };
  }

  test('probes only when no upstream answer is recent, and concurrent checks share one probe', async () => {
    const f = fixture();
    const reports = await Promise.all([f.readiness.check(), f.readiness.check(), f.readiness.check()]);
    expect(reports.every((r) => r.ready)).toBe(true);
    expect(f.probes).toBe(1);
    f.advance(20_000);
    f.call({ endpoint: 'GET /{user_id}', status: 200, durationMs: 1 }); // traffic proves reachability
    f.advance(20_000);
    expect((await f.readiness.check()).ready).toBe(true);
    expect(f.probes).toBe(1);
    f.advance(31_000);
    f.failProbe(true);
    expect(await f.readiness.check()).toMatchObject({ ready: false, reason: 'upstream_unreachable', upstream: { probeError: 'no answer' } });
    expect(f.probes).toBe(2);
  });

  test('an open circuit and shutting down are not ready, whatever the upstream said', async () => {
    const f = fixture();
    expect((await f.readiness.check()).ready).toBe(true);
    f.breaker.state = 'open';
    expect(await f.readiness.check()).toMatchObject({ ready: false, reason: 'circuit_open' });
    f.breaker.state = 'half_open';
    expect((await f.readiness.check()).ready).toBe(true);
    f.readiness.markShuttingDown();
    expect(await f.readiness.check()).toMatchObject({ ready: false, reason: 'shutting_down' });
  });
});
