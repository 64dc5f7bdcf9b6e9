/**
 * Who may do what, over HTTP with real JWTs signed by jose: the authorization matrix is
 * generated from the schema's own @authenticated/@requiresScopes, so every mutation and every
 * guarded field (a new one too) is tried with no token, a token with a bad signature, an
 * expired token, a token with every scope but the right ones, and the right scope alone. A
 * refusal is that field's error only, and nothing is written upstream when it is refused.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { request } from 'undici';
import { fieldRule, guardedFields, ruleOf, type GuardedField } from '../../src/auth/directives.js';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { ALL_SCOPES, bearer, testAuth, token } from '../helpers/auth.js';
import { ROUTES, silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const schema: GraphQLSchema = buildSchema();
const GUARDED = guardedFields(schema);
const ENTITY_TYPES = new Set(
  Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && (t.astNode?.directives ?? []).some((d) => d.name.value === 'key'))
    .map((t) => t.name),
);

let h: Harness;
let subgraph: RunningSubgraph;
/** A real leaderboard entry, so `_entities` for LeaderboardEntry finds one. */
let entryId: string;

beforeAll(async () => {
  h = await startHarness();
  subgraph = await startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: h.horizon, logger: silentLogger, auth: await testAuth() },
    { port: 0, host: '127.0.0.1' },
  );
  const { body } = await post('{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 1) { nodes { id } } } }', {}, bearer(await token()));
  entryId = body.data.leaderboard.entries.nodes[0].id;
});
afterAll(async () => {
  await subgraph?.stop();
  await h?.close();
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<{ status: number; body: any; text: string }> {
  const response = await request(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-horizon-user-token': demoUserToken(0), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text), text };
}

// ---- Operations generated from the schema -------------------------------------------------

/** Argument values that make sense here; destructive admin writes aim at things that do not exist. */
const SAMPLE_BY_COORDINATE: Record<string, unknown> = {
  'Query.leaderboard.apiName': 'HIGH_SCORES',
  'Query.user.id': demoUserId(0),
  'Query.moderatedRoom.id': '999999999',
  'Mutation.deleteLeaderboard.apiName': 'NO_SUCH_BOARD',
  'Mutation.removeAllLeaderboardEntries.leaderboard': 'NO_SUCH_BOARD',
  'Mutation.deleteLeaderboardEntry.id': '999999999',
  'Mutation.resetAchievements.userId': demoUserId(30),
  'Mutation.deleteModeratedRoom.roomId': '999999999',
  'Mutation.updateModeratedRoomDataStore.roomId': '999999999',
  'Mutation.addAchievementCount.apiName': 'COLLECT_100_GEMS',
  'Mutation.addAchievementBits.apiName': 'VISIT_3_CONTINENTS',
  'Mutation.addAchievementBits.bits': '1000000',
  'Mutation.upsertAchievementDefinition.input': { apiName: 'AUTHZ_MATRIX', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE' },
  'Mutation.upsertLeaderboard.input': { apiName: 'AUTHZ_MATRIX' },
  // A device the emulator has no record of: an allowed ban is Horizon's NOT_FOUND, nothing banned.
  'Mutation.banDevice.deviceId': 'f'.repeat(64),
  'Mutation.verifyAttestation.token': 'bm90LWEtcmVhbC10b2tlbg.c2lnbmF0dXJl',
};
const SAMPLE_BY_NAME: Record<string, unknown> = {
  userId: demoUserId(5),
  apiName: 'FIRST_STEPS',
  leaderboard: 'HIGH_SCORES',
  sku: 'gems_100',
  nonce: 'not-a-real-nonce',
  count: 1,
  days: 1,
  maxUsers: 4,
  score: '1000',
  entries: [{ key: 'k', value: 'v' }],
  persistentId: 'authz:matrix',
  displayName: 'Authz Player',
  code: 'never-issued-sso-code',
  refreshCode: 'never-issued-refresh-code',
};

function sample(coordinate: string, arg: { name: string; type: GraphQLInputType }): unknown {
  if (`${coordinate}.${arg.name}` in SAMPLE_BY_COORDINATE) return SAMPLE_BY_COORDINATE[`${coordinate}.${arg.name}`];
  if (arg.name in SAMPLE_BY_NAME) return SAMPLE_BY_NAME[arg.name];
  return sampleOfType(arg.type);
}

function sampleOfType(type: GraphQLInputType): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [sampleOfType(inner.ofType)];
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isInputObjectType(inner)) {
    return Object.fromEntries(
      Object.values(inner.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, sampleOfType(f.type)]),
    );
  }
  switch (inner.name) {
    case 'Int':
      return 1;
    case 'Boolean':
      return false;
    case 'Long':
      return '1';
    case 'ID':
      return demoUserId(6);
    default:
      return 'x';
  }
}

interface Operation {
  query: string;
  variables: Record<string, unknown>;
  /** Where a refusal of this field is reported. */
  path: Array<string | number>;
  /** For fields reached through `_entities`: the entity's own path (the reference guard answers there). */
  entityPath?: Array<string | number>;
  write: boolean;
}

const REPRESENTATIONS: Record<string, () => Record<string, unknown>> = {
  User: () => ({ __typename: 'User', id: demoUserId(0) }),
  AchievementDefinition: () => ({ __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' }),
  Leaderboard: () => ({ __typename: 'Leaderboard', apiName: 'HIGH_SCORES' }),
  LeaderboardEntry: () => ({ __typename: 'LeaderboardEntry', id: entryId }),
};

function operationFor(g: GuardedField): Operation {
  const type = schema.getType(g.typeName) as GraphQLObjectType;
  const field = type.getFields()[g.fieldName]!;
  const variables: Record<string, unknown> = {};
  const required = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined);
  const defs = required.map((a) => `$${a.name}: ${a.type.toString()}`);
  for (const a of required) variables[a.name] = sample(g.coordinate, a);
  const args = required.length ? `(${required.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const call = `${g.fieldName}${args}${selection}`;
  if (g.typeName === 'Query' || g.typeName === 'Mutation') {
    const kind = g.typeName === 'Query' ? 'query' : 'mutation';
    return { query: `${kind}${defs.length ? `(${defs.join(', ')})` : ''} { ${call} }`, variables, path: [g.fieldName], write: kind === 'mutation' };
  }
  if (ENTITY_TYPES.has(g.typeName)) {
    const representation = REPRESENTATIONS[g.typeName];
    if (!representation) throw new Error(`authz matrix: add a representation of entity ${g.typeName}`);
    variables.representations = [representation()];
    const allDefs = ['$representations: [_Any!]!', ...defs];
    return {
      query: `query(${allDefs.join(', ')}) { _entities(representations: $representations) { ... on ${g.typeName} { ${call} } } }`,
      variables,
      path: ['_entities', 0, g.fieldName],
      entityPath: ['_entities', 0],
      write: false,
    };
  }
  throw new Error(`authz matrix: ${g.coordinate} is guarded but reachable only through other fields; add a path for it here`);
}

const samePath = (a: ReadonlyArray<unknown> | undefined, b: ReadonlyArray<unknown>) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

/** The refusal of this operation's field: on its own path, or (through _entities) on the entity's. */
function refusalOf(body: any, op: Operation): any {
  return (body.errors ?? []).find((e: any) => samePath(e.path, op.path) || (op.entityPath && samePath(e.path, op.entityPath)));
}

function authErrors(body: any): any[] {
  return (body.errors ?? []).filter(
    (e: any) =>
      (e.extensions?.code === 'FORBIDDEN' && e.extensions?.reason === 'MISSING_SCOPE') || String(e.extensions?.reason ?? '').startsWith('CALLER_TOKEN_'),
  );
}

function allowedScopesOf(g: GuardedField): string[] {
  return [...new Set((g.rule.anyOf ?? []).flat())];
}

/** Every scope that does not satisfy the rule on its own (all scopes but those the rule names). */
function wrongScopesOf(g: GuardedField): string[] {
  const named = new Set(allowedScopesOf(g));
  return ALL_SCOPES.filter((s) => !named.has(s));
}

// ---- The matrix -------------------------------------------------------------------------

const CASES: Array<[string, GuardedField]> = GUARDED.map((g) => [g.coordinate, g]);

test('the matrix covers every mutation and every guarded field', () => {
  const mutations = Object.keys((schema.getMutationType() as GraphQLObjectType).getFields());
  expect(mutations.length).toBeGreaterThan(15);
  for (const m of mutations) expect(CASES.map(([c]) => c)).toContain(`Mutation.${m}`);
  expect(CASES.length).toBeGreaterThan(60);
});

describe.each(CASES)('%s', (_coordinate, g) => {
  let op: Operation;
  beforeAll(() => {
    op = operationFor(g);
  });
  beforeEach(() => h.resetUpstream());

  async function expectRefused(jwt: string | undefined, code: 'UNAUTHENTICATED' | 'FORBIDDEN', reason: string) {
    const { body, text } = await post(op.query, op.variables, jwt === undefined ? {} : bearer(jwt));
    const refusal = refusalOf(body, op);
    expect(refusal).toBeDefined();
    expect(refusal.extensions).toMatchObject({ code, reason });
    // The field (or the entity) is null; the response never repeats the token.
    if (body.data) expect(op.path.reduce((node: any, key) => (node == null ? node : node[key]), body.data) ?? null).toBeNull();
    if (jwt) expect(text).not.toContain(jwt);
    // Nothing was written upstream; a refused root field made no upstream call at all.
    expect(h.upstream().filter((r) => r.method !== 'GET')).toEqual([]);
    if (!op.entityPath || code === 'UNAUTHENTICATED') expect(h.upstream()).toEqual([]);
  }

  test('no token: UNAUTHENTICATED (CALLER_TOKEN_MISSING)', async () => {
    await expectRefused(undefined, 'UNAUTHENTICATED', 'CALLER_TOKEN_MISSING');
  });

  test('bad signature: UNAUTHENTICATED (CALLER_TOKEN_INVALID)', async () => {
    await expectRefused(await token({ secret: 'another-secret-entirely-0123456789abcdefgh' }), 'UNAUTHENTICATED', 'CALLER_TOKEN_INVALID');
  });

  test('expired: UNAUTHENTICATED (CALLER_TOKEN_EXPIRED)', async () => {
    await expectRefused(await token({ expiresInSec: -60 }), 'UNAUTHENTICATED', 'CALLER_TOKEN_EXPIRED');
  });

  test('every other scope: FORBIDDEN (MISSING_SCOPE), or allowed when any authenticated caller may', async () => {
    const jwt = await token({ scopes: wrongScopesOf(g) });
    if (g.rule.anyOf) {
      await expectRefused(jwt, 'FORBIDDEN', 'MISSING_SCOPE');
    } else {
      const { body } = await post(op.query, op.variables, bearer(jwt));
      expect(authErrors(body)).toEqual([]);
    }
  });

  test('the right scope alone: allowed', async () => {
    const { body } = await post(op.query, op.variables, bearer(await token({ scopes: g.rule.anyOf?.[0] ? [...g.rule.anyOf[0]] : [] })));
    expect(authErrors(body)).toEqual([]);
  });
});

// ---- Explicit expectations -----------------------------------------------------------------

describe('the scope model', () => {
  const rule = (coordinate: string) => GUARDED.find((g) => g.coordinate === coordinate)?.rule;

  test('the schema declares exactly these scopes', () => {
    expect(ALL_SCOPES).toEqual([
      'horizon:admin',
      'horizon:attest',
      'horizon:consume',
      'horizon:federated-user-tokens',
      'horizon:link-accounts',
      'horizon:read',
      'horizon:read:federated-users',
      'horizon:read:purchases',
      'horizon:write:achievements',
      'horizon:write:federated-users',
      'horizon:write:leaderboards',
    ]);
  });

  test.each([
    ['Query.user', [['horizon:read']]],
    ['User.displayName', [['horizon:read']]],
    ['Query.products', [['horizon:read']]],
    ['User.purchases', [['horizon:read:purchases']]],
    ['User.subscriptions', [['horizon:read:purchases']]],
    ['Mutation.unlockAchievement', [['horizon:write:achievements']]],
    ['Mutation.submitLeaderboardScore', [['horizon:write:leaderboards']]],
    ['Mutation.consumePurchase', [['horizon:consume']]],
    ['Mutation.refundPurchase', [['horizon:admin']]],
    ['Mutation.deleteLeaderboard', [['horizon:admin']]],
    // Credentials only under their dedicated scopes: no other scope (horizon:admin included) returns one.
    ['Mutation.linkAccount', [['horizon:link-accounts']]],
    ['Mutation.refreshLinkedAccount', [['horizon:link-accounts']]],
    ['Mutation.createFederatedUserAccessToken', [['horizon:federated-user-tokens']]],
    ['Query.federatedUsers', [['horizon:read:federated-users']]],
    ['Mutation.createFederatedUser', [['horizon:write:federated-users']]],
    ['Mutation.setAchievementImages', [['horizon:admin']]],
    ['Mutation.validateUserNonce', [['horizon:write:achievements'], ['horizon:write:leaderboards'], ['horizon:consume'], ['horizon:admin']]],
    ['Mutation.issueAttestationChallenge', [['horizon:attest'], ['horizon:admin']]],
    ['Mutation.verifyAttestation', [['horizon:attest'], ['horizon:admin']]],
    ['Mutation.banDevice', [['horizon:admin']]],
    ['Mutation.liftDeviceBan', [['horizon:admin']]],
    ['Query.deviceBan', [['horizon:admin']]],
  ])('%s needs %j', (coordinate, anyOf) => {
    expect(rule(coordinate)).toEqual({ authenticated: true, anyOf });
  });

  test('key fields need an authenticated caller and nothing more (inherited from the entity type)', () => {
    for (const coordinate of ['User.id', 'AchievementDefinition.apiName', 'Leaderboard.apiName', 'LeaderboardEntry.id']) {
      expect(GUARDED.find((g) => g.coordinate === coordinate)).toMatchObject({ own: false, rule: { authenticated: true } });
      expect(rule(coordinate)?.anyOf).toBeUndefined();
    }
  });

  test('nothing is open by accident: every root field has its own rule; every entity type has one, and so does each of its non-key fields', () => {
    const open: string[] = [];
    for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
      for (const field of Object.values(root.getFields())) {
        if (field.name === '_entities' || field.name === '_service') continue;
        if (!ruleOf(field.astNode?.directives)) open.push(`${root.name}.${field.name}`);
      }
    }
    for (const name of ENTITY_TYPES) {
      const type = schema.getType(name) as GraphQLObjectType;
      const keyDirective = (type.astNode?.directives ?? []).find((d) => d.name.value === 'key')!;
      const keyFields = String((keyDirective.arguments![0]!.value as { value: string }).value).split(/\s+/);
      if (!ruleOf(type.astNode?.directives, ...type.extensionASTNodes.map((n) => n.directives))) open.push(`type ${name}`);
      for (const field of Object.values(type.getFields())) {
        if (keyFields.includes(field.name)) continue;
        if (!ruleOf(field.astNode?.directives)?.anyOf) open.push(`${name}.${field.name}`);
      }
    }
    expect(open).toEqual([]);
  });

  test("a field's own rule wins over its type's", () => {
    const user = schema.getType('User') as GraphQLObjectType;
    expect(fieldRule(user, user.getFields().purchases!)).toEqual({ authenticated: true, anyOf: [['horizon:read:purchases']] });
    expect(fieldRule(user, user.getFields().id!)).toEqual({ authenticated: true });
  });
});

describe('refusals are per field; the rest of the operation resolves', () => {
  beforeEach(() => h.resetUpstream());

  test('a read-only caller gets profiles and the catalog, not purchases', async () => {
    const { body } = await post(
      `{ me: user(id: "${demoUserId(0)}") { displayName } theirs: user(id: "${demoUserId(0)}") { purchases(first: 1) { nodes { sku } } } products { sku } }`,
      {},
      bearer(await token({ scopes: ['horizon:read'] })),
    );
    expect(body.data.me.displayName).toBe('Nova Rider');
    expect(body.data.products.length).toBeGreaterThan(0);
    // Only the refused field is null: the player it hangs off still resolves.
    expect(body.data.theirs).toEqual({ purchases: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      path: ['theirs', 'purchases'],
      extensions: { code: 'FORBIDDEN', reason: 'MISSING_SCOPE', requiredScopes: [['horizon:read:purchases']] },
    });
    expect(h.upstream(ROUTES.viewerPurchases)).toEqual([]);
  });

  test('a mutation refused for lack of scope writes nothing; the same caller with horizon:consume consumes', async () => {
    const player = demoUserId(0);
    const consume = `mutation { consumePurchase(userId: "${player}", sku: "gems_100") { consumed status } }`;
    const owned = async () =>
      (await post(`{ user(id: "${player}") { entitlement(sku: "gems_100") { owned } } }`, {}, bearer(await token()))).body.data.user.entitlement.owned;
    expect(await owned()).toBe(true);
    h.resetUpstream();
    const refused = await post(
      consume,
      {},
      bearer(await token({ scopes: ['horizon:read', 'horizon:read:purchases', 'horizon:write:achievements', 'horizon:write:leaderboards', 'horizon:admin'] })),
    );
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE' });
    expect(h.upstream()).toEqual([]);
    expect(await owned()).toBe(true);
    const done = await post(consume, {}, bearer(await token({ scopes: ['horizon:consume'] })));
    expect(done.body.errors).toBeUndefined();
    expect(done.body.data.consumePurchase).toEqual({ consumed: true, status: 'CONSUMED' });
    expect(h.upstream(ROUTES.consumeEntitlement)).toHaveLength(1);
  });

  test('a write-only game backend sees its write and the keys in the payload, not profiles', async () => {
    const { body } = await post(
      `mutation { unlockAchievement(userId: "${demoUserId(8)}", apiName: "FIRST_STEPS") { justUnlocked progress { unlocked user { id displayName } definition { apiName title } } } }`,
      {},
      bearer(await token({ scopes: ['horizon:write:achievements'] })),
    );
    expect(body.data.unlockAchievement).toMatchObject({
      progress: { unlocked: true, user: { id: demoUserId(8), displayName: null }, definition: { apiName: 'FIRST_STEPS', title: null } },
    });
    expect(body.errors.map((e: any) => [e.path.join('.'), e.extensions.code])).toEqual([
      ['unlockAchievement.progress.user.displayName', 'FORBIDDEN'],
      ['unlockAchievement.progress.definition.title', 'FORBIDDEN'],
    ]);
  });

  test('_entities: an anonymous caller gets an UNAUTHENTICATED error per entity and nothing is fetched', async () => {
    const { body } = await post(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Leaderboard { apiName entryCount } ... on User { id displayName } } }',
      { r: [REPRESENTATIONS.Leaderboard!(), REPRESENTATIONS.User!()] },
      {},
    );
    expect(body.data._entities).toEqual([null, null]);
    expect(body.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.reason])).toEqual([
      [['_entities', 0], 'UNAUTHENTICATED', 'CALLER_TOKEN_MISSING'],
      [['_entities', 1], 'UNAUTHENTICATED', 'CALLER_TOKEN_MISSING'],
    ]);
    expect(h.upstream()).toEqual([]);
  });

  test('_entities with horizon:read resolves as through the router', async () => {
    const { body } = await post(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName ownsApp } } }',
      { r: [REPRESENTATIONS.User!()] },
      bearer(await token({ scopes: ['horizon:read', 'horizon:read:purchases'] })),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities[0]).toEqual({ id: demoUserId(0), displayName: 'Nova Rider', ownsApp: true });
  });

  test('open fields stay open: __typename and _service need no token', async () => {
    const { body } = await post('{ __typename _service { sdl } }', {}, {});
    expect(body.errors).toBeUndefined();
    expect(body.data._service.sdl).toContain('@requiresScopes');
  });
});

describe('the caller token', () => {
  test('scopes may come in `scope` (space-separated) or `scp` (array)', async () => {
    for (const jwt of [await token({ scopes: ['horizon:read'] }), await token({ scopes: ['horizon:read'], scp: true })]) {
      const { body } = await post(`{ user(id: "${demoUserId(0)}") { displayName } }`, {}, bearer(jwt));
      expect(body.errors).toBeUndefined();
    }
  });

  test('an Authorization header of another scheme, or a token without exp, is invalid', async () => {
    const basic = await post(`{ user(id: "${demoUserId(0)}") { id } }`, {}, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_INVALID' });
    const { SignJWT } = await import('jose');
    const noExp = await new SignJWT({ scope: 'horizon:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://auth.test.example/')
      .setAudience('horizon-subgraph')
      .sign(new TextEncoder().encode('test-only-hs256-secret-0123456789abcdef-XYZ'));
    const missingExp = await post(`{ user(id: "${demoUserId(0)}") { id } }`, {}, bearer(noExp));
    expect(missingExp.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_INVALID' });
  });

  test("the player's Horizon token is a separate matter: viewer needs both, and says which is missing", async () => {
    const jwt = await token({ scopes: ['horizon:read'] });
    const withoutPlayer = await request(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(jwt) },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    const body = (await withoutPlayer.body.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_TOKEN_MISSING' });
    const both = await post('{ viewer { id } }', {}, bearer(jwt));
    expect(both.body.data.viewer.id).toBe(demoUserId(0));
  });
});
