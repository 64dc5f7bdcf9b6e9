/**
 * The cost estimator and the limit rules on their own, without a server: named and inline
 * fragments, groups of fields sharing one call, list sizes from arguments, connections, the
 * extra cost of a write, representations, the work budget, and the limit's boundary. Each
 * number is worked out by hand from the model in src/graphql/limits.ts (`own + items × each`).
 */
import { buildSchema as buildSdlSchema, Kind, parse, validate, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { estimateCost, noSubscriptionsRule, queryCostPlugin, queryLimitRules, QueryTooComplexError, type QueryLimits } from '../../src/graphql/limits.js';
import { DEFAULTS } from '../../src/config.js';
import { buildSchema } from '../../src/graphql/schema.js';

const DEFAULT_QUERY_LIMITS = DEFAULTS.queryLimits;

const schema = buildSchema();
const LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 30, maxCost: 1000, maxTokens: 10_000 };

function parts(document: DocumentNode) {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return { operation, fragments };
}

function cost(source: string, variables: Record<string, unknown> = {}, on = schema): number {
  const { operation, fragments } = parts(parse(source));
  return estimateCost(on, fragments, operation, variables);
}

/** Runs the plugin's hook as Apollo Server does; resolves with the refusal, or undefined when the operation passes. */
async function refusalOf(source: string, limits: Partial<QueryLimits>, variables?: Record<string, unknown>): Promise<QueryTooComplexError | undefined> {
  const document = parse(source);
  const { operation } = parts(document);
  const hooks = (await queryCostPlugin({ ...LIMITS, ...limits }).requestDidStart!({} as never)) as any;
  try {
    await hooks.didResolveOperation({ schema, document, operation, request: { variables } });
    return undefined;
  } catch (error) {
    if (error instanceof QueryTooComplexError) return error;
    throw error;
  }
}

/** 2^depth paths through fragments, each spread twice: far past the work budget. */
function fragmentBomb(depth: number): string {
  const fragments = Array.from(
    { length: depth },
    (_, i) => `fragment F${i} on User { achievements { user { ...F${i + 1} } } leaderboardEntry(leaderboard: "HIGH_SCORES") { user { ...F${i + 1} } } }`,
  );
  return `{ user(id: "1") { ...F0 } } ${fragments.join(' ')} fragment F${depth} on User { displayName }`;
}

describe('what one object costs', () => {
  test.each<[string, string, number]>([
    ['a root field', '{ user(id: "1") { id } }', 1],
    ['a field read from its parent is free', '{ user(id: "1") { id alias } }', 2],
    ['profile fields share one read', '{ user(id: "1") { alias displayName profileUrl orgScopedId } }', 2],
    ['achievement fields share one read', '{ user(id: "1") { achievements { unlocked } achievement(apiName: "A") { unlocked } } }', 2],
    [
      'each group is paid once per object, every other field per use',
      '{ user(id: "1") { alias achievements { unlocked } leaderboardEntry(leaderboard: "A") { rank } ownsApp } }',
      5,
    ],
    ['__typename and unknown fields are free', '{ __typename user(id: "1") { __typename id } }', 1],
    ['two aliases of a field are two calls', '{ a: user(id: "1") { displayName } b: user(id: "2") { displayName } }', 4],
    [
      'one response name asked twice is merged, as execution merges it',
      '{ user(id: "1") { leaderboardEntry(leaderboard: "A") { rank } } user(id: "1") { alias } }',
      3,
    ],
    [
      'a nested object pays for what is asked of it',
      '{ user(id: "1") { leaderboardEntry(leaderboard: "A") { leaderboard { apiName } user { displayName } } } }',
      4,
    ],
  ])('%s', (_label, query, expected) => {
    expect(cost(query)).toBe(expected);
  });
});

describe('fragments', () => {
  test('a named fragment costs what its fields cost', () => {
    expect(cost('query { user(id: "1") { ...Card } } fragment Card on User { displayName leaderboardEntry(leaderboard: "A") { rank } }')).toBe(3);
  });

  test('named fragments nest', () => {
    expect(cost('{ user(id: "1") { ...A } } fragment A on User { displayName ...B } fragment B on User { ownsApp }')).toBe(3);
  });

  test('a fragment spread twice in one selection counts once, as its fields merge', () => {
    expect(cost('{ user(id: "1") { ...A ...A } } fragment A on User { ownsApp }')).toBe(2);
  });

  test('the same fragment in two selections counts in each', () => {
    expect(cost('{ a: user(id: "1") { ...A } b: user(id: "2") { ...A } } fragment A on User { ownsApp }')).toBe(4);
  });

  test('inline fragments, with or without a type condition, cost their fields', () => {
    expect(cost('{ user(id: "1") { ... { ownsApp } ... on User { entitlement(sku: "x") { owned } } } }')).toBe(3);
  });

  test('a fragment on an abstract type applies to its members', () => {
    expect(cost('{ user(id: "1") { ...E } } fragment E on _Entity { ... on User { ownsApp } }')).toBe(2);
    expect(cost('{ user(id: "1") { ... on _Entity { ... on User { ownsApp } } } }')).toBe(2);
  });

  test('a fragment on another type, or an unknown fragment, costs nothing here', () => {
    expect(
      cost(
        '{ user(id: "1") { ...L ... on Leaderboard { entries(first: 5) { totalCount } } ...Missing } } fragment L on Leaderboard { apiName entries(first: 5) { totalCount } }',
      ),
    ).toBe(1);
    expect(cost('{ user(id: "1") { ... on Unknown { ownsApp } } }')).toBe(1);
  });

  test('_entities: each representation pays only for the fragments on its own type', () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ...U ... on AchievementDefinition { title } } } fragment U on User { ownsApp displayName }`;
    expect(cost(query, { r: [{ __typename: 'User', id: '1' }] })).toBe(2);
    expect(cost(query, { r: [{ __typename: 'AchievementDefinition', apiName: 'A' }] })).toBe(1);
  });

  test('a fragment bomb exceeds the work budget: the estimate is Infinity, and quickly', () => {
    expect(cost(fragmentBomb(20))).toBe(Infinity);
  });

  test('the work budget is 200,000 selections visited, each spread of a fragment visited once per selection', () => {
    // 1 (user) + 2 spreads + n fields of the fragment.
    const flat = (n: number) => `{ user(id: "1") { ...F ...F } } fragment F on User { ${'displayName '.repeat(n)} }`;
    expect(cost(flat(199_997))).toBe(2);
    expect(cost(flat(199_998))).toBe(Infinity);
  });

  test('short of the work budget, the same shape is counted exactly', () => {
    // Each level: progress (1) + 50 items × deeper + entry (1) + deeper; the last level's displayName costs 1.
    let deeper = 1;
    for (let i = 0; i < 3; i++) deeper = 1 + 50 * deeper + 1 + deeper;
    expect(cost(fragmentBomb(3))).toBe(1 + deeper);
  });
});

describe('lists', () => {
  test('a list of unstated size is assumed to hold its usual count', () => {
    expect(cost('{ user(id: "1") { achievements { user { displayName } } } }')).toBe(1 + 1 + 50);
    expect(cost('{ leaderboards { entries(first: 1) { totalCount } } }')).toBe(1 + 10);
    expect(cost('{ moderatedRoom(id: "1") { users { displayName } } }')).toBe(1 + 100);
    expect(cost('{ user(id: "1") { subscriptions { owner { displayName } } } }')).toBe(1 + 1 + 10);
  });

  test.each<[string, string, number]>([
    ['apiNames', '{ user(id: "1") { achievements(apiNames: ["A", "B", "C"]) { user { displayName } } } }', 1 + 1 + 3],
    ['apiNames of the definitions', '{ achievementDefinitions(apiNames: ["A", "B"]) { __typename } }', 1],
    ['skus', '{ user(id: "1") { subscriptions(skus: ["a", "b"]) { owner { displayName } } } }', 1 + 1 + 2],
    ['an empty list', '{ user(id: "1") { achievements(apiNames: []) { user { displayName } } } }', 1 + 1],
  ])('a list sized by its %s argument holds that many', (_label, query, expected) => {
    expect(cost(query)).toBe(expected);
  });

  test('a list argument from a variable sizes the list; past 100 it counts as 100, where the resolver refuses it', () => {
    const query = 'query($names: [String!]) { user(id: "1") { achievements(apiNames: $names) { user { displayName } } } }';
    expect(cost(query, { names: ['A', 'B', 'C', 'D'] })).toBe(1 + 1 + 4);
    expect(cost(query, { names: Array.from({ length: 100 }, (_, i) => `A${i}`) })).toBe(1 + 1 + 100);
    expect(cost(query, { names: Array.from({ length: 250 }, (_, i) => `A${i}`) })).toBe(1 + 1 + 100);
    expect(cost(query, { names: null })).toBe(1 + 1 + 50);
  });

  test('a connection asked without `first` holds the usual count', () => {
    expect(cost('{ user(id: "1") { purchases { nodes { sku } } } }')).toBe(2);
    expect(cost('{ user(id: "1") { purchases(first: null) { nodes { sku } } } }')).toBe(2);
  });

  test("a connection's lists hold `first` items, capped at the page size the resolver allows", () => {
    const page = (first: number) =>
      `{ leaderboard(apiName: "A") { entries(first: ${first}) { nodes { user { displayName } } edges { node { user { displayName } } } totalCount } } }`;
    expect(cost(page(7))).toBe(1 + 1 + 7 + 7);
    expect(cost(page(100))).toBe(1 + 1 + 100 + 100);
    expect(cost(page(101))).toBe(1 + 1 + 100 + 100);
    expect(cost(page(0))).toBe(1 + 1);
    expect(cost(page(-3))).toBe(1 + 1);
  });

  test('a page size from a variable counts as given', () => {
    const query = 'query($n: Int!) { leaderboard(apiName: "A") { entries(first: $n) { nodes { user { displayName } } } } }';
    expect(cost(query, { n: 12 })).toBe(1 + 1 + 12);
  });

  test('lists multiply what each item asks, level by level', () => {
    expect(cost('{ leaderboards { entries(first: 5) { nodes { user { displayName achievements { unlocked } } } } } }')).toBe(1 + 10 * (1 + 5 * 2));
  });
});

describe('writes', () => {
  test('each mutation field costs 5 on top of what it reads', () => {
    expect(cost('mutation { unlockAchievement(userId: "1", apiName: "A") { justUnlocked } }')).toBe(5);
    expect(cost('mutation { unlockAchievement(userId: "1", apiName: "A") { justUnlocked progress { unlocked } } }')).toBe(6);
    expect(
      cost('mutation { a: unlockAchievement(userId: "1", apiName: "A") { justUnlocked } b: unlockAchievement(userId: "1", apiName: "B") { justUnlocked } }'),
    ).toBe(10);
  });

  test('the write cost is for root fields only, not for what their payload reads', () => {
    expect(
      cost('mutation { submitLeaderboardScore(userId: "1", leaderboard: "A", score: "5") { leaderboard { apiName } entry { user { displayName } } } }'),
    ).toBe(5 + 1 + 1);
  });
});

describe('_entities', () => {
  const query =
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { ownsApp } ... on Leaderboard { apiName } ... on LeaderboardEntry { rank } } }';

  test('each representation costs its reference plus what is asked of its type', () => {
    expect(cost(query, { r: [{ __typename: 'User', id: '1' }] })).toBe(1);
    expect(cost(query, { r: [{ __typename: 'Leaderboard', apiName: 'A' }] })).toBe(1);
    expect(cost(query, { r: [{ __typename: 'LeaderboardEntry', id: '9' }] })).toBe(1);
    expect(cost(query, { r: [{ __typename: 'AchievementDefinition', apiName: 'A' }] })).toBe(1);
    expect(
      cost(query, {
        r: [
          { __typename: 'User', id: '1' },
          { __typename: 'User', id: '2' },
          { __typename: 'Leaderboard', apiName: 'A' },
        ],
      }),
    ).toBe(3);
  });

  test('a representation of a type with no reference cost listed costs one, of no object type or with no type nothing', () => {
    expect(cost(query, { r: [{ __typename: 'Product', sku: 'x' }] })).toBe(1);
    expect(cost(query, { r: [{ __typename: 'LeaderboardSortOrder' }, { __typename: 'Nope' }, { id: '1' }, { __typename: 7 }, { __typename: ['User'] }] })).toBe(
      0,
    );
    expect(cost(query, { r: [{ __typename: 'Nope' }, { __typename: 'User', id: '1' }] })).toBe(1);
  });
});

describe('what cannot be estimated costs nothing here (execution refuses it)', () => {
  test('an argument whose literal does not coerce: the field is estimated as if it had none', () => {
    expect(cost('{ user(id: 5.5) { displayName } }')).toBe(2);
  });

  test('an unknown field costs nothing, whatever it selects', () => {
    expect(cost('{ user(id: "1") { nope { displayName } displayName } }')).toBe(2);
  });

  test('variables that do not coerce', () => {
    expect(cost('query($n: Int!) { leaderboard(apiName: "A") { entries(first: $n) { nodes { user { displayName } } } } }', { n: 'many' })).toBe(0);
    expect(cost('query($n: Int!) { user(id: "1") { ownsApp } }', {})).toBe(0);
  });

  test('a subscription, which the subgraph does not serve', () => {
    expect(cost('subscription { user(id: "1") { ownsApp } }')).toBe(0);
  });

  test('an operation built without a variable definitions list is estimated as one with none', () => {
    const { operation, fragments } = parts(parse('{ user(id: "1") { displayName } }'));
    expect(estimateCost(schema, fragments, { ...operation, variableDefinitions: undefined }, {})).toBe(2);
  });

  test('a schema without the root type asked for', () => {
    const bare = buildSdlSchema('type Query { user(id: ID!): User } type User { ownsApp: Boolean }');
    expect(cost('mutation { user(id: "1") { ownsApp } }', {}, bare)).toBe(0);
  });
});

// The cost spec's directives, as a schema that declares its own costs spells them.
const COST_DIRECTIVES = `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  directive @costGroup(name: String!) on FIELD_DEFINITION
`;

describe('on another schema', () => {
  const other = buildSdlSchema(`${COST_DIRECTIVES}
    type Query { user(id: ID!): User, boxes(first: Int): Box, things(first: Int): ThingConnection @listSize(slicingArguments: ["first"], sizedFields: ["nodes"], requireOneSlicingArgument: false) }
    type User { id: ID, displayName: String @cost(weight: 1), legacy__: User @cost(weight: 1) }
    type Box { users: [User] }
    type ThingConnection { nodes: [User] }
  `);

  test('a field whose name ends with __ is a field like any other', () => {
    expect(cost('{ user(id: "1") { legacy__ { displayName } } }', {}, other)).toBe(2);
  });

  test('`first` sizes only the lists its field names in @listSize: another list keeps the usual size', () => {
    expect(cost('{ boxes(first: 3) { users { displayName } } }', {}, other)).toBe(10);
  });

  test('a slicing argument sizes the named lists; without it they hold the usual count', () => {
    expect(cost('{ things(first: 3) { nodes { displayName } } }', {}, other)).toBe(3);
    expect(cost('{ things { nodes { displayName } } }', {}, other)).toBe(10);
  });

  test('a field without @cost costs nothing', () => {
    expect(cost('{ user(id: "1") { id } }', {}, other)).toBe(0);
  });
});

describe('fields of an abstract type', () => {
  // estimateCost works on any schema; in this one, `node` may be either of two objects with costly fields.
  const sdl = buildSdlSchema(`${COST_DIRECTIVES}
    type Query { node(id: ID!): Node, user(id: ID!): User }
    interface Node { id: ID }
    type User implements Node { id: ID, ownsApp: Boolean @cost(weight: 1), displayName: String @cost(weight: 1) }
    type Leaderboard implements Node { id: ID, entries(first: Int!): LeaderboardEntryConnection @cost(weight: 1) }
    type LeaderboardEntryConnection { totalCount: Int }
  `);

  test('cost the most any of their possible types would', () => {
    expect(cost('{ node(id: "1") { ... on User { ownsApp displayName } ... on Leaderboard { entries(first: 5) { totalCount } } } }', {}, sdl)).toBe(2);
    expect(cost('{ node(id: "1") { ... on Leaderboard { entries(first: 5) { totalCount } } } }', {}, sdl)).toBe(1);
    expect(cost('{ node(id: "1") { id } }', {}, sdl)).toBe(0);
  });
});

describe('the cost limit', () => {
  const query = '{ user(id: "1") { alias achievements { unlocked } leaderboardEntry(leaderboard: "A") { rank } ownsApp } }';

  test('an operation costing exactly the limit passes; one more is refused, with its cost', async () => {
    expect(cost(query)).toBe(5);
    expect(await refusalOf(query, { maxCost: 5 })).toBeUndefined();
    const refusal = await refusalOf(query, { maxCost: 4 });
    expect(refusal).toBeInstanceOf(QueryTooComplexError);
    expect(refusal).toMatchObject({ limit: 'cost', max: 4, found: 5 });
    expect(refusal!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 4, found: 5 });
  });

  test('named fragments in the document reach the estimate', async () => {
    const withFragment = 'query Card { user(id: "1") { ...C } } fragment C on User { alias achievements { unlocked } ownsApp }';
    expect(await refusalOf(withFragment, { maxCost: 3 })).toMatchObject({ found: 4 });
  });

  test('variables are taken from the request', async () => {
    const paged = 'query($n: Int!) { leaderboard(apiName: "A") { entries(first: $n) { nodes { user { displayName } } } } }';
    expect(await refusalOf(paged, { maxCost: 10 }, { n: 8 })).toBeUndefined();
    expect(await refusalOf(paged, { maxCost: 10 }, { n: 9 })).toMatchObject({ found: 11 });
  });

  test('without variables, an operation that needs none is estimated', async () => {
    expect(await refusalOf(query, { maxCost: 4 }, undefined)).toMatchObject({ found: 5 });
  });

  test('a fragment bomb is refused without a count', async () => {
    const refusal = await refusalOf(fragmentBomb(20), {});
    expect(refusal).toMatchObject({ limit: 'cost', max: 1000, found: undefined });
    expect(refusal!.message).toContain('more than can be counted');
  });

  test('a request whose operation is not resolved is left to Apollo Server', async () => {
    const hooks = (await queryCostPlugin(LIMITS).requestDidStart!({} as never)) as any;
    await expect(hooks.didResolveOperation({ schema, document: parse(query), operation: undefined, request: {} })).resolves.toBeUndefined();
  });
});

test('the default limits', () => {
  expect(DEFAULT_QUERY_LIMITS).toEqual({ maxDepth: 10, maxAliases: 30, maxCost: 1000, maxTokens: 10_000 });
});

describe('the validation rules', () => {
  test("graphql-armor's own cost rule is off: cost is the plugin's, with variables", () => {
    const wide = `{ user(id: "1") { ${'alias displayName profileUrl orgScopedId '.repeat(2_000)} } }`;
    expect(validate(schema, parse(wide), queryLimitRules(LIMITS))).toEqual([]);
  });

  const errorsOf = (source: string, limits: Partial<QueryLimits> = {}) => validate(schema, parse(source), queryLimitRules({ ...LIMITS, ...limits }));

  test('depth: refused past the limit, with how deep it went; fragments are not a level; introspection is exempt', () => {
    const deep = '{ user(id: "1") { leaderboardEntry(leaderboard: "A") { user { leaderboardEntry(leaderboard: "A") { rank } } } } }';
    expect(errorsOf(deep, { maxDepth: 5 })).toEqual([]);
    const errors = errorsOf(deep, { maxDepth: 4 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QueryTooComplexError);
    expect(errors[0]).toMatchObject({ limit: 'depth', max: 4, found: 5 });
    expect(errorsOf('{ user(id: "1") { ...A } } fragment A on User { ... on User { ownsApp } }', { maxDepth: 2 })).toEqual([]);
    expect(errorsOf('{ __schema { types { fields { type { ofType { name } } } } } }', { maxDepth: 2 })).toEqual([]);
  });

  test('aliases: refused past the limit, with how many', () => {
    const aliased = '{ a: user(id: "1") { id } b: user(id: "2") { id } }';
    expect(errorsOf(aliased, { maxAliases: 2 })).toEqual([]);
    expect(errorsOf(aliased, { maxAliases: 1 })[0]).toMatchObject({ limit: 'aliases', max: 1, found: 2 });
  });

  test('directives: at most 50', () => {
    const directives = (n: number) => `{ user(id: "1") { ${Array.from({ length: n }, () => 'id @include(if: true)').join(' ')} } }`;
    expect(errorsOf(directives(50))).toEqual([]);
    expect(errorsOf(directives(51))[0]).toMatchObject({ limit: 'directives', max: 50, found: 51 });
  });

  test('subscriptions: refused by name, queries and mutations pass', () => {
    const refused = validate(schema, parse('subscription { owner { id } }'), [noSubscriptionsRule]);
    expect(refused.map((e) => e.message)).toEqual(['This subgraph serves queries and mutations only, not subscription operations']);
    expect(refused[0]!.locations).toEqual([{ line: 1, column: 1 }]);
    expect(validate(schema, parse('{ user(id: "1") { id } }'), [noSubscriptionsRule])).toEqual([]);
    expect(validate(schema, parse('mutation { unlockAchievement(userId: "1", apiName: "A") { justUnlocked } }'), [noSubscriptionsRule])).toEqual([]);
  });

  test('the rules include the subscription refusal', () => {
    expect(errorsOf('subscription { owner { id } }').map((e) => e.message)).toContain(
      'This subgraph serves queries and mutations only, not subscription operations',
    );
  });
});
