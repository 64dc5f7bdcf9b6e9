/**
 * Query limits (src/graphql/limits.ts): a router's `_entities` fetch of 100 representations
 * passes; deep nesting, alias floods, big multiplied pages, huge documents and directive floods
 * are refused with QUERY_TOO_COMPLEX before any upstream call. Every list argument is capped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNullableType, isInputObjectType, isListType, isObjectType, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { request } from 'undici';
import { NO_CALLER_AUTH } from '../../src/auth/jwt.js';
import { DEFAULTS, loadConfig } from '../../src/config.js';
import { demoUserId } from '../../src/emulator/index.js';
import { estimateCost } from '../../src/graphql/limits.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { startSubgraph } from '../../src/server.js';
import { ROUTES, silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const schema = buildSchema();

function cost(source: string, variables: Record<string, unknown> = {}): number {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return estimateCost(schema, fragments, operation, variables);
}

const USERS = Array.from({ length: 100 }, (_, i) => demoUserId(i));

/** The router's fetch for a page of 100 players from another subgraph. */
const USER_ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User {
  displayName
  achievements { unlocked definition { title } }
  leaderboardEntry(leaderboard: "HIGH_SCORES") { rank score }
} } }`;
const USER_REPS = USERS.map((id) => ({ __typename: 'User', id }));

const DEFINITION_ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on AchievementDefinition { title description type target } } }`;
const DEFINITION_NAMES = ['FIRST_STEPS', 'SPEED_DEMON', 'COLLECT_100_GEMS', 'WIN_10_MATCHES', 'VISIT_3_CONTINENTS', 'FIND_ALL_RELICS', 'SECRET_ROOM'];
const DEFINITION_REPS = Array.from({ length: 100 }, (_, i) => ({
  __typename: 'AchievementDefinition',
  apiName: DEFINITION_NAMES[i % DEFINITION_NAMES.length],
}));

const NESTED = `{ user(id: "${USERS[0]}") { leaderboardEntry(leaderboard: "HIGH_SCORES") { user { achievements { user {
  leaderboardEntry(leaderboard: "HIGH_SCORES") { user { achievements { user { displayName } } } }
} } } } } }`;

const aliases = (n: number, field: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (let i = 0; i < USERS.length; i++) {
    if (!h.emulator.state.users.has(USERS[i]!)) {
      h.emulator.state.addUser({
        id: USERS[i]!,
        alias: `Extra${i}`,
        display_name: `Extra ${i}`,
        profile_url: '',
        org_scoped_id: `9${i}`,
        token: `FRLLIMITS${i}TOKENFORTESTSONLY0000`,
      });
    }
  }
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.resetUpstream());

function expectRefused(result: { data?: unknown; errors?: ReadonlyArray<any> }, limit: string): void {
  expect(result.data ?? null).toBeNull();
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  expect(result.errors![0].extensions.limit).toBe(limit);
  expect(result.errors![0].message).toMatch(/^Operation refused: /);
  expect(result.errors![0].extensions.stacktrace).toBeUndefined();
  expect(h.upstream()).toHaveLength(0);
}

describe('what a router sends passes', () => {
  test(`_entities of 100 Users with a profile field, achievements and a leaderboard entry (cost ${cost(USER_ENTITIES, { representations: USER_REPS })})`, async () => {
    expect(cost(USER_ENTITIES, { representations: USER_REPS })).toBe(300);
    const result = await h.execute(USER_ENTITIES, { representations: USER_REPS });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toHaveLength(100);
    expect(result.data!._entities[0].displayName).toBe('Nova Rider');
  });

  test(`_entities of 100 AchievementDefinitions (cost ${cost(DEFINITION_ENTITIES, { representations: DEFINITION_REPS })})`, async () => {
    expect(cost(DEFINITION_ENTITIES, { representations: DEFINITION_REPS })).toBe(100);
    const result = await h.execute(DEFINITION_ENTITIES, { representations: DEFINITION_REPS });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toHaveLength(100);
    expect(h.upstream(ROUTES.definitions).length).toBeLessThanOrEqual(1);
  });

  test('both in one fetch, and a full player card of 100 Users, stay under the default cost limit', () => {
    const mixed = `query($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on User { displayName achievements { unlocked definition { title } } leaderboardEntry(leaderboard: "HIGH_SCORES") { rank } }
      ... on AchievementDefinition { title }
    } }`;
    expect(cost(mixed, { representations: [...USER_REPS, ...DEFINITION_REPS] })).toBe(400);
    const card = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User {
      displayName alias profileUrl
      achievements { unlocked } achievement(apiName: "FIRST_STEPS") { unlocked }
      hs: leaderboardEntry(leaderboard: "HIGH_SCORES") { rank } ft: leaderboardEntry(leaderboard: "FASTEST_LAP") { rank }
      ownsApp entitlement(sku: "dlc_frozen_peaks") { owned } subscriptions { isActive }
    } } }`;
    const cardCost = cost(card, { representations: USER_REPS });
    expect(cardCost).toBe(700);
    expect(cardCost).toBeLessThanOrEqual(DEFAULTS.queryLimits.maxCost);
  });

  test("the README's leaderboard page and a full page of 100 entries with profiles and achievements pass", async () => {
    const page = `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 100) { edges { cursor node { rank user { displayName achievements { unlocked definition { title } } } } } } } }`;
    expect(cost(page)).toBe(202);
    const result = await h.execute(page);
    expect(result.errors).toBeUndefined();
  });

  test('introspection is not limited by depth (Sandbox works in development)', async () => {
    const result = await h.execute(
      `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }`,
    );
    expect(result.errors).toBeUndefined();
  });
});

describe('the costs are the schema’s @cost and @listSize (test/graphql/costs.test.ts)', () => {
  test('a player’s profile fields share one read, avatarUrl included (it cost nothing while the costs were a hand-kept list)', () => {
    expect(cost(`{ user(id: "${USERS[0]}") { avatarUrl } }`)).toBe(2);
    expect(cost(`{ user(id: "${USERS[0]}") { avatarUrl displayName alias } }`)).toBe(2);
    expect(
      cost(`query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { avatarUrl } } }`, { representations: USER_REPS }),
    ).toBe(100);
  });

  test('a mutation costs 5, plus what its payload reads', () => {
    expect(cost(`mutation { unlockAchievement(userId: "${USERS[0]}", apiName: "FIRST_STEPS") { justUnlocked } }`)).toBe(5);
    expect(cost(`mutation { unlockAchievement(userId: "${USERS[0]}", apiName: "FIRST_STEPS") { progress { unlocked } } }`)).toBe(6);
  });
});

describe('hostile operations are refused before any upstream call', () => {
  test(`user → leaderboardEntry → user → achievements → ... (cost ${cost(NESTED)})`, async () => {
    expect(cost(NESTED)).toBeGreaterThan(DEFAULTS.queryLimits.maxCost);
    expectRefused(await h.execute(NESTED), 'cost');
  });

  test('nesting deeper than MAX_QUERY_DEPTH', async () => {
    const deep = `{ user(id: "${USERS[0]}") { leaderboardEntry(leaderboard: "HIGH_SCORES") { leaderboard { entries(first: 1) { nodes { user {
      leaderboardEntry(leaderboard: "HIGH_SCORES") { leaderboard { entries(first: 1) { nodes { user { id } } } } } } } } } } } }`;
    const result = await h.execute(deep);
    expectRefused(result, 'depth');
    expect(result.errors![0].extensions).toMatchObject({ max: 10, found: 12 });
  });

  test('depth counts fields, not fragments', async () => {
    const deepInFragments = `query { user(id: "${USERS[0]}") { ...A } }
      fragment A on User { leaderboardEntry(leaderboard: "HIGH_SCORES") { ...B } }
      fragment B on LeaderboardEntry { leaderboard { entries(first: 1) { nodes { user { ...C } } } } }
      fragment C on User { leaderboardEntry(leaderboard: "HIGH_SCORES") { leaderboard { entries(first: 1) { nodes { user { id } } } } } }`;
    expectRefused(await h.execute(deepInFragments), 'depth');
  });

  test('500 aliases of a costly field', async () => {
    const flood = aliases(500, () => `user(id: "${USERS[0]}") { displayName achievements { unlocked } }`);
    const result = await h.execute(flood);
    expectRefused(result, 'aliases');
    expect(result.errors![0].extensions).toMatchObject({ max: 30, found: 500 });
  });

  test('aliases within the limit still pay for what each asks (25 full pages)', async () => {
    const pages = aliases(
      25,
      (i) =>
        `leaderboard(apiName: "HIGH_SCORES") { entries(first: 100, startAt: OFFSET, offset: ${i * 100}) { nodes { user { displayName purchases(first: 100) { nodes { sku } } } } } }`,
    );
    expectRefused(await h.execute(pages), 'cost');
  });

  test('100 pages of 100 entries each with the players’ purchases', async () => {
    const pages = aliases(
      100,
      (i) =>
        `leaderboard(apiName: "HIGH_SCORES") { entries(first: 100, startAt: OFFSET, offset: ${i * 100}) { nodes { user { purchases(first: 100) { nodes { sku } } } } } }`,
    );
    expect(cost(pages)).toBeGreaterThan(10 * DEFAULTS.queryLimits.maxCost);
    expectRefused(await h.execute(pages), 'aliases');
    // Without aliases: every leaderboard's full page with purchases.
    const everyBoard = `{ leaderboards { entries(first: 100) { nodes { user { purchases(first: 100) { nodes { sku } } } } } } }`;
    expectRefused(await h.execute(everyBoard), 'cost');
  });

  test('page sizes from variables count as given, capped at what the resolver accepts', async () => {
    const paged = `query($n: Int!) { leaderboards { entries(first: $n) { nodes { user { displayName achievements { unlocked } } } } } }`;
    expect(cost(paged, { n: 1 })).toBe(1 + 10 * (1 + 2));
    expect(cost(paged, { n: 100 })).toBe(cost(paged, { n: 1_000_000 }));
    expectRefused(await h.execute(paged, { n: 100 }), 'cost');
    const small = await h.execute(paged, { n: 5 });
    expect(small.errors).toBeUndefined();
  });

  test('representations multiply: 1000 Users with achievements and entries are refused', async () => {
    const reps = Array.from({ length: 1000 }, (_, i) => ({ __typename: 'User', id: USERS[i % 100] }));
    expectRefused(await h.execute(USER_ENTITIES, { representations: reps }), 'cost');
  });

  test('fragment bombs cannot make the estimate itself expensive', async () => {
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on User { achievements { user { ...F${i + 1} } } leaderboardEntry(leaderboard: "HIGH_SCORES") { user { ...F${i + 1} } } }`,
    );
    const bomb = `{ user(id: "${USERS[0]}") { ...F0 } } ${fragments.join(' ')} fragment F20 on User { id }`;
    const started = Date.now();
    const result = await h.execute(bomb);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(h.upstream()).toHaveLength(0);
  });

  test('documents over MAX_QUERY_TOKENS', async () => {
    const huge = `{ ${Array.from({ length: 12_000 }, () => '__typename').join(' ')} }`;
    const result = await h.execute(huge);
    expect(result.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 10_000 });
    expect(h.upstream()).toHaveLength(0);
  });

  test('more than 50 directives', async () => {
    const directives = `{ user(id: "${USERS[0]}") { ${Array.from({ length: 60 }, () => 'id @include(if: true)').join(' ')} } }`;
    expectRefused(await h.execute(directives), 'directives');
  });

  test('subscription operations are refused (a player subscription is the PlayerSubscription type, never a root)', async () => {
    const result = await h.execute(`subscription { owner { id } }`);
    expect(result.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0].message).toMatch(/not subscription operations/);
  });

  test('over HTTP the refusal is a 400 with the JSON error', async () => {
    const subgraph = await startSubgraph(
      { config: { production: true, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: h.horizon, logger: silentLogger, auth: NO_CALLER_AUTH },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      for (const query of [NESTED, aliases(31, () => '__typename x: id')]) {
        const response = await request(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        expect(response.statusCode).toBe(400);
        const body = (await response.body.json()) as any;
        expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      }
    } finally {
      await subgraph.stop();
    }
  });
});

describe('the limits are configurable', () => {
  test('MAX_QUERY_DEPTH, MAX_ALIASES, MAX_QUERY_COST and MAX_QUERY_TOKENS, with their documented defaults', () => {
    expect(loadConfig({}).queryLimits).toEqual({ maxDepth: 10, maxAliases: 30, maxCost: 1000, maxTokens: 10_000 });
    expect(loadConfig({ MAX_QUERY_DEPTH: '4', MAX_ALIASES: '0', MAX_QUERY_COST: '50', MAX_QUERY_TOKENS: '500' }).queryLimits).toEqual({
      maxDepth: 4,
      maxAliases: 0,
      maxCost: 50,
      maxTokens: 500,
    });
    expect(() => loadConfig({ MAX_QUERY_COST: '0' })).toThrow(/MAX_QUERY_COST/);
    expect(() => loadConfig({ MAX_QUERY_DEPTH: 'deep' })).toThrow(/MAX_QUERY_DEPTH/);
  });

  test('docs/configuration.md documents each setting with its default, and docs/errors.md the refusal', () => {
    const configuration = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');
    const errors = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
    for (const [name, value] of [
      ['MAX_QUERY_DEPTH', DEFAULTS.queryLimits.maxDepth],
      ['MAX_ALIASES', DEFAULTS.queryLimits.maxAliases],
      ['MAX_QUERY_COST', DEFAULTS.queryLimits.maxCost],
      ['MAX_QUERY_TOKENS', DEFAULTS.queryLimits.maxTokens],
    ] as const) {
      expect(configuration).toMatch(new RegExp(`\\| \`${name}\` \\| \`${value}\` \\|`));
    }
    expect(errors).toMatch(/\| `QUERY_TOO_COMPLEX` \|/);
  });

  test('a subgraph started with other limits applies them', async () => {
    const strict = await startHarness({ server: { queryLimits: { maxDepth: 3, maxAliases: 1, maxCost: 5, maxTokens: 200 } } });
    try {
      expect((await strict.execute(`{ user(id: "${USERS[0]}") { displayName } }`)).errors).toBeUndefined();
      expect((await strict.execute(`{ a: user(id: "1") { id } b: user(id: "2") { id } }`)).errors![0].extensions.limit).toBe('aliases');
      expect(
        (await strict.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 10) { nodes { user { displayName } } } } }`)).errors![0].extensions.limit,
      ).toBe('depth');
      expect(
        (
          await strict.execute(
            `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 10) { totalCount } } leaderboards { apiName } user(id: "1") { displayName achievements { unlocked } } }`,
          )
        ).errors![0].extensions.limit,
      ).toBe('cost');
    } finally {
      await strict.close();
    }
  });
});

describe('every list argument is capped', () => {
  /** Where each list-sized argument is capped (resolver or client), as `Type.field(argument)`. */
  const CAPPED = new Set([
    'Query._entities(representations)', // sized by the cost limit, per representation
    'Query.achievementDefinitions(apiNames)',
    'User.achievements(apiNames)',
    'User.purchases(first)',
    'User.subscriptions(skus)',
    'Leaderboard.entries(first)',
    'Leaderboard.entries(userIds)',
    'Mutation.updateModeratedRoomDataStore(entries)',
    'Query.federatedUsers(first)',
    'Query.purchaseEvents(first)',
    'Query.purchaseEvents(types)',
  ]);

  test('the schema has no list or page-size argument without a cap', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) {
          if (isListType(getNullableType(arg.type)) || arg.name === 'first') found.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(found.sort()).toEqual([...CAPPED].sort());
    // Input objects: the only list is LeaderboardInput.titles (capped in src/graphql/inputs.ts).
    const inputLists = Object.values(schema.getTypeMap())
      .filter(isInputObjectType)
      .flatMap((type) =>
        Object.values(type.getFields())
          .filter((f) => isListType(getNullableType(f.type)))
          .map((f) => `${type.name}.${f.name}`),
      );
    expect(inputLists).toEqual(['LeaderboardInput.titles']);
  });

  test.each([
    ['Leaderboard.entries(first: 101)', `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 101) { totalCount } } }`, {}],
    ['Leaderboard.entries(first: 0)', `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 0) { totalCount } } }`, {}],
    [
      'Leaderboard.entries(userIds: 101 ids)',
      `query($ids: [ID!]) { leaderboard(apiName: "HIGH_SCORES") { entries(filter: USER_IDS, userIds: $ids) { totalCount } } }`,
      { ids: Array.from({ length: 101 }, (_, i) => demoUserId(i)) },
    ],
    ['User.purchases(first: 101)', `{ user(id: "${USERS[0]}") { purchases(first: 101) { nodes { sku } } } }`, {}],
    ['Query.federatedUsers(first: 101)', `{ federatedUsers(first: 101) { nodes { id } } }`, {}],
    ['Query.federatedUsers(first: 0)', `{ federatedUsers(first: 0) { nodes { id } } }`, {}],
    [
      'User.achievements(apiNames: 101 names)',
      `query($names: [String!]) { user(id: "${USERS[0]}") { achievements(apiNames: $names) { unlocked } } }`,
      { names: Array.from({ length: 101 }, (_, i) => `A${i}`) },
    ],
    [
      'Query.achievementDefinitions(apiNames: 101 names)',
      `query($names: [String!]) { achievementDefinitions(apiNames: $names) { title } }`,
      { names: Array.from({ length: 101 }, (_, i) => `A${i}`) },
    ],
    [
      'User.subscriptions(skus: 101 SKUs)',
      `query($skus: [String!]) { user(id: "${USERS[0]}") { subscriptions(skus: $skus) { sku } } }`,
      { skus: Array.from({ length: 101 }, (_, i) => `s${i}`) },
    ],
  ])('%s is refused with BAD_USER_INPUT', async (_name, query, variables) => {
    const result = await h.execute(query, variables);
    expect(result.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    // Nothing list-sized reached Horizon (the board or profile the field hangs on may have been read).
    expect(
      h
        .upstream()
        .filter(
          (r) =>
            r.route === ROUTES.leaderboardEntries ||
            r.route === ROUTES.viewerPurchases ||
            r.route === ROUTES.progress ||
            r.route === ROUTES.subscriptions ||
            r.route === ROUTES.definitions ||
            r.route === ROUTES.federatedUsers,
        ),
    ).toHaveLength(0);
  });
});
