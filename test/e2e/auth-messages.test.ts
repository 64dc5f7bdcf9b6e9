/**
 * Every message a refused caller can read, verbatim, over HTTP: what the subgraph answers after
 * its error formatting and secret redaction (which once read "with the Bearer [REDACTED]"). One
 * test per refusal: no token, a header without the Bearer scheme, every way a JWT is refused
 * (expiry, nbf, issuer, audience, a missing or bad claim, algorithm, signature, unknown key, an
 * unreachable key set), a missing scope, an entity, and the router's shared secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { request } from 'undici';
import { demoUserId } from '../../src/emulator/index.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { bearer, TEST_AUDIENCE, TEST_HS256_SECRET, TEST_ISSUER, testAuth, token } from '../helpers/auth.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const USER_QUERY = `{ user(id: "${demoUserId(0)}") { displayName } }`;
const NEEDS_CALLER = ' (Query.user needs an authenticated caller)';

let h: Harness;
let subgraph: RunningSubgraph;
beforeAll(async () => {
  h = await startHarness();
  subgraph = await subgraphWith({});
});
afterAll(async () => {
  await subgraph?.stop();
  await h?.close();
});

async function subgraphWith(overrides: Parameters<typeof testAuth>[0]): Promise<RunningSubgraph> {
  return startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: h.horizon, logger: silentLogger, auth: await testAuth(overrides) },
    { port: 0, host: '127.0.0.1' },
  );
}

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.statusCode, body: (await response.body.json()) as any };
}

/** The one error of an operation, as the caller reads it. */
async function refusal(headers: Record<string, string>, query = USER_QUERY, url = subgraph.url) {
  const { status, body } = await post(url, query, headers);
  expect(status).toBe(200);
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors;
  return { message: error.message as string, code: error.extensions.code as string, reason: error.extensions.reason as string | undefined };
}

/** A caller JWT with the given claims and algorithm, signed with the test secret unless told. */
async function signed(claims: JWTPayload, options: { alg?: string; secret?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'horizon:read', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now - 60, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? TEST_HS256_SECRET));
}

test('no Authorization header', async () => {
  expect(await refusal({})).toEqual({
    message: `No caller token: send the caller's JWT in the Authorization header, with the Bearer scheme${NEEDS_CALLER}`,
    code: 'UNAUTHENTICATED',
    reason: 'CALLER_TOKEN_MISSING',
  });
});

test('an Authorization header without the Bearer scheme', async () => {
  expect(await refusal({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({
    message: `The Authorization header does not hold a caller JWT with the Bearer scheme${NEEDS_CALLER}`,
    code: 'UNAUTHENTICATED',
    reason: 'CALLER_TOKEN_INVALID',
  });
});

test.each([
  ['expired', () => token({ expiresInSec: -60 }), "The caller's token has expired", 'CALLER_TOKEN_EXPIRED'],
  ['not valid yet', () => signed({ nbf: Math.floor(Date.now() / 1000) + 3600 }), "The caller's token is not valid yet (nbf)", 'CALLER_TOKEN_EXPIRED'],
  [
    'another issuer',
    () => token({ issuer: 'https://elsewhere.example/' }),
    "The caller's token was refused: its issuer is not accepted",
    'CALLER_TOKEN_INVALID',
  ],
  ['another audience', () => token({ audience: 'another-api' }), "The caller's token was refused: its audience is not accepted", 'CALLER_TOKEN_INVALID'],
  ['no exp', () => signed({ exp: undefined }), 'The caller\'s token was refused: its "exp" claim is missing', 'CALLER_TOKEN_INVALID'],
  [
    'an exp that is no number',
    () => signed({ exp: 'tomorrow' as unknown as number }),
    'The caller\'s token was refused: its "exp" claim is not accepted',
    'CALLER_TOKEN_INVALID',
  ],
  ['another algorithm', () => signed({}, { alg: 'HS512' }), "The caller's token was refused: its algorithm is not accepted", 'CALLER_TOKEN_INVALID'],
  [
    'another secret',
    () => token({ secret: 'not-the-secret-of-this-subgraph-0123456789' }),
    "The caller's token was refused: malformed or bad signature",
    'CALLER_TOKEN_INVALID',
  ],
  ['not a JWT', async () => 'abc.def.ghi', "The caller's token was refused: malformed or bad signature", 'CALLER_TOKEN_INVALID'],
])('a token that is %s', async (_, make, message, reason) => {
  expect(await refusal(bearer(await make()))).toEqual({ message: `${message}${NEEDS_CALLER}`, code: 'UNAUTHENTICATED', reason });
});

test('a token signed by a key the JWKS does not hold, and a JWKS that cannot be fetched', async () => {
  const known = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(known.publicKey)), kid: 'known', alg: 'ES256', use: 'sig' };
  let up = true;
  const jwks: Server = createServer((_req, res) => {
    if (up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  const sign = (key: CryptoKey, kid: string) =>
    new SignJWT({ scope: 'horizon:read' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setExpirationTime('10m')
      .sign(key);
  const withJwks = await subgraphWith({ jwksUrl, hs256Secret: undefined });
  try {
    expect(await refusal(bearer(await sign(stranger.privateKey, 'stranger')), USER_QUERY, withJwks.url)).toEqual({
      message: `The caller's token was refused: it is not signed by a known key${NEEDS_CALLER}`,
      code: 'UNAUTHENTICATED',
      reason: 'CALLER_TOKEN_INVALID',
    });
    up = false;
    // A fresh subgraph, so no key set is cached from the first request.
    const cold = await subgraphWith({ jwksUrl, hs256Secret: undefined });
    try {
      expect(await refusal(bearer(await sign(known.privateKey, 'known')), USER_QUERY, cold.url)).toEqual({
        message: `The caller's token cannot be verified right now (the key set is unavailable); retry later${NEEDS_CALLER}`,
        code: 'UNAUTHENTICATED',
        reason: 'CALLER_TOKEN_UNVERIFIABLE',
      });
    } finally {
      await cold.stop();
    }
  } finally {
    await withJwks.stop();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  }
});

test('a token without the scope a field needs: one scope, and any one of several', async () => {
  const noRead = bearer(await token({ scopes: ['horizon:consume'] }));
  expect(await refusal(noRead)).toEqual({
    message: "Query.user needs the scope horizon:read; the caller's token does not grant it",
    code: 'FORBIDDEN',
    reason: 'MISSING_SCOPE',
  });
  const readOnly = bearer(await token({ scopes: ['horizon:read'] }));
  expect(await refusal(readOnly, `mutation { validateUserNonce(userId: "${demoUserId(0)}", nonce: "n") { valid } }`)).toEqual({
    message:
      "Mutation.validateUserNonce needs the scope horizon:write:achievements or horizon:write:leaderboards or horizon:consume or horizon:admin; the caller's token does not grant it",
    code: 'FORBIDDEN',
    reason: 'MISSING_SCOPE',
  });
});

test('an entity reached through _entities without a caller', async () => {
  const query = `{ _entities(representations: [{ __typename: "User", id: "${demoUserId(0)}" }]) { ... on User { id } } }`;
  expect(await refusal({}, query)).toEqual({
    message: "No caller token: send the caller's JWT in the Authorization header, with the Bearer scheme (User (entity) needs an authenticated caller)",
    code: 'UNAUTHENTICATED',
    reason: 'CALLER_TOKEN_MISSING',
  });
});

test("the router's shared secret: missing, then wrong", async () => {
  const onlyRouter = await subgraphWith({ routerSecret: 'messages-test-router-secret-7Kq' });
  try {
    const caller = bearer(await token());
    expect(await post(onlyRouter.url, USER_QUERY, caller)).toEqual({
      status: 401,
      body: {
        errors: [
          {
            message: 'Only the router may call this subgraph: the x-router-secret header is missing',
            extensions: { code: 'UNAUTHENTICATED', reason: 'ROUTER_SECRET_MISSING' },
          },
        ],
      },
    });
    expect(await post(onlyRouter.url, USER_QUERY, { ...caller, 'x-router-secret': 'not-it' })).toEqual({
      status: 403,
      body: {
        errors: [
          {
            message: 'Only the router may call this subgraph: the x-router-secret header is wrong',
            extensions: { code: 'FORBIDDEN', reason: 'ROUTER_SECRET_INVALID' },
          },
        ],
      },
    });
  } finally {
    await onlyRouter.stop();
  }
});
