/**
 * The client against the emulator on a bad day: injected 5xx, throttling, resets, truncated
 * bodies and stalls. Reads recover or fail cleanly within their deadline; a write that is
 * not idempotent is never applied twice.
 */
import { demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import { HorizonApiError, HorizonError, HorizonTimeoutError, HorizonUnavailableError } from '../../src/horizon/errors.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { request } from 'undici';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { closeWorld, openWorld } from '../helpers/contract.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeEach(
  async () =>
    ({ emulator, client } = await openWorld({ client: { callTimeoutMs: 300, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2_000 } } })),
);
afterEach(() => closeWorld({ emulator, client }));

const PLAYER = demoUserId(0);
const served = (route: string) => emulator.requests.filter((r) => r.route === route);

describe('reads recover from transient faults', () => {
  test.each(['error_500', 'error_503_html', 'throttle_429', 'reset_before', 'reset_after', 'truncate_after'] as const)(
    '%s twice, then an answer: the third attempt wins',
    async (mode) => {
      Object.assign(emulator.faults, { modes: [mode], burst: 2, retryAfterSeconds: 0, routes: [ROUTES.progress] });
      const progress = await client.achievements.listProgress(PLAYER);
      expect(progress.map((p) => p.apiName)).toContain('FIRST_STEPS');
      expect(served(ROUTES.progress).map((r) => r.fault ?? 'ok')).toEqual([mode, mode, 'ok']);
    },
  );

  test('a stall past the call deadline is abandoned and retried', async () => {
    Object.assign(emulator.faults, { modes: ['stall'], burst: 1, stallMs: 2_000, routes: [ROUTES.progress] });
    const started = Date.now();
    await expect(client.achievements.listProgress(PLAYER)).resolves.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  test('persistent faults fail cleanly, within the deadlines, with a typed error', async () => {
    Object.assign(emulator.faults, { modes: ['stall'], errorRate: 1, stallMs: 5_000, routes: [ROUTES.progress] });
    const started = Date.now();
    await expect(client.achievements.listProgress(PLAYER)).rejects.toBeInstanceOf(HorizonTimeoutError);
    // 3 attempts of 300 ms plus small backoffs.
    expect(Date.now() - started).toBeLessThan(1_600);
  });

  test('Retry-After from a 429 is honoured', async () => {
    Object.assign(emulator.faults, { modes: ['throttle_429'], burst: 1, retryAfterSeconds: 1, routes: [ROUTES.progress] });
    const started = Date.now();
    await client.achievements.listProgress(PLAYER);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('writes', () => {
  const applied = () => served(ROUTES.writeProgress).filter((r) => r.applied);

  test.each(['reset_after', 'truncate_after', 'stall'] as const)('a count write whose reply is lost (%s) is not resent: applied exactly once', async (mode) => {
    Object.assign(emulator.faults, { modes: [mode], burst: 1, stallMs: 1_000, routes: [ROUTES.writeProgress] });
    const error = await client.achievements.addCount(PLAYER, 'COLLECT_100_GEMS', 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HorizonError);
    expect((error as HorizonError).mayHaveApplied).toBe(true);
    await new Promise((r) => setTimeout(r, mode === 'stall' ? 1_100 : 10));
    expect(served(ROUTES.writeProgress)).toHaveLength(1);
    expect(applied()).toHaveLength(1);
    expect(emulator.state.progressOf(PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(18n);
  });

  test('a count write refused before it ran (429) is resent and applied once', async () => {
    Object.assign(emulator.faults, { modes: ['throttle_429'], burst: 1, retryAfterSeconds: 0, routes: [ROUTES.writeProgress] });
    await client.achievements.addCount(PLAYER, 'COLLECT_100_GEMS', 3);
    expect(served(ROUTES.writeProgress)).toHaveLength(2);
    expect(applied()).toHaveLength(1);
    expect(emulator.state.progressOf(PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(18n);
  });

  test('a count write answered 5xx is not resent (a 5xx may come mid-write)', async () => {
    Object.assign(emulator.faults, { modes: ['error_500'], burst: 1, routes: [ROUTES.writeProgress] });
    await expect(client.achievements.addCount(PLAYER, 'COLLECT_100_GEMS', 3)).rejects.toBeInstanceOf(HorizonApiError);
    expect(served(ROUTES.writeProgress)).toHaveLength(1);
  });

  test('an unlock (idempotent by nature) is resent after a lost reply', async () => {
    Object.assign(emulator.faults, { modes: ['reset_after'], burst: 1, routes: [ROUTES.writeProgress] });
    const result = await client.achievements.unlock(demoUserId(11), 'FIRST_STEPS');
    expect(served(ROUTES.writeProgress)).toHaveLength(2);
    expect(result.justUnlocked).toBe(false); // the lost first attempt did the unlocking
    expect(emulator.state.progressOf(demoUserId(11)).get('FIRST_STEPS')!.is_unlocked).toBe(true);
  });
});

describe('circuit breaker', () => {
  test('opens when the API is down, fails fast without calling it, and recovers after the cooldown', async () => {
    const breakerClient = clientFor(emulator, { retry: false, breaker: { failureThreshold: 3, cooldownMs: 300 } });
    try {
      Object.assign(emulator.faults, { modes: ['error_500'], errorRate: 1 });
      for (let i = 0; i < 3; i++) await expect(breakerClient.users.get(PLAYER)).rejects.toBeInstanceOf(HorizonApiError);
      emulator.clearRequests();
      await expect(breakerClient.users.get(PLAYER)).rejects.toBeInstanceOf(HorizonUnavailableError);
      expect(emulator.requests).toHaveLength(0);
      Object.assign(emulator.faults, { errorRate: 0 });
      await new Promise((r) => setTimeout(r, 320));
      await expect(breakerClient.users.get(PLAYER)).resolves.toMatchObject({ id: PLAYER });
      expect(breakerClient.transport.breaker!.state).toBe('closed');
    } finally {
      await breakerClient.close();
    }
  });
});

describe('fault control endpoint', () => {
  test('sets faults over HTTP and refuses unknown modes', async () => {
    const ok = await request(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: 'error_rate=0.25&modes=error_500,reset_after&seed=7',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toMatchObject({ errorRate: 0.25, modes: ['error_500', 'reset_after'], seed: 7 });
    const bad = await request(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: 'modes=meteor',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });
});
