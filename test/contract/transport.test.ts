/**
 * The transport against tiny loopback HTTP servers that misbehave on purpose: how each kind
 * of upstream failure is typed, what goes on the wire, and that the app secret never leaks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { HorizonApiError, HorizonError, HorizonNetworkError, HorizonProtocolError, HorizonTimeoutError } from '../../src/horizon/errors.js';
import type { UpstreamCallInfo } from '../../src/horizon/request.js';
import { HorizonTransport, type TransportOptions } from '../../src/horizon/transport.js';

const APP_ID = '1';
const SECRET = 'f00dfacecafe4b1d9e8a7c6b5a4d3c2e';
const APP_TOKEN = `OC|${APP_ID}|${SECRET}`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface FakeServer {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

const servers: FakeServer[] = [];
const transports: HorizonTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback server; `handler` may leave the response unanswered. */
async function fakeServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<FakeServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(fake);
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function transportFor(baseUrl: string, overrides: Partial<TransportOptions> = {}): HorizonTransport {
  const transport = new HorizonTransport({
    baseUrl,
    appId: APP_ID,
    appSecret: SECRET,
    maxConnections: 4,
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    // One attempt per request: these tests are about what a single exchange turns into.
    retry: false,
    breaker: false,
    ...overrides,
  });
  transports.push(transport);
  return transport;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

const GET_USER = { method: 'GET', path: '/42', endpoint: 'GET /{user_id}' } as const;

describe('response decoding', () => {
  test('2xx JSON object is returned as is', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { id: '42', alias: 'Nova' }));
    await expect(transportFor(server.url).request(GET_USER)).resolves.toEqual({ id: '42', alias: 'Nova' });
  });

  test('empty body is a HorizonProtocolError', async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
    });
    const error = await failure(transportFor(server.url).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonProtocolError);
    expect((error as HorizonProtocolError).status).toBe(200);
    expect((error as HorizonProtocolError).endpoint).toBe('GET /{user_id}');
    expect((error as HorizonProtocolError).retryable).toBe(false);
  });

  test('HTML from a proxy with 502 is a retryable HorizonProtocolError with the status', async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    const error = await failure(transportFor(server.url).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonProtocolError);
    expect(error).not.toBeInstanceOf(HorizonApiError);
    expect((error as HorizonProtocolError).status).toBe(502);
    expect((error as HorizonProtocolError).retryable).toBe(true);
    expect((error as Error).message).toContain('text/html');
  });

  test('a JSON value that is not an object on 200 is a HorizonProtocolError', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, null));
    expect(await failure(transportFor(server.url).request(GET_USER))).toBeInstanceOf(HorizonProtocolError);
  });

  test('a body over maxResponseBytes is a HorizonProtocolError', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { data: 'x'.repeat(10_000) }));
    const error = await failure(transportFor(server.url, { maxResponseBytes: 1_000 }).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonProtocolError);
    expect((error as Error).message).toMatch(/larger than 1000 bytes/);
  });

  test('500 with an is_transient envelope is a transient, retryable HorizonApiError', async () => {
    const server = await fakeServer((_req, res) =>
      json(res, 500, {
        error: {
          message: 'An unexpected error has occurred. Please retry your request later.',
          type: 'OAuthException',
          code: 2,
          is_transient: true,
          fbtrace_id: 'AbCdEfGh12345678',
        },
      }),
    );
    const error = (await failure(transportFor(server.url).request(GET_USER))) as HorizonApiError;
    expect(error).toBeInstanceOf(HorizonApiError);
    expect(error.status).toBe(500);
    expect(error.code).toBe(2);
    expect(error.isTransient).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.fbtraceId).toBe('AbCdEfGh12345678');
    expect(error.upstreamMessage).toBe('An unexpected error has occurred. Please retry your request later.');
  });

  test('is_transient alone makes a 400 retryable; without it a 400 is not', async () => {
    let transient = true;
    const server = await fakeServer((_req, res) => json(res, 400, { error: { message: 'm', code: 1, is_transient: transient } }));
    const t = transportFor(server.url);
    const first = (await failure(t.request(GET_USER))) as HorizonApiError;
    expect(first.isTransient).toBe(true);
    expect(first.retryable).toBe(true);
    transient = false;
    const second = (await failure(t.request(GET_USER))) as HorizonApiError;
    expect(second.isTransient).toBe(false);
    expect(second.retryable).toBe(false);
  });

  test('an error envelope on a 200 is still an error; string code and subcode are read', async () => {
    const server = await fakeServer((_req, res) =>
      json(res, 200, { error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: '100', error_subcode: '33' } }),
    );
    const error = (await failure(transportFor(server.url).request(GET_USER))) as HorizonApiError;
    expect(error).toBeInstanceOf(HorizonApiError);
    expect(error.code).toBe(100);
    expect(error.subcode).toBe(33);
    expect(error.type).toBe('GraphMethodException');
  });

  test.each([4, 17, 32, 613])("Graph's throttling code %i is throttled, retryable, and not applied", async (code) => {
    const server = await fakeServer((_req, res) => json(res, 400, { error: { message: `(#${code}) Calls to this api have exceeded the rate limit.`, code } }));
    const error = (await failure(transportFor(server.url).request(GET_USER))) as HorizonApiError;
    expect(error.throttled).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.mayHaveApplied).toBe(false);
  });

  test("a gateway's 429 without Graph's envelope is throttling too: retried after its Retry-After, and never counted as applied", async () => {
    let calls = 0;
    const server = await fakeServer((_req, res) => {
      if (++calls === 1) {
        res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '1' });
        res.end('<html><body>Too Many Requests</body></html>');
      } else json(res, 200, { id: '42' });
    });
    const lone = (await failure(transportFor(server.url).request(GET_USER))) as HorizonProtocolError;
    expect(lone).toBeInstanceOf(HorizonProtocolError);
    expect({ throttled: lone.throttled, retryable: lone.retryable, mayHaveApplied: lone.mayHaveApplied, retryAfterMs: lone.retryAfterMs }).toEqual({
      throttled: true,
      retryable: true,
      mayHaveApplied: false,
      retryAfterMs: 1_000,
    });
    calls = 0;
    const started = Date.now();
    const retrying = transportFor(server.url, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 5_000 } });
    await expect(retrying.request(GET_USER)).resolves.toEqual({ id: '42' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(calls).toBe(2);
  });

  test('non-2xx JSON without an envelope is a HorizonApiError with the status', async () => {
    const server = await fakeServer((_req, res) => json(res, 404, { detail: 'no such thing' }));
    const error = (await failure(transportFor(server.url).request(GET_USER))) as HorizonApiError;
    expect(error).toBeInstanceOf(HorizonApiError);
    expect(error.status).toBe(404);
    expect(error.code).toBeUndefined();
    expect(error.upstreamMessage).toBe('HTTP 404');
    expect(error.retryable).toBe(false);
  });

  test('the error says which credential the request carried', async () => {
    const server = await fakeServer((_req, res) => json(res, 400, { error: { message: 'Invalid OAuth 2.0 Access Token', code: 190 } }));
    const t = transportFor(server.url);
    const asUser = (await failure(
      t.request({ method: 'GET', path: '/me', endpoint: 'GET /me', credential: { kind: 'user', token: 'FRLnotvalid' } }),
    )) as HorizonApiError;
    expect(asUser.credential).toBe('user');
    const asApp = (await failure(t.request(GET_USER))) as HorizonApiError;
    expect(asApp.credential).toBe('app');
  });
});

describe('network failures', () => {
  test('connection refused is a retryable HorizonNetworkError', async () => {
    const server = await fakeServer(() => undefined);
    const { url } = server;
    await server.close(); // the port is now closed
    const error = (await failure(transportFor(url).request(GET_USER))) as HorizonNetworkError;
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error.retryable).toBe(true);
    expect(error.endpoint).toBe('GET /{user_id}');
    expect(error.errorCode).toBe('ECONNREFUSED');
  });

  test('a server that never answers times out as HorizonTimeoutError after requestTimeoutMs', async () => {
    const server = await fakeServer(() => undefined); // never responds
    const started = Date.now();
    const error = await failure(transportFor(server.url, { requestTimeoutMs: 200 }).request(GET_USER));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(HorizonTimeoutError);
    expect((error as HorizonTimeoutError).retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
    expect(server.seen).toHaveLength(1);
  });

  test('a stalled body after the headers is a HorizonTimeoutError', async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":'); // and nothing more
    });
    const started = Date.now();
    const error = await failure(transportFor(server.url, { requestTimeoutMs: 200 }).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('an aborted signal rejects with a HorizonNetworkError', async () => {
    const server = await fakeServer(() => undefined);
    const controller = new AbortController();
    const pending = transportFor(server.url).request({ ...GET_USER, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await failure(pending)).toBeInstanceOf(HorizonNetworkError);
  });
});

describe('what goes on the wire', () => {
  test('GET: the app token in the Authorization header, never in the URL; params in the query', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { id: '42' }));
    await transportFor(server.url).request({ ...GET_USER, params: { fields: 'id,alias', skipped: undefined, none: null, n: 5, flag: true } });
    expect(server.seen).toHaveLength(1);
    const seen = server.seen[0]!;
    expect(seen.method).toBe('GET');
    expect(seen.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(seen.url).not.toContain(SECRET);
    expect(decodeURIComponent(seen.url)).not.toContain(SECRET);
    expect(seen.url).not.toMatch(/access_token/);
    const url = new URL(seen.url, server.url);
    expect(url.pathname).toBe('/42');
    expect(Object.fromEntries(url.searchParams)).toEqual({ fields: 'id,alias', n: '5', flag: 'true' });
    expect(seen.body).toBe('');
  });

  test('POST: parameters as an x-www-form-urlencoded body, nothing in the query', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { success: true }));
    await transportFor(server.url).request({
      method: 'POST',
      path: '/42/achievements',
      endpoint: 'POST /{user_id}/achievements',
      params: { api_name: 'A B&C', add_bits: '10011', force_unlock: true },
    });
    const seen = server.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/42/achievements');
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ api_name: 'A B&C', add_bits: '10011', force_unlock: 'true' });
    expect(seen.body).not.toContain(SECRET);
  });

  test('a user credential sends the user token instead of the app token', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { id: '42' }));
    await transportFor(server.url).request({ method: 'GET', path: '/me', endpoint: 'GET /me', credential: { kind: 'user', token: 'FRLabc123' } });
    expect(server.seen[0]!.headers.authorization).toBe('Bearer FRLabc123');
  });

  test('a base URL path prefix is kept', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { id: '42' }));
    await transportFor(`${server.url}/v1.20/`).request(GET_USER);
    expect(server.seen[0]!.url).toBe('/v1.20/42');
  });
});

describe('secrets never leak into errors', () => {
  const leaky = `Invalid request access_token=${APP_TOKEN}&x=1: the secret ${SECRET} is wrong (token ${encodeURIComponent(APP_TOKEN)}, Bearer ${APP_TOKEN})`;

  function expectNoSecret(error: unknown): void {
    expect(error).toBeInstanceOf(HorizonError);
    const e = error as HorizonError;
    for (const text of [e.message, String(e), e.stack ?? '', JSON.stringify(e)]) {
      expect(text).not.toContain(SECRET);
    }
    if (e instanceof HorizonApiError) expect(e.upstreamMessage).not.toContain(SECRET);
  }

  test('an upstream error message echoing the token and the raw secret is redacted', async () => {
    const server = await fakeServer((_req, res) => json(res, 400, { error: { message: leaky, type: 'OAuthException', code: 190, fbtrace_id: 'T' } }));
    const error = await failure(transportFor(server.url).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonApiError);
    expectNoSecret(error);
    // The message stays useful: the rest of Graph's text survives.
    expect((error as HorizonApiError).upstreamMessage).toContain('Invalid request access_token=[REDACTED]');
    expect((error as HorizonApiError).upstreamMessage).toContain('is wrong');
  });

  test('the same on a 5xx envelope and on a non-JSON body', async () => {
    let mode: 'json' | 'html' = 'json';
    const server = await fakeServer((_req, res) => {
      if (mode === 'json') json(res, 503, { error: { message: leaky, code: 2, is_transient: true } });
      else {
        res.writeHead(500, { 'content-type': `text/html; token=${APP_TOKEN}` });
        res.end(`<pre>${leaky}</pre>`);
      }
    });
    const t = transportFor(server.url);
    expectNoSecret(await failure(t.request(GET_USER)));
    mode = 'html';
    const html = await failure(t.request(GET_USER));
    expect(html).toBeInstanceOf(HorizonProtocolError);
    expectNoSecret(html);
  });

  test('a non-JSON body that starts with the token leaks nothing through util.inspect (no parser cause)', async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${APP_TOKEN} upstream proxy error`);
    });
    const error = await failure(transportFor(server.url).request(GET_USER));
    expect(error).toBeInstanceOf(HorizonProtocolError);
    const printed = inspect(error, { depth: 5 });
    expect(printed).toContain('body is not JSON');
    expect(printed).not.toContain(SECRET.slice(0, 4));
  });
});

describe('onCall listeners', () => {
  test('receive endpoint, method, status, duration and credential for successes and failures', async () => {
    let status = 200;
    const server = await fakeServer((_req, res) => json(res, status, status === 200 ? { id: '42' } : { error: { message: 'bad', code: 100 } }));
    const t = transportFor(server.url);
    const calls: UpstreamCallInfo[] = [];
    t.onCall((info) => calls.push(info));
    await t.request(GET_USER);
    status = 400;
    await failure(t.request({ method: 'POST', path: '/42/achievements', endpoint: 'POST /{user_id}/achievements', params: { api_name: 'X' } }));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ endpoint: 'GET /{user_id}', method: 'GET', status: 200, credential: 'app' });
    expect(calls[0]!.error).toBeUndefined();
    expect(calls[1]).toMatchObject({ endpoint: 'POST /{user_id}/achievements', method: 'POST', status: 400, credential: 'app' });
    expect(calls[1]!.error).toBeInstanceOf(HorizonApiError);
    for (const call of calls) {
      expect(typeof call.durationMs).toBe('number');
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
      expect(call.durationMs).toBeLessThan(5_000);
    }
  });

  test('a network failure is reported with no status', async () => {
    const server = await fakeServer(() => undefined);
    const { url } = server;
    await server.close();
    const t = transportFor(url);
    const calls: UpstreamCallInfo[] = [];
    t.onCall((info) => calls.push(info));
    await failure(t.request(GET_USER));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBeUndefined();
    expect(calls[0]!.error).toBeInstanceOf(HorizonNetworkError);
  });

  test('unsubscribe stops reports; a throwing listener does not fail the call', async () => {
    const server = await fakeServer((_req, res) => json(res, 200, { id: '42' }));
    const t = transportFor(server.url);
    const seen: string[] = [];
    t.onCall(() => {
      throw new Error('listener bug');
    });
    const off = t.onCall((info) => seen.push(info.endpoint));
    await expect(t.request(GET_USER)).resolves.toEqual({ id: '42' });
    off();
    await t.request(GET_USER);
    expect(seen).toEqual(['GET /{user_id}']);
  });
});
