/**
 * Caller authentication end to end over HTTP: keys from a JWKS served on loopback, issuer
 * and audience checks, the router shared secret, the demo token `npm start` prints, the
 * gateway forwarding the caller's JWT, and that no secret or token ever shows up in a
 * response or a log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { callerAuthBanner } from '../../src/auth/banner.js';
import { constantTimeEqual } from '../../src/lib/compare.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { ALL_SCOPES, bearer, TEST_AUDIENCE, TEST_HS256_SECRET, TEST_ISSUER, testAuth, token } from '../helpers/auth.js';
import { startFederatedStack } from '../helpers/federation.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';
import type { Logger } from '../../src/logger.js';

const USER_QUERY = `{ user(id: "${demoUserId(0)}") { displayName } }`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

async function subgraphWith(overrides: Parameters<typeof testAuth>[0], logger: Logger = silentLogger): Promise<RunningSubgraph> {
  const subgraph = await startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: h.horizon, logger, auth: await testAuth(overrides, logger) },
    { port: 0, host: '127.0.0.1' },
  );
  running.push(subgraph);
  return subgraph;
}

async function post(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, body: JSON.parse(text) as any };
}

/** A JWKS on loopback, as an identity provider serves it. */
async function serveJwks(keys: JWK[]): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('keys from a JWKS URL', () => {
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let signingKey: CryptoKey;
  let otherKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    jwks = await serveJwks([{ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }]);
  });
  afterAll(async () => {
    await jwks?.close();
  });

  const es256 = (key: CryptoKey, options: { kid?: string; exp?: number; scope?: string } = {}) =>
    new SignJWT({ scope: options.scope ?? ALL_SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'key-1' })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('jwks-caller')
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key);

  test('a token signed by a key in the set is accepted; the set is fetched once and cached', async () => {
    const subgraph = await subgraphWith({ hs256Secret: undefined, jwksUrl: jwks.url });
    const before = jwks.hits();
    for (let i = 0; i < 3; i++) {
      const { body } = await post(subgraph.url, USER_QUERY, bearer(await es256(signingKey)));
      expect(body.errors).toBeUndefined();
      expect(body.data.user.displayName).toBe('Nova Rider');
    }
    expect(jwks.hits() - before).toBe(1);
  });

  test('refused: another key under the same kid, an unknown kid, an HS256 token, an expired token', async () => {
    const subgraph = await subgraphWith({ hs256Secret: undefined, jwksUrl: jwks.url });
    const cases: Array<[string, string]> = [
      [await es256(otherKey), 'CALLER_TOKEN_INVALID'],
      [await es256(otherKey, { kid: 'unknown-kid' }), 'CALLER_TOKEN_INVALID'],
      // Algorithm confusion: an HMAC token must never be checked against a public key.
      [await token(), 'CALLER_TOKEN_INVALID'],
      [await es256(signingKey, { exp: Math.floor(Date.now() / 1000) - 60 }), 'CALLER_TOKEN_EXPIRED'],
    ];
    for (const [jwt, reason] of cases) {
      const { body, text } = await post(subgraph.url, USER_QUERY, bearer(jwt));
      expect(body.data.user).toBeNull();
      expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
      expect(text).not.toContain(jwt);
    }
  });

  test('scopes still decide: a JWKS token with horizon:read only cannot consume', async () => {
    const subgraph = await subgraphWith({ hs256Secret: undefined, jwksUrl: jwks.url });
    h.resetUpstream();
    const { body } = await post(
      subgraph.url,
      `mutation { consumePurchase(userId: "${demoUserId(1)}", sku: "gems_100") { consumed } }`,
      bearer(await es256(signingKey, { scope: 'horizon:read' })),
    );
    expect(body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE' });
    expect(h.upstream()).toEqual([]);
  });

  test('an unreachable JWKS: UNAUTHENTICATED with CALLER_TOKEN_UNVERIFIABLE, and a warning in the log', async () => {
    const closed = await serveJwks([]);
    const deadUrl = closed.url;
    await closed.close();
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const subgraph = await subgraphWith({ hs256Secret: undefined, jwksUrl: deadUrl }, logger);
    const { body } = await post(subgraph.url, USER_QUERY, bearer(await es256(signingKey)));
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_UNVERIFIABLE' });
    expect(lines.some((l) => l.includes('the JWKS is unavailable'))).toBe(true);
  });
});

describe('issuer and audience', () => {
  test.each([
    ['wrong issuer', { issuer: 'https://evil.example/' }, /issuer/],
    ['no issuer', { issuer: null }, /"iss" claim is missing|issuer/],
    ['wrong audience', { audience: 'another-service' }, /audience/],
    ['no audience', { audience: null }, /"aud" claim is missing|audience/],
  ] as const)('%s: UNAUTHENTICATED (CALLER_TOKEN_INVALID) saying which claim', async (_name, claims, message) => {
    const subgraph = await subgraphWith({});
    const { body } = await post(subgraph.url, USER_QUERY, bearer(await token(claims)));
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_INVALID' });
    expect(body.errors[0].message).toMatch(message);
  });

  test('any of several configured audiences is accepted; without issuer/audience config, none is checked', async () => {
    const several = await subgraphWith({ audience: ['first', TEST_AUDIENCE] });
    expect((await post(several.url, USER_QUERY, bearer(await token()))).body.errors).toBeUndefined();
    const unchecked = await subgraphWith({ issuer: undefined, audience: [] });
    expect((await post(unchecked.url, USER_QUERY, bearer(await token({ issuer: 'https://anyone/', audience: 'anything' })))).body.errors).toBeUndefined();
  });
});

describe('the router shared secret', () => {
  const ROUTER_SECRET = 'router-shared-secret-for-tests-0123456789';

  test('missing: 401, wrong: 403, GraphQL-shaped, before Apollo runs; right: the operation runs', async () => {
    const subgraph = await subgraphWith({ routerSecret: ROUTER_SECRET });
    const jwt = await token();
    h.resetUpstream();
    const missing = await post(subgraph.url, USER_QUERY, bearer(jwt));
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      errors: [{ message: expect.stringContaining('x-router-secret'), extensions: { code: 'UNAUTHENTICATED', reason: 'ROUTER_SECRET_MISSING' } }],
    });
    const wrong = await post(subgraph.url, USER_QUERY, { ...bearer(jwt), 'x-router-secret': `${ROUTER_SECRET}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'ROUTER_SECRET_INVALID' });
    expect(wrong.text).not.toContain(ROUTER_SECRET);
    expect(h.upstream()).toEqual([]);
    const right = await post(subgraph.url, USER_QUERY, { ...bearer(jwt), 'x-router-secret': ROUTER_SECRET });
    expect(right.status).toBe(200);
    expect(right.body.data.user.displayName).toBe('Nova Rider');
  });

  test('_entities cannot be reached around the router; the right secret still needs a caller token', async () => {
    const subgraph = await subgraphWith({ routerSecret: ROUTER_SECRET });
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName } } }';
    const variables = { r: [{ __typename: 'User', id: demoUserId(0) }] };
    expect((await post(subgraph.url, entities, bearer(await token()), variables)).status).toBe(401);
    const noCaller = await post(subgraph.url, entities, { 'x-router-secret': ROUTER_SECRET }, variables);
    expect(noCaller.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_MISSING' });
  });

  test('health endpoints stay open', async () => {
    const subgraph = await subgraphWith({ routerSecret: ROUTER_SECRET });
    const health = await request(`${subgraph.url}health`);
    const text = await health.body.text();
    expect([401, 403]).not.toContain(health.statusCode);
    expect(text).not.toContain('ROUTER_SECRET');
  });

  test('compared in constant time over digests (any length)', () => {
    expect(constantTimeEqual(ROUTER_SECRET, ROUTER_SECRET)).toBe(true);
    expect(constantTimeEqual(ROUTER_SECRET, `${ROUTER_SECRET}x`)).toBe(false);
    expect(constantTimeEqual(ROUTER_SECRET, '')).toBe(false);
  });
});

describe('no secret or token in any response or log line', () => {
  test('across accepted and refused calls', async () => {
    const ROUTER_SECRET = 'another-router-secret-0123456789abcdef';
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const subgraph = await subgraphWith({ routerSecret: ROUTER_SECRET }, logger);
    const tokens = [
      await token(),
      await token({ expiresInSec: -60 }),
      await token({ secret: 'wrong-secret-wrong-secret-wrong-secret-0000' }),
      await token({ scopes: ['horizon:read'] }),
      await token({ issuer: 'https://evil.example/' }),
    ];
    const texts: string[] = [];
    for (const jwt of tokens) {
      for (const routerSecret of [ROUTER_SECRET, 'wrong-router-secret-value-000000000']) {
        const headers = { ...bearer(jwt), 'x-router-secret': routerSecret };
        texts.push((await post(subgraph.url, `{ user(id: "${demoUserId(0)}") { displayName ownsApp } }`, headers)).text);
        texts.push(
          (await post(subgraph.url, `mutation { refundPurchase(userId: "${demoUserId(2)}", sku: "nope", reason: OTHER) { refunded } }`, headers)).text,
        );
      }
    }
    const everything = [...texts, ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [TEST_HS256_SECRET, ROUTER_SECRET, 'wrong-router-secret-value-000000000', ...tokens]) expect(everything).not.toContain(secret);
    // And no JWT-looking string at all.
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.eyJ/);
  });
});

describe('through the gateway', () => {
  test("the caller's JWT is forwarded; without one, or without the scope, the subgraph refuses that field", async () => {
    const stack = await startFederatedStack();
    try {
      const ok = await stack.query(USER_QUERY);
      expect(ok.body.data.user.displayName).toBe('Nova Rider');
      const anonymous = await stack.query(`{ games { title } ${USER_QUERY.slice(1, -1)} }`, undefined, { authorization: '' });
      expect(anonymous.body.data.games).toHaveLength(2);
      expect(anonymous.body.data.user).toBeNull();
      expect(anonymous.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_MISSING' });
      stack.emulator.clearRequests();
      const readOnly = await stack.query(
        `mutation { unlockAchievement(userId: "${demoUserId(12)}", apiName: "FIRST_STEPS") { justUnlocked } }`,
        undefined,
        bearer(await token({ scopes: ['horizon:read'] })),
      );
      expect(readOnly.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE' });
      expect(stack.emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});

describe('npm start: the demo token', () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  test('without auth settings a random secret is generated and a token with every scope is handed out; it is needed', async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
    expect(app.devToken).toBeDefined();
    const claims = decodeJwt(app.devToken!);
    expect(String(claims.scope).split(' ').sort()).toEqual(ALL_SCOPES);
    expect(claims.sub).toBe('demo-developer');
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    const withToken = await post(app.subgraph.url, USER_QUERY, bearer(app.devToken!));
    expect(withToken.body.data.user.displayName).toBe('Nova Rider');
    const without = await post(app.subgraph.url, USER_QUERY);
    expect(without.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_MISSING' });
    // The secret is not guessable: a token of our own test secret is refused.
    const forged = await post(app.subgraph.url, USER_QUERY, bearer(await token({ issuer: null, audience: null })));
    expect(forged.body.errors[0].extensions.reason).toBe('CALLER_TOKEN_INVALID');
    const banner = callerAuthBanner(app.subgraph.url, { devToken: app.devToken, auth: { mode: 'jwt', jwksUrl: undefined, routerSecret: undefined } });
    expect(banner).toContain('DEMO TOKEN');
    expect(banner).toContain(app.devToken);
    expect(banner).toContain('authorization: Bearer $TOKEN');
  });

  test('each start has its own secret: an earlier demo token no longer works', async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
    const first = app.devToken!;
    await app.stop();
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
    const { body } = await post(app.subgraph.url, USER_QUERY, bearer(first));
    expect(body.errors[0].extensions.reason).toBe('CALLER_TOKEN_INVALID');
  });

  test('AUTH_MODE=none outside production: no token printed, nothing checked', async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', AUTH_MODE: 'none' }), silentLogger);
    expect(app.devToken).toBeUndefined();
    const { body } = await post(app.subgraph.url, `{ user(id: "${demoUserId(0)}") { displayName ownsApp } }`);
    expect(body.errors).toBeUndefined();
  });

  test('AUTH_HS256_SECRET: no demo token; tokens of that secret work', async () => {
    app = await startApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        EMULATOR_PORT: '0',
        AUTH_HS256_SECRET: TEST_HS256_SECRET,
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
      }),
      silentLogger,
    );
    expect(app.devToken).toBeUndefined();
    expect((await post(app.subgraph.url, USER_QUERY, bearer(await token()))).body.data.user.displayName).toBe('Nova Rider');
  });
});
