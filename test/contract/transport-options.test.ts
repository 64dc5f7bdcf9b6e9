/**
 * The transport's options and edges: retry, breaker, coalescing, limits and deadlines as
 * configured (and their defaults), status-code boundaries, `Retry-After`, undici's own
 * timeouts, and what a call reports. Most cases run against a scripted in-process dispatcher
 * (no socket at all); the Agent's own settings are checked against loopback servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { HorizonApiError, HorizonNetworkError, HorizonProtocolError, HorizonTimeoutError, HorizonUnavailableError } from '../../src/horizon/errors.js';
import { DEFAULTS } from '../../src/config.js';
import type { CallScope, HorizonRequest, UpstreamCallInfo } from '../../src/horizon/request.js';
import { DEFAULT_RETRY, HorizonTransport, quoteLargeIntegers, retryAfterMs, type TransportOptions } from '../../src/horizon/transport.js';

const DEFAULT_BREAKER = DEFAULTS.horizon.breaker;

const GET: HorizonRequest = { method: 'GET', path: '/42', endpoint: 'GET /{user_id}' };
const POST: HorizonRequest = { method: 'POST', path: '/42/achievements', endpoint: 'POST /{user_id}/achievements' };

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Fail the exchange with this error instead (as undici does for resets and its own timeouts). */
  error?: Error;
  /** Never answer (until the caller's signal aborts). */
  hang?: boolean;
}

interface Sent {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A dispatcher that answers each request with the next scripted reply (the last one repeats). */
function scripted(...replies: Array<Reply | ((sent: Sent) => Reply)>) {
  const sent: Sent[] = [];
  let closed = 0;
  const dispatcher = {
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      const request: Sent = {
        origin: String(options.origin),
        path: options.path,
        method: options.method,
        headers: options.headers as Record<string, string>,
        body: options.body as string | undefined,
      };
      sent.push(request);
      const next = replies[Math.min(sent.length - 1, replies.length - 1)]!;
      const reply = typeof next === 'function' ? next(request) : next;
      const controller = { abort: () => undefined, pause: () => undefined, resume: () => undefined, aborted: false, paused: false, reason: null };
      queueMicrotask(() => {
        handler.onRequestStart?.(controller as never, {});
        if (reply.hang) return;
        if (reply.error) {
          handler.onResponseError?.(controller as never, reply.error);
          return;
        }
        handler.onResponseStart?.(controller as never, reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }, '');
        if (reply.body) handler.onResponseData?.(controller as never, Buffer.from(reply.body));
        handler.onResponseEnd?.(controller as never, {});
      });
      return true;
    },
    close: async () => {
      closed++;
    },
  };
  return { dispatcher: dispatcher as unknown as Dispatcher, sent, closed: () => closed };
}

const ok = (body: unknown = { id: '42' }): Reply => ({ status: 200, body: JSON.stringify(body) });
const graphError = (status: number, error: Record<string, unknown>, headers?: Record<string, string>): Reply => ({
  status,
  headers,
  body: JSON.stringify({ error }),
});
const undiciError = (code: string) => Object.assign(new Error(`undici ${code}`), { code });

const transports: HorizonTransport[] = [];
afterEach(async () => {
  jest.useRealTimers();
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

function transport(dispatcher: Dispatcher | undefined, overrides: Partial<TransportOptions> = {}): HorizonTransport {
  const t = new HorizonTransport({
    baseUrl: 'http://graph.test',
    appId: '1',
    appSecret: 'transport-options-secret',
    maxConnections: 4,
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    retry: false,
    breaker: false,
    ...(dispatcher ? { dispatcher } : {}),
    ...overrides,
  });
  transports.push(t);
  return t;
}

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('status codes and bodies', () => {
  test('any 2xx with a JSON object is an answer; 300 and above is an error, with its status', async () => {
    const up = scripted({ status: 299, body: '{"id":"42"}' }, { status: 300, body: '{"id":"42"}' });
    const t = transport(up.dispatcher);
    await expect(t.request(GET)).resolves.toEqual({ id: '42' });
    const error = await failure(t.request(GET));
    expect(error).toBeInstanceOf(HorizonApiError);
    expect(error).toMatchObject({ status: 300, upstreamMessage: 'HTTP 300', code: undefined });
  });

  test('a JSON array is an answer; a JSON string, number or null is not an object', async () => {
    const up = scripted({ body: '[1,2]' }, { body: '"text"' }, { body: '5' }, { body: 'null' });
    const t = transport(up.dispatcher);
    await expect(t.request(GET)).resolves.toEqual([1, 2]);
    for (let i = 0; i < 3; i++) {
      const error = await failure(t.request(GET));
      expect(error).toBeInstanceOf(HorizonProtocolError);
      expect(error.message).toContain('body is not a JSON object');
      expect(error.status).toBe(200);
    }
  });

  test('an `error` that is not an object is data, not an envelope', async () => {
    const t = transport(scripted({ body: '{"error":"none","id":"1"}' }, { body: '{"error":null,"id":"2"}' }).dispatcher);
    await expect(t.request(GET)).resolves.toEqual({ error: 'none', id: '1' });
    await expect(t.request(GET)).resolves.toEqual({ error: null, id: '2' });
  });

  test('an error envelope carries the credential of the request and its Retry-After', async () => {
    const t = transport(scripted(graphError(400, { message: 'slow down', code: 4 }, { 'retry-after': '3' })).dispatcher);
    const asUser = await failure(t.request({ ...GET, credential: { kind: 'user', token: 'FRLuser' } }));
    expect(asUser).toMatchObject({ credential: 'user', retryAfterMs: 3_000, code: 4 });
    expect(await failure(t.request(GET))).toMatchObject({ credential: 'app' });
  });

  test('a non-2xx without an envelope keeps its Retry-After and credential too', async () => {
    const t = transport(scripted({ status: 503, headers: { 'retry-after': '2' }, body: '{"detail":"busy"}' }).dispatcher);
    const error = await failure(t.request({ ...GET, credential: { kind: 'user', token: 'FRLuser' } }));
    expect(error).toBeInstanceOf(HorizonApiError);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 2_000, credential: 'user' });
  });

  test('an empty or blank body is unreadable, keeping the Retry-After of a proxy page', async () => {
    const t = transport(scripted({ status: 503, headers: { 'retry-after': '1' }, body: ' \r\n\t' }, { status: 200 }).dispatcher);
    const blank = await failure(t.request(GET));
    expect(blank).toBeInstanceOf(HorizonProtocolError);
    expect(blank).toMatchObject({ status: 503, retryAfterMs: 1_000 });
    expect(blank.message).toContain('empty body');
    expect(await failure(t.request(GET))).toMatchObject({ status: 200, retryAfterMs: undefined });
  });

  test('a body that is not JSON says its content type (or that there was none) and size, and keeps the Retry-After', async () => {
    const html = '<html>429</html>';
    const t = transport(
      scripted({ status: 429, headers: { 'content-type': 'text/html', 'retry-after': '4' }, body: html }, (): Reply => ({ status: 502, body: 'oops' }))
        .dispatcher,
    );
    const first = await failure(t.request(GET));
    expect(first).toMatchObject({ status: 429, retryAfterMs: 4_000, throttled: true });
    expect(first.message).toContain(`body is not JSON (text/html, ${html.length} bytes)`);
    const second = await failure(t.request(GET));
    expect(second.message).toContain('body is not JSON (application/json, 4 bytes)');
  });

  test('no content type at all is named so', async () => {
    const up = scripted({ status: 502, body: 'oops' });
    const dispatch = up.dispatcher.dispatch.bind(up.dispatcher);
    (up.dispatcher as { dispatch: unknown }).dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) =>
      dispatch(options, {
        ...handler,
        onRequestStart: handler.onRequestStart?.bind(handler),
        onResponseData: handler.onResponseData?.bind(handler),
        onResponseEnd: handler.onResponseEnd?.bind(handler),
        onResponseError: handler.onResponseError?.bind(handler),
        onResponseStart: (controller, status) => handler.onResponseStart?.(controller, status, {}, ''),
      } as Dispatcher.DispatchHandler);
    const error = await failure(transport(up.dispatcher).request(GET));
    expect(error.message).toContain('body is not JSON (no content-type, 4 bytes)');
  });

  test('a body over maxResponseBytes is unreadable with the status it came with; the default allows 8 MiB', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(8 * 1024 * 1024 - 11) });
    const small = transport(scripted({ status: 201, body: '{"data":"0123456789"}' }).dispatcher, { maxResponseBytes: 10 });
    const calls: UpstreamCallInfo[] = [];
    small.onCall((info) => calls.push(info));
    const error = await failure(small.request(GET));
    expect(error).toBeInstanceOf(HorizonProtocolError);
    expect(error).toMatchObject({ status: 201 });
    expect(error.message).toContain('body larger than 10 bytes');
    expect(calls[0]).toMatchObject({ status: 201 });
    expect(Buffer.byteLength(big)).toBe(8 * 1024 * 1024);
    await expect(transport(scripted({ body: big }).dispatcher).request(GET)).resolves.toMatchObject({ data: expect.any(String) });
    const over = await failure(transport(scripted({ body: big + ' ' }).dispatcher).request(GET));
    expect(over.message).toContain(`body larger than ${8 * 1024 * 1024} bytes`);
  });

  test('lossless fields are read as decimal strings; without them, as numbers', async () => {
    const body = '{"score":12345678901234567,"rank":12345678901234567}';
    const t = transport(scripted({ body }).dispatcher);
    await expect(t.request({ ...GET, losslessIntegerFields: ['score'] })).resolves.toEqual({ score: '12345678901234567', rank: 12345678901234568 });
    await expect(t.request({ ...GET, losslessIntegerFields: [] })).resolves.toEqual({ score: 12345678901234568, rank: 12345678901234568 });
  });
});

describe('quoteLargeIntegers', () => {
  test('quotes integers of 16 digits or more in the named fields, whatever follows them', () => {
    expect(quoteLargeIntegers('{"a":1234567890123456,"b":[{"a":-1234567890123456789}],"a" : 9999999999999999 }', ['a'])).toBe(
      '{"a":"1234567890123456","b":[{"a":"-1234567890123456789"}],"a" : "9999999999999999" }',
    );
  });

  test('leaves 15 digits, other fields, decimals and exponents alone', () => {
    const text = '{"a":123456789012345,"b":12345678901234567,"a2":12345678901234567,"a":1234567890123456.5,"a":1234567890123456e2}';
    expect(quoteLargeIntegers(text, ['a'])).toBe(text);
  });

  test('takes several fields, and only the letters, digits and _ of their names', () => {
    expect(quoteLargeIntegers('{"x_1":12345678901234567,"y":12345678901234567,"z":1}', ['x_1', 'y)|(.*'])).toBe(
      '{"x_1":"12345678901234567","y":"12345678901234567","z":1}',
    );
  });
});

describe('retryAfterMs', () => {
  const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
  test.each<[string, string | string[] | undefined, number | undefined]>([
    ['whole seconds', '3', 3_000],
    ['padded seconds', ' 3 ', 3_000],
    ['fractional seconds, rounded to the millisecond', '1.2345', 1_235],
    ['zero', '0', 0],
    ['the cap of one minute', '60', 60_000],
    ['past the cap', '61', 60_000],
    ['the first of several headers', ['2', '9'], 2_000],
    ['an HTTP date ahead', new Date(NOW + 4_500).toUTCString(), 4_000],
    ['an HTTP date in the past', new Date(NOW - 10_000).toUTCString(), 0],
    ['an HTTP date far ahead', new Date(NOW + 3_600_000).toUTCString(), 60_000],
    ['nothing', undefined, undefined],
    ['an empty header', '', undefined],
    ['no header among several', [], undefined],
    ['words', 'soon', undefined],
    ['seconds with a unit', '3s', undefined],
  ])('%s', (_label, header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });

  test('a number after other words is neither seconds nor a date (Date.parse reads "in 5" as 2001)', () => {
    expect(retryAfterMs('in 5', NOW)).toBeUndefined();
    expect(retryAfterMs('-1', NOW)).toBeUndefined();
    expect(retryAfterMs('Wed, 21 Oct 2015', NOW)).toBeUndefined();
  });

  test.each(['Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994'])('the three HTTP date forms: %s', (date) => {
    expect(retryAfterMs(date, Date.parse('1994-11-06T08:49:35Z'))).toBe(2_000);
  });

  test('an HTTP date is measured from now by default', () => {
    jest.useFakeTimers({ now: NOW });
    expect(retryAfterMs(new Date(NOW + 2_000).toUTCString())).toBe(2_000);
  });
});

describe('undici failures', () => {
  test.each(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])("undici's %s is a timeout of requestTimeoutMs, which may have been applied", async (code) => {
    const error = await failure(transport(scripted({ error: undiciError(code) }).dispatcher, { requestTimeoutMs: 1_234 }).request(POST));
    expect(error).toBeInstanceOf(HorizonTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 1_234, endpoint: POST.endpoint, mayHaveApplied: true });
  });

  test.each<[string, boolean]>([
    ['UND_ERR_SOCKET', true],
    ['ECONNRESET', true],
    ['ECONNREFUSED', false],
    ['UND_ERR_CONNECT_TIMEOUT', false],
  ])('%s is a network error (may have been applied: %s)', async (code, applied) => {
    const error = await failure(transport(scripted({ error: undiciError(code) }).dispatcher).request(POST));
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error).not.toBeInstanceOf(HorizonTimeoutError);
    expect(error).toMatchObject({ errorCode: code, mayHaveApplied: applied });
  });

  test("an error without a code is a network error; one whose name is TimeoutError is the operation's deadline", async () => {
    expect(await failure(transport(scripted({ error: new Error('boom') }).dispatcher).request(GET))).toBeInstanceOf(HorizonNetworkError);
    const deadline = await failure(transport(scripted({ error: new DOMException('late', 'TimeoutError') }).dispatcher).request(GET));
    expect(deadline).toBeInstanceOf(HorizonTimeoutError);
    expect(deadline.timeoutMs).toBeUndefined();
  });
});

describe('a caller that has gone', () => {
  test('a signal aborted with a null reason fails the call as a network error, without sending it', async () => {
    const up = scripted(ok());
    const signal = { aborted: true, reason: null, addEventListener: () => undefined, removeEventListener: () => undefined };
    const error = await failure(transport(up.dispatcher).request({ ...GET, signal }));
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error.errorCode).toBeUndefined();
    expect(up.sent).toHaveLength(0);
  });

  test('a signal aborted with a null reason while the call is out fails it as a network error', async () => {
    const caller = new AbortController();
    const pending = failure(transport(scripted({ hang: true }).dispatcher).request({ ...GET, signal: caller.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort(null);
    const error = await pending;
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error.message).toContain('could not be reached: aborted');
  });
});

describe('deadlines', () => {
  test('each attempt has callTimeoutMs; by default requestTimeoutMs', async () => {
    jest.useFakeTimers();
    const own = transport(scripted({ hang: true }).dispatcher, { callTimeoutMs: 300, requestTimeoutMs: 5_000 });
    const first = failure(own.request(GET));
    await jest.advanceTimersByTimeAsync(300);
    expect(await first).toMatchObject({ name: 'HorizonTimeoutError', timeoutMs: 300 });
    const byDefault = transport(scripted({ hang: true }).dispatcher, { requestTimeoutMs: 700 });
    const second = failure(byDefault.request(GET));
    await jest.advanceTimersByTimeAsync(700);
    expect(await second).toMatchObject({ name: 'HorizonTimeoutError', timeoutMs: 700 });
  });
});

describe('retry, breaker, limits and coalescing options', () => {
  const failing = () => graphError(500, { message: 'unexpected', code: 2 });

  test('the default retry policy makes three attempts; an option changes one setting and keeps the others', async () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, budgetMs: 5_000 });
    const up = scripted(failing());
    const t = transport(up.dispatcher, { retry: { random: () => 0 } });
    const delays: number[] = [];
    t.onRetry((event) => delays.push(event.delayMs));
    await failure(t.request(GET));
    expect(up.sent).toHaveLength(3);
    expect(delays).toEqual([0, 0]);
    const two = scripted(failing());
    await failure(transport(two.dispatcher, { retry: { maxAttempts: 2, random: () => 0 } }).request(GET));
    expect(two.sent).toHaveLength(2);
  });

  test('retries are on unless switched off', async () => {
    const up = scripted(failing(), ok());
    const base = { baseUrl: 'http://graph.test', appId: '1', appSecret: 's3cr3t-value', maxConnections: 1, connectTimeoutMs: 1, requestTimeoutMs: 1_000 };
    const t = new HorizonTransport({ ...base, dispatcher: up.dispatcher });
    transports.push(t);
    // The default backoff before the second attempt is under baseDelayMs (100 ms).
    await expect(t.request(GET)).resolves.toEqual({ id: '42' });
    expect(up.sent).toHaveLength(2);
    const once = scripted(failing());
    await failure(transport(once.dispatcher, { retry: false }).request(GET));
    expect(once.sent).toHaveLength(1);
  });

  test('retry listeners hear each retry; one that throws does not fail the call; unsubscribed ones hear nothing', async () => {
    const t = transport(scripted(failing(), failing(), ok()).dispatcher, { retry: { random: () => 0 } });
    const heard: number[] = [];
    const silenced: number[] = [];
    t.onRetry(() => {
      throw new Error('listener bug');
    });
    t.onRetry((event) => heard.push(event.attempt));
    const off = t.onRetry((event) => silenced.push(event.attempt));
    off();
    await expect(t.request(GET)).resolves.toEqual({ id: '42' });
    expect(heard).toEqual([1, 2]);
    expect(silenced).toEqual([]);
  });

  test('the breaker opens after failureThreshold outages (default 10) and then fails fast without sending', async () => {
    expect(DEFAULT_BREAKER).toEqual({ failureThreshold: 10, cooldownMs: 5_000 });
    const up = scripted(failing());
    const t = transport(up.dispatcher, { breaker: {} });
    for (let i = 0; i < 10; i++) expect(await failure(t.request(GET))).toBeInstanceOf(HorizonApiError);
    expect(t.breaker?.state).toBe('open');
    expect(await failure(t.request(GET))).toBeInstanceOf(HorizonUnavailableError);
    expect(up.sent).toHaveLength(10);
  });

  test('breaker options change one setting and keep the others; the cooldown is 5 s by default', async () => {
    let now = 1_000_000;
    const up = scripted(failing(), failing(), ok());
    const t = transport(up.dispatcher, { breaker: { failureThreshold: 2, now: () => now } });
    await failure(t.request(GET));
    expect(t.breaker?.state).toBe('closed');
    await failure(t.request(GET));
    expect(t.breaker?.state).toBe('open');
    now += DEFAULT_BREAKER.cooldownMs - 1;
    expect(await failure(t.request(GET))).toMatchObject({ reason: 'circuit_open' });
    now += 1;
    await expect(t.request(GET)).resolves.toEqual({ id: '42' });
    expect(t.breaker?.state).toBe('closed');
  });

  test('the breaker is on unless switched off', () => {
    const base = { baseUrl: 'http://graph.test', appId: '1', appSecret: 's3cr3t-value', maxConnections: 1, connectTimeoutMs: 1, requestTimeoutMs: 1 };
    const on = new HorizonTransport({ ...base, dispatcher: scripted(ok()).dispatcher });
    const off = new HorizonTransport({ ...base, dispatcher: scripted(ok()).dispatcher, breaker: false });
    transports.push(on, off);
    expect(on.breaker?.state).toBe('closed');
    expect(off.breaker).toBeUndefined();
  });

  test('calls in flight are capped at the documented 128 by default, and the cap and queue are settable', async () => {
    expect(transport(scripted(ok()).dispatcher, { maxConnections: 3 }).limiter.capacity).toBe(128);
    expect(transport(scripted(ok()).dispatcher, { maxConnections: 3, limits: { maxInFlight: 5 } }).limiter.capacity).toBe(5);
    const up = scripted({ hang: true });
    const t = transport(up.dispatcher, { maxConnections: 1, callTimeoutMs: 100, limits: { maxInFlight: 2, maxQueued: 1 } });
    const calls = [t.request({ ...GET, path: '/1' }), t.request({ ...GET, path: '/2' }), t.request({ ...GET, path: '/3' })].map((c) => failure(c));
    const fourth = await failure(t.request({ ...GET, path: '/4' }));
    expect(fourth).toMatchObject({ name: 'HorizonUnavailableError', reason: 'overloaded' });
    expect(t.limiter.active).toBe(2);
    expect(t.limiter.queued).toBe(1);
    // The three admitted calls end at their deadline.
    for (const error of await Promise.all(calls)) expect(error).toBeInstanceOf(HorizonTimeoutError);
  });

  test('identical concurrent reads share one request unless coalescing is off', async () => {
    const shared = scripted(ok());
    const t = transport(shared.dispatcher);
    await Promise.all([t.request(GET), t.request(GET), t.request(GET)]);
    expect(shared.sent).toHaveLength(1);
    const apart = scripted(ok());
    const u = transport(apart.dispatcher, { coalesce: false });
    await Promise.all([u.request(GET), u.request(GET), u.request(GET)]);
    expect(apart.sent).toHaveLength(3);
  });
});

describe('what is sent', () => {
  test('the base URL path, without trailing slashes, prefixes every path; the origin is the base URL’s', async () => {
    const up = scripted(ok());
    await transport(up.dispatcher, { baseUrl: 'http://graph.test:8080/v1.20///' }).request(GET);
    expect(up.sent[0]).toMatchObject({ origin: 'http://graph.test:8080', path: '/v1.20/42' });
  });

  test('a GET without parameters has no query string; DELETE parameters go in the query too', async () => {
    const up = scripted(ok());
    const t = transport(up.dispatcher, { coalesce: false });
    await t.request({ ...GET, params: { skipped: undefined, none: null } });
    await t.request({ method: 'DELETE', path: '/42', endpoint: 'DELETE /{id}', params: { a: 'b c' } });
    expect(up.sent.map((s) => [s.method, s.path, s.body])).toEqual([
      ['GET', '/42', undefined],
      ['DELETE', '/42?a=b+c', undefined],
    ]);
  });

  test('a POST sends a form body, even an empty one, never a query string', async () => {
    const up = scripted(ok());
    const t = transport(up.dispatcher);
    await t.request({ ...POST, params: { api_name: 'A', n: 3, flag: false, gone: undefined } });
    await t.request(POST);
    expect(up.sent.map((s) => [s.path, s.body, s.headers['content-type']])).toEqual([
      ['/42/achievements', 'api_name=A&n=3&flag=false', 'application/x-www-form-urlencoded'],
      ['/42/achievements', '', 'application/x-www-form-urlencoded'],
    ]);
  });

  test('extra headers ride along but never replace the token or accept', async () => {
    const up = scripted(ok());
    await transport(up.dispatcher).request({ ...GET, headers: { traceparent: '00-abc-def-01', authorization: 'Bearer stolen', accept: 'text/html' } });
    expect(up.sent[0]!.headers).toEqual({ traceparent: '00-abc-def-01', authorization: 'Bearer OC|1|transport-options-secret', accept: 'application/json' });
  });
});

describe('what a call reports', () => {
  test('each attempt is reported with its number; a call outside any operation has no scope', async () => {
    const t = transport(scripted(graphError(500, { message: 'x', code: 2 }), ok()).dispatcher, { retry: { random: () => 0 } });
    const calls: UpstreamCallInfo[] = [];
    t.onCall((info) => calls.push(info));
    await t.request(GET);
    expect(calls.map((c) => [c.attempt, c.status, c.error?.name])).toEqual([
      [1, 500, 'HorizonApiError'],
      [2, 200, undefined],
    ]);
    expect(calls.every((c) => c.scope === undefined && c.durationMs >= 0 && c.method === 'GET' && c.credential === 'app')).toBe(true);
  });

  test('a call without retries is attempt 1, whether it succeeds or fails', async () => {
    const t = transport(scripted(ok(), graphError(400, { message: 'bad', code: 100 })).dispatcher, { coalesce: false });
    const calls: UpstreamCallInfo[] = [];
    t.onCall((info) => calls.push(info));
    await t.request(GET);
    await failure(t.request(GET));
    expect(calls.map((c) => [c.attempt, c.status])).toEqual([
      [1, 200],
      [1, 400],
    ]);
  });

  test('a scoped view counts its calls and failures, calls onFirstCall once, and shares the app id and refused fields', async () => {
    const t = transport(scripted(ok(), graphError(400, { message: 'bad', code: 100 }), ok()).dispatcher, { coalesce: false });
    let first = 0;
    const scope: CallScope = { requestId: 'r1', upstreamCalls: 0, upstreamErrors: 0, onFirstCall: () => first++ };
    const view = t.scoped(scope);
    expect(view.appId).toBe('1');
    expect(view.refusedFields).toBe(t.refusedFields);
    const seen: Array<CallScope | undefined> = [];
    t.onCall((info) => seen.push(info.scope));
    await view.request(GET);
    await failure(view.request(GET));
    await view.request(GET);
    expect(first).toBe(1);
    expect(scope.onFirstCall).toBeUndefined();
    expect(scope).toMatchObject({ upstreamCalls: 3, upstreamErrors: 1 });
    expect(seen).toEqual([scope, scope, scope]);
  });

  test('a scope without onFirstCall is fine', async () => {
    const t = transport(scripted(ok()).dispatcher);
    const scope: CallScope = { requestId: 'r2', upstreamCalls: 0, upstreamErrors: 0 };
    await t.scoped(scope).request(GET);
    expect(scope.upstreamCalls).toBe(1);
  });

  test('an unsubscribed call listener hears nothing more', async () => {
    const t = transport(scripted(ok()).dispatcher, { coalesce: false });
    const heard: string[] = [];
    const off = t.onCall((info) => heard.push(info.endpoint));
    await t.request(GET);
    expect(off()).toBe(true);
    await t.request(GET);
    expect(heard).toEqual([GET.endpoint]);
  });

  test('closing twice is harmless (shutdown paths may both close)', async () => {
    const t = transport(undefined);
    await expect(Promise.all([t.close(), t.close()])).resolves.toEqual([undefined, undefined]);
    await expect(t.close()).resolves.toBeUndefined();
  });

  test('close leaves a dispatcher it was given open', async () => {
    const up = scripted(ok());
    const t = transport(up.dispatcher);
    await t.close();
    expect(up.closed()).toBe(0);
  });
});

describe("the Agent's own settings (loopback)", () => {
  async function server(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; sockets: Set<Socket>; close: () => Promise<void> }> {
    const srv: Server = createServer(handler);
    const sockets = new Set<Socket>();
    srv.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    const { port } = srv.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      sockets,
      close: () =>
        new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeAllConnections();
        }),
    };
  }

  test('maxConnections caps the sockets to one origin', async () => {
    const s = await server((_req, res) => setTimeout(() => res.end('{"ok":true}'), 20));
    try {
      const t = transport(undefined, { baseUrl: s.url, maxConnections: 1, coalesce: false });
      await Promise.all([t.request(GET), t.request(GET), t.request(GET)]);
      expect(s.sockets.size).toBe(1);
    } finally {
      await s.close();
    }
  });

  test("undici's header timeout is requestTimeoutMs, also when the call's deadline is longer", async () => {
    const s = await server(() => undefined);
    try {
      const error = await failure(transport(undefined, { baseUrl: s.url, requestTimeoutMs: 150, callTimeoutMs: 10_000 }).request(GET));
      expect(error).toBeInstanceOf(HorizonTimeoutError);
      expect(error.timeoutMs).toBe(150);
    } finally {
      await s.close();
    }
  });

  test("undici's body timeout is requestTimeoutMs, also when the call's deadline is longer", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":');
    });
    try {
      const error = await failure(transport(undefined, { baseUrl: s.url, requestTimeoutMs: 150, callTimeoutMs: 10_000 }).request(GET));
      expect(error).toBeInstanceOf(HorizonTimeoutError);
      expect(error.timeoutMs).toBe(150);
    } finally {
      await s.close();
    }
  });

  test('close shuts down the Agent it built', async () => {
    const s = await server((_req, res) => res.end('{"ok":true}'));
    try {
      const t = new HorizonTransport({
        baseUrl: s.url,
        appId: '1',
        appSecret: 's3cr3t-value',
        maxConnections: 1,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 1_000,
        retry: false,
      });
      await t.request(GET);
      await t.close();
      expect(await failure(t.request({ ...GET, path: '/again' }))).toBeInstanceOf(HorizonNetworkError);
    } finally {
      await s.close();
    }
  });
});
