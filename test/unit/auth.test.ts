/** Caller-auth building blocks: the AUTH_* settings, directive semantics, scope claims. */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type GraphQLObjectType } from 'graphql';
import { AUTH_DISABLED, anonymousCaller, checkAccess, tokenCaller, type Caller } from '../../src/auth/caller.js';
import { applyAuthorization, fieldRule, scopesDeclared } from '../../src/auth/directives.js';
import { createJwtVerifier, scopesOf, signHs256Token } from '../../src/auth/jwt.js';
import { ConfigError, loadConfig } from '../../src/config.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const LIVE = { HORIZON_APP_ID: '1234567898014273', HORIZON_APP_SECRET: 'emulator-demo-secret' };
const SECRET = 'a-long-enough-hs256-secret-0123456789abcdef';

describe('AUTH_* settings', () => {
  test('outside production with no settings: JWT mode with a generated demo secret', () => {
    expect(loadConfig({}).auth).toMatchObject({ mode: 'jwt', demo: true, jwksUrl: undefined, hs256Secret: undefined });
    expect(loadConfig(LIVE).auth).toMatchObject({ mode: 'jwt', demo: true });
  });

  test('a JWKS URL or a secret selects JWT mode with it; issuer, audiences, tolerance, router secret are read', () => {
    expect(
      loadConfig({
        AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
        AUTH_ISSUER: 'https://id.example.com/',
        AUTH_AUDIENCE: 'a, b',
        AUTH_CLOCK_TOLERANCE_SEC: '30',
      }).auth,
    ).toEqual({
      mode: 'jwt',
      demo: false,
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      hs256Secret: undefined,
      issuer: 'https://id.example.com/',
      audience: ['a', 'b'],
      clockToleranceSec: 30,
      routerSecret: undefined,
    });
    expect(loadConfig({ AUTH_HS256_SECRET: SECRET, ROUTER_SHARED_SECRET: 'router-secret-0123456789' }).auth).toMatchObject({
      mode: 'jwt',
      demo: false,
      hs256Secret: SECRET,
      routerSecret: 'router-secret-0123456789',
    });
  });

  test('production needs a key, or an explicit AUTH_MODE=none behind the router secret', () => {
    const prod = { NODE_ENV: 'production', ...LIVE };
    expect(problemsOf(prod)).toEqual([expect.stringMatching(/^AUTH_JWKS_URL or AUTH_HS256_SECRET is required when NODE_ENV=production/)]);
    expect(problemsOf({ ...prod, AUTH_MODE: 'none' })).toEqual([expect.stringMatching(/^AUTH_MODE=none in production requires ROUTER_SHARED_SECRET/)]);
    expect(loadConfig({ ...prod, AUTH_MODE: 'none', ROUTER_SHARED_SECRET: 'router-secret-0123456789' }).auth).toMatchObject({ mode: 'none', demo: false });
    expect(loadConfig({ ...prod, AUTH_HS256_SECRET: SECRET }).auth).toMatchObject({ mode: 'jwt', demo: false });
    expect(loadConfig({ ...prod, AUTH_JWKS_URL: 'https://id.example.com/jwks' }).auth.mode).toBe('jwt');
  });

  test('outside production, AUTH_MODE=none turns caller checks off', () => {
    expect(loadConfig({ AUTH_MODE: 'none' }).auth).toMatchObject({ mode: 'none', demo: false });
  });

  test('one clear message per bad value, and no secret is ever echoed', () => {
    const shortSecret = 'short-secret-value';
    const routerSecret = 'tiny rs';
    const problems = problemsOf({
      AUTH_MODE: 'maybe',
      AUTH_JWKS_URL: 'http://id.example.com/jwks',
      AUTH_HS256_SECRET: shortSecret,
      AUTH_CLOCK_TOLERANCE_SEC: 'lots',
      ROUTER_SHARED_SECRET: routerSecret,
    });
    for (const name of ['AUTH_MODE', 'AUTH_JWKS_URL must', 'AUTH_HS256_SECRET must', 'AUTH_CLOCK_TOLERANCE_SEC', 'ROUTER_SHARED_SECRET']) {
      expect(problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    }
    expect(problems.filter((p) => p.includes('both set'))).toHaveLength(1);
    const text = problems.join('\n');
    expect(text).not.toContain(shortSecret);
    expect(text).not.toContain(routerSecret);
  });

  test('a JWKS URL: https, or http on loopback only; credentials never echoed', () => {
    expect(problemsOf({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' })).toEqual([]);
    expect(problemsOf({ AUTH_JWKS_URL: 'http://localhost/jwks' })).toEqual([]);
    expect(problemsOf({ AUTH_JWKS_URL: 'not a url' })).toEqual([expect.stringContaining('AUTH_JWKS_URL must be an https:// URL')]);
    const withCredentials = problemsOf({ AUTH_JWKS_URL: 'https://user:hunter2-pass@id.example.com/jwks' });
    expect(withCredentials).toHaveLength(1);
    expect(withCredentials[0]).not.toContain('hunter2');
  });

  test('AUTH_MODE=none conflicts with keys, issuer and audience', () => {
    expect(problemsOf({ AUTH_MODE: 'none', AUTH_HS256_SECRET: SECRET, AUTH_ISSUER: 'x' })).toEqual([
      expect.stringContaining('AUTH_MODE=none conflicts'),
      expect.stringContaining('AUTH_ISSUER/AUTH_AUDIENCE have no effect'),
    ]);
  });
});

describe('directive semantics', () => {
  const SDL = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes"])
    type Thing @key(fields: "id") @requiresScopes(scopes: [["s:type"]]) {
      id: ID!
      secret: String @requiresScopes(scopes: [["s:secret"]])
      open: String
      either: String @requiresScopes(scopes: [["a", "b"], ["c"]])
      loggedIn: String @authenticated
    }
    type Plain { value: String }
    type Query { thing: Thing plain: Plain @requiresScopes(scopes: [["p"]]) }
  `;
  let resolved = 0;
  const schema = applyAuthorization(
    buildSubgraphSchema({
      typeDefs: parse(SDL),
      resolvers: {
        Query: { thing: () => ({ id: '1' }), plain: () => ({ value: 'v' }) },
        Thing: {
          __resolveReference: (ref: { id: string }) => {
            resolved++;
            return { ...ref };
          },
          secret: () => 'S',
          open: () => 'O',
          either: () => 'E',
          loggedIn: () => 'L',
        },
      } as any,
    }),
  );
  const thing = schema.getType('Thing') as GraphQLObjectType;

  test("a field's own directives, else its type's", () => {
    expect(fieldRule(thing, thing.getFields().either!)).toEqual({ authenticated: true, anyOf: [['a', 'b'], ['c']] });
    expect(fieldRule(thing, thing.getFields().loggedIn!)).toEqual({ authenticated: true });
    expect(fieldRule(thing, thing.getFields().secret!)).toEqual({ authenticated: true, anyOf: [['s:secret']] });
    expect(fieldRule(thing, thing.getFields().open!)).toEqual({ authenticated: true, anyOf: [['s:type']] });
    expect(scopesDeclared(parse(SDL))).toEqual(['a', 'b', 'c', 'p', 's:secret', 's:type']);
  });

  const run = (query: string, caller: Caller, variables?: Record<string, unknown>) =>
    execute({ schema, document: parse(query), contextValue: { caller }, variableValues: variables }) as Promise<any>;

  test('OR of ANDs: a+b or c', async () => {
    const q = '{ thing { either } }';
    const wants = async (scopes: string[]) => (await run(q, tokenCaller('t', [...scopes, 's:type']))).errors?.[0]?.extensions?.code;
    expect(await wants(['a', 'b'])).toBeUndefined();
    expect(await wants(['c'])).toBeUndefined();
    expect(await wants(['a'])).toBe('FORBIDDEN');
    expect(await wants([])).toBe('FORBIDDEN');
  });

  test('a refusal is that field alone; authentication off allows all; anonymous callers get the reason', async () => {
    const partial = await run('{ thing { open either } plain { value } }', tokenCaller('t', ['s:type']));
    expect(partial.data).toEqual({ thing: { open: 'O', either: null }, plain: null });
    expect(partial.errors.map((e: any) => e.path.join('.'))).toEqual(['thing.either', 'plain']);
    expect((await run('{ thing { open either loggedIn } plain { value } }', AUTH_DISABLED)).errors).toBeUndefined();
    const anonymous = await run('{ thing { loggedIn } }', anonymousCaller('CALLER_TOKEN_EXPIRED', 'expired'));
    expect(anonymous.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_EXPIRED' });
  });

  test('_entities: a type-level rule guards __resolveReference, one entity at a time', async () => {
    resolved = 0;
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { id } } }';
    const r = [
      { __typename: 'Thing', id: '1' },
      { __typename: 'Thing', id: '2' },
    ];
    const refused = await run(q, tokenCaller('t', ['a']), { r });
    expect(refused.data._entities).toEqual([null, null]);
    expect(refused.errors.map((e: any) => [e.path, e.extensions.code])).toEqual([
      [['_entities', 0], 'FORBIDDEN'],
      [['_entities', 1], 'FORBIDDEN'],
    ]);
    expect(resolved).toBe(0);
    const allowed = await run(q, tokenCaller('t', ['s:type']), { r });
    expect(allowed.data._entities).toEqual([{ id: '1' }, { id: '2' }]);
    expect(resolved).toBe(2);
  });

  test('applying twice wraps once', () => {
    const before = thing.getFields().open!.resolve;
    applyAuthorization(schema);
    expect(thing.getFields().open!.resolve).toBe(before);
  });

  test('checkAccess names the scopes needed', () => {
    const error = checkAccess({ authenticated: true, anyOf: [['x', 'y'], ['z']] }, tokenCaller(undefined, []), 'Query.f');
    expect(error?.message).toBe("Query.f needs the scope x + y or z; the caller's token does not grant it");
    expect(error?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE', requiredScopes: [['x', 'y'], ['z']] });
  });
});

test('scopes come from `scope` (string or array) and `scp` (array or string)', () => {
  expect(scopesOf({ scope: 'a  b' })).toEqual(['a', 'b']);
  expect(scopesOf({ scope: ['a'], scp: ['b', 'a'] })).toEqual(['a', 'b']);
  expect(scopesOf({ scp: 'c' })).toEqual(['c']);
  expect(scopesOf({ scope: 42 as unknown as string })).toEqual([]);
});

describe('verified caller tokens are remembered, not trusted forever', () => {
  const secret = 'unit-test-hs256-secret-of-at-least-32-characters';
  afterEach(() => jest.useRealTimers());

  test('the same token again gets the same caller; it is refused once it has expired', async () => {
    const verifier = createJwtVerifier({ hs256Secret: secret, clockToleranceSec: 0 });
    const token = await signHs256Token(secret, { subject: 'backend', scopes: ['horizon:read'], expiresIn: '2s' });
    const first = await verifier.authenticate(`Bearer ${token}`);
    expect(first).toMatchObject({ kind: 'token', subject: 'backend' });
    expect(await verifier.authenticate(`Bearer ${token}`)).toBe(first);
    // Only the clock moves (jose reads it with new Date()); timers and ticks stay real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    jest.setSystemTime(Date.now() + 5_000);
    expect(await verifier.authenticate(`Bearer ${token}`)).toMatchObject({ kind: 'anonymous', problem: 'CALLER_TOKEN_EXPIRED' });
  });

  test('a remembered token does not vouch for a different one', async () => {
    const verifier = createJwtVerifier({ hs256Secret: secret });
    const good = await signHs256Token(secret, { scopes: ['horizon:read'], expiresIn: '1h' });
    await verifier.authenticate(`Bearer ${good}`);
    const [header, payload] = good.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    expect(await verifier.authenticate(`Bearer ${forged}`)).toMatchObject({ kind: 'anonymous', problem: 'CALLER_TOKEN_INVALID' });
  });
});
