/** The transport's interceptors, each against a scripted fake `next`, no network. */
import { HorizonApiError, HorizonNetworkError, HorizonTimeoutError, HorizonUnavailableError } from '../../src/horizon/errors.js';
import { CircuitBreaker } from '../../src/horizon/interceptors/breaker.js';
import { coalesce } from '../../src/horizon/interceptors/coalesce.js';
import { deadline } from '../../src/horizon/interceptors/deadline.js';
import { ConcurrencyLimiter } from '../../src/horizon/interceptors/limiter.js';
import { retry, type RetryEvent } from '../../src/horizon/interceptors/retry.js';
import type { Call } from '../../src/horizon/interceptors/types.js';
import type { HorizonRequest } from '../../src/horizon/request.js';
import { retryAfterMs } from '../../src/horizon/transport.js';

const GET: HorizonRequest = { method: 'GET', path: '/42', endpoint: 'GET /{user_id}' };
const CONSUME: HorizonRequest = { method: 'POST', path: '/1/consume_entitlement', endpoint: 'POST /{app_id}/consume_entitlement', params: { sku: 'GEMS' } };
const UNLOCK: HorizonRequest = { method: 'POST', path: '/42/achievements', endpoint: 'POST /{user_id}/achievements', idempotent: true };

const refused = () => new HorizonNetworkError('e', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
const reset = () => new HorizonNetworkError('e', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
const http500 = () => new HorizonApiError('e', 500, { message: 'unexpected', code: 2, is_transient: true });
const throttled = (retryAfter?: number) => new HorizonApiError('e', 400, { message: '(#613) rate limit', code: 613 }, 'app', retryAfter);
const badParam = () => new HorizonApiError('e', 400, { message: 'bad', code: 100 });

/** A fake upstream that fails with the scripted errors in turn, then answers `ok`. */
function scripted(failures: Array<() => Error>): Call & { calls: HorizonRequest[] } {
  const calls: HorizonRequest[] = [];
  const fn = (async (req: HorizonRequest) => {
    calls.push(req);
    const next = failures[calls.length - 1];
    if (next) throw next();
    return { ok: true };
  }) as Call & { calls: HorizonRequest[] };
  fn.calls = calls;
  return fn;
}

const fastRetry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 1_000 };

describe('retry', () => {
  test.each([
    ['a refused connection', refused],
    ['a lost reply', reset],
    ['a 5xx', http500],
    ['throttling', () => throttled()],
  ])('a read is retried after %s and succeeds', async (_label, error) => {
    const upstream = scripted([error, error]);
    await expect(retry(fastRetry)(upstream)(GET)).resolves.toEqual({ ok: true });
    expect(upstream.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  test('an idempotent write (unlock) is retried even after a lost reply', async () => {
    const upstream = scripted([reset]);
    await expect(retry(fastRetry)(upstream)(UNLOCK)).resolves.toEqual({ ok: true });
    expect(upstream.calls).toHaveLength(2);
  });

  test.each([
    ['a lost reply', reset],
    ['a 5xx', http500],
    ['a timeout', () => new HorizonTimeoutError('e', 100)],
  ])('a non-idempotent write is never resent after %s (it may have been applied)', async (_label, error) => {
    const upstream = scripted([error]);
    await expect(retry(fastRetry)(upstream)(CONSUME)).rejects.toBeInstanceOf(Error);
    expect(upstream.calls).toHaveLength(1);
  });

  test.each([
    ['a refused connection', refused],
    ['throttling', () => throttled()],
  ])('a non-idempotent write is resent after %s (it never ran)', async (_label, error) => {
    const upstream = scripted([error]);
    await expect(retry(fastRetry)(upstream)(CONSUME)).resolves.toEqual({ ok: true });
    expect(upstream.calls).toHaveLength(2);
  });

  test('a non-retryable error (code 100) is thrown at once', async () => {
    const upstream = scripted([badParam]);
    await expect(retry(fastRetry)(upstream)(GET)).rejects.toMatchObject({ code: 100 });
    expect(upstream.calls).toHaveLength(1);
  });

  test('attempts are bounded: the last error is thrown', async () => {
    const upstream = scripted([http500, http500, http500, http500, http500]);
    await expect(retry(fastRetry)(upstream)(GET)).rejects.toMatchObject({ status: 500 });
    expect(upstream.calls).toHaveLength(4);
  });

  test('Retry-After is honoured as the least delay', async () => {
    const events: RetryEvent[] = [];
    const upstream = scripted([() => throttled(120)]);
    const started = Date.now();
    await retry(fastRetry, (e) => events.push(e))(upstream)(GET);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(events).toEqual([expect.objectContaining({ attempt: 1, delayMs: 120 })]);
  });

  test('a Retry-After beyond the time budget gives up at once instead of waiting', async () => {
    const upstream = scripted([() => throttled(30_000)]);
    const started = Date.now();
    await expect(retry({ ...fastRetry, budgetMs: 500 })(upstream)(GET)).rejects.toMatchObject({ code: 613 });
    expect(Date.now() - started).toBeLessThan(200);
    expect(upstream.calls).toHaveLength(1);
  });

  test('backoff is full jitter under an exponential cap', async () => {
    const events: RetryEvent[] = [];
    const upstream = scripted([http500, http500, http500]);
    await retry({ maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 15, budgetMs: 1_000, random: () => 0.999 }, (e) => events.push(e))(upstream)(GET);
    expect(events.map((e) => e.delayMs)).toEqual([9, 14, 14]);
  });

  test('an aborted caller stops retrying', async () => {
    const controller = new AbortController();
    const upstream = scripted([http500, http500, http500]);
    const pending = retry({ ...fastRetry, baseDelayMs: 200, maxDelayMs: 200, random: () => 1 })(upstream)({ ...GET, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(HorizonNetworkError);
    expect(upstream.calls).toHaveLength(1);
  });
});

describe('retryAfterMs', () => {
  test('reads seconds and HTTP dates, caps hostile values', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3_000);
    expect(retryAfterMs('999999')).toBe(60_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('circuit breaker', () => {
  function breakerWithClock() {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, now: () => now });
    const states: string[] = [];
    breaker.onStateChange((s) => states.push(s));
    return { breaker, states, advance: (ms: number) => (now += ms) };
  }

  test('opens after consecutive outages, fails fast, probes after the cooldown and closes on success', async () => {
    const { breaker, states, advance } = breakerWithClock();
    const upstream = scripted([http500, reset, () => new HorizonTimeoutError('e', 1)]);
    const call = breaker.interceptor()(upstream);
    for (let i = 0; i < 3; i++) await expect(call(GET)).rejects.toBeDefined();
    expect(breaker.state).toBe('open');
    await expect(call(GET)).rejects.toBeInstanceOf(HorizonUnavailableError);
    expect(upstream.calls).toHaveLength(3); // the fast failure never reached upstream
    advance(1_000);
    expect(breaker.state).toBe('half_open');
    await expect(call(GET)).resolves.toEqual({ ok: true });
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  test('a failed probe re-opens it; only one probe at a time', async () => {
    const { breaker, advance } = breakerWithClock();
    let release!: () => void;
    let calls = 0;
    const upstream: Call = async () => {
      calls++;
      if (calls <= 3) throw http500();
      await new Promise<void>((r) => (release = r));
      throw http500();
    };
    const call = breaker.interceptor()(upstream);
    for (let i = 0; i < 3; i++) await expect(call(GET)).rejects.toBeDefined();
    advance(1_000);
    const probe = call(GET);
    await expect(call(GET)).rejects.toBeInstanceOf(HorizonUnavailableError);
    release();
    await expect(probe).rejects.toMatchObject({ status: 500 });
    expect(breaker.state).toBe('open');
  });

  test('4xx answers and throttling are not outages: they reset the count', async () => {
    const { breaker } = breakerWithClock();
    const upstream = scripted([http500, http500, badParam, http500, http500, () => throttled(), http500]);
    const call = breaker.interceptor()(upstream);
    for (let i = 0; i < 7; i++) await call(GET).catch(() => undefined);
    expect(breaker.state).toBe('closed');
  });
});

describe('concurrency limiter', () => {
  test('holds calls beyond the cap in FIFO order and refuses past the queue bound', async () => {
    const limiter = new ConcurrencyLimiter({ maxInFlight: 2, maxQueued: 1 });
    const releases: Array<() => void> = [];
    const order: string[] = [];
    const upstream: Call = (req) =>
      new Promise((resolve) => {
        order.push(req.path);
        releases.push(() => resolve(req.path));
      });
    const call = limiter.interceptor()(upstream);
    const a = call({ ...GET, path: '/a' });
    const b = call({ ...GET, path: '/b' });
    const c = call({ ...GET, path: '/c' });
    await expect(call({ ...GET, path: '/d' })).rejects.toMatchObject({ reason: 'overloaded' });
    await Promise.resolve();
    expect(order).toEqual(['/a', '/b']);
    expect(limiter.queued).toBe(1);
    releases[0]!();
    await a;
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['/a', '/b', '/c']);
    releases[1]!();
    releases[2]!();
    await expect(Promise.all([b, c])).resolves.toEqual(['/b', '/c']);
    expect(limiter.active).toBe(0);
  });

  test('a queued caller that aborts leaves the queue', async () => {
    const limiter = new ConcurrencyLimiter({ maxInFlight: 1, maxQueued: 5 });
    let release!: () => void;
    const call = limiter.interceptor()(() => new Promise((r) => (release = () => r('done'))));
    const first = call(GET);
    const controller = new AbortController();
    const queued = call({ ...GET, signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(HorizonNetworkError);
    expect(limiter.queued).toBe(0);
    release();
    await first;
  });
});

describe('deadline', () => {
  test('aborts a call past its deadline as a HorizonTimeoutError', async () => {
    const upstream: Call = (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    await expect(deadline(30)(upstream)(GET)).rejects.toBeInstanceOf(HorizonTimeoutError);
  });

  test("the caller's own abort is not reported as a timeout", async () => {
    const controller = new AbortController();
    const upstream: Call = (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new Error('caller aborted'))));
    const pending = deadline(5_000)(upstream)({ ...GET, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow('caller aborted');
  });
});

describe('coalescing', () => {
  function gated() {
    const calls: HorizonRequest[] = [];
    let open!: (v: unknown) => void;
    const gate = new Promise((r) => (open = r));
    const upstream: Call = async (req) => {
      calls.push(req);
      return gate;
    };
    return { calls, upstream, open };
  }

  test('identical concurrent GETs share one upstream call; later ones make a new call', async () => {
    const { calls, upstream, open } = gated();
    const call = coalesce()(upstream);
    const results = [call(GET), call({ ...GET }), call({ ...GET, params: {} })];
    open({ id: '42' });
    expect(await Promise.all(results)).toEqual([{ id: '42' }, { id: '42' }, { id: '42' }]);
    expect(calls).toHaveLength(1);
    await call(GET);
    expect(calls).toHaveLength(2);
  });

  test('different params, credentials or methods are never shared', async () => {
    const { calls, upstream, open } = gated();
    const call = coalesce()(upstream);
    open({});
    await Promise.all([
      call(GET),
      call({ ...GET, params: { fields: 'id' } }),
      call({ ...GET, credential: { kind: 'user', token: 'FRLaaaaaaaaaaaaaaaaaaaaaaaa' } }),
      call({ ...GET, credential: { kind: 'user', token: 'FRLbbbbbbbbbbbbbbbbbbbbbbbb' } }),
      call(CONSUME),
      call(CONSUME),
    ]);
    expect(calls).toHaveLength(6);
  });

  test('one caller giving up does not fail the others; the call is aborted only when all have left', async () => {
    const { calls, upstream, open } = gated();
    const call = coalesce()(upstream);
    const a = new AbortController();
    const b = new AbortController();
    const first = call({ ...GET, signal: a.signal });
    const second = call({ ...GET, signal: b.signal });
    a.abort();
    await expect(first).rejects.toBeInstanceOf(HorizonNetworkError);
    expect(calls[0]!.signal!.aborted).toBe(false);
    open({ id: '42' });
    await expect(second).resolves.toEqual({ id: '42' });

    const { calls: calls2, upstream: upstream2 } = gated();
    const call2 = coalesce()(upstream2);
    const c = new AbortController();
    const lone = call2({ ...GET, signal: c.signal });
    c.abort();
    await expect(lone).rejects.toBeInstanceOf(HorizonNetworkError);
    expect(calls2[0]!.signal!.aborted).toBe(true);
  });

  test('a caller arriving after every waiter left starts a fresh call instead of joining the aborted one', async () => {
    const calls: HorizonRequest[] = [];
    const upstream: Call = (req) => {
      calls.push(req);
      // The first call hangs until aborted (and then settles late); the second answers.
      if (calls.length === 1)
        return new Promise((_, reject) => req.signal!.addEventListener('abort', () => setTimeout(() => reject(new Error('aborted')), 20)));
      return Promise.resolve({ id: '42' });
    };
    const call = coalesce()(upstream);
    const gone = new AbortController();
    const first = call({ ...GET, signal: gone.signal });
    gone.abort();
    await expect(first).rejects.toBeInstanceOf(HorizonNetworkError);
    await expect(call({ ...GET, signal: new AbortController().signal })).resolves.toEqual({ id: '42' });
    expect(calls).toHaveLength(2);
  });
});

describe('callers that are already gone', () => {
  test('coalescing: an already-aborted caller neither starts a call nor leaves an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const upstream: Call = async () => {
        calls++;
        return { ok: true };
      };
      const controller = new AbortController();
      controller.abort();
      await expect(coalesce()(upstream)({ ...GET, signal: controller.signal })).rejects.toBeInstanceOf(HorizonNetworkError);
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('coalescing: when every waiter leaves, the aborted shared call is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const upstream: Call = (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new Error('aborted upstream'))));
      const controller = new AbortController();
      const pending = coalesce()(upstream)({ ...GET, signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(HorizonNetworkError);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('breaker: calls abandoned by their callers never open the circuit', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000 });
    const upstream: Call = (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(reset())));
    const call = breaker.interceptor()(upstream);
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const pending = call({ ...GET, signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toBeDefined();
    }
    expect(breaker.state).toBe('closed');
  });
});
