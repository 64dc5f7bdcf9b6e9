/**
 * The subgraph computes Cache-Control once per operation (src/graphql/cachePolicy.ts) instead of
 * running Apollo Server's per-field cache-control plugin. Same SDL, same resolvers, same
 * operations: the header must be the plugin's, operation by operation. These are the cases
 * written for it, and the bench's scenarios (no other test runs them); every operation the other
 * tests run is compared too, by test/helpers/cachePolicyAgreement.ts.
 */
import { ApolloServer } from '@apollo/server';
import { demoUserId } from '../../src/emulator/index.js';
import { createContext, type Context } from '../../src/graphql/context.js';
import { guardEntityRepresentations } from '../../src/graphql/inputs.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { ALL_SCOPES, silentLogger, startHarness, type Harness } from '../helpers/harness.js';
import { tokenCaller } from '../../src/auth/caller.js';
import { ensureBenchUsers } from '../bench/fixtures.js';
import { SCENARIO_IDS, SCENARIOS } from '../bench/scenarios.js';

let h: Harness;
/** Apollo Server with its own cache-control plugin (on by default), for reference. */
let reference: ApolloServer<Context>;

beforeAll(async () => {
  h = await startHarness();
  ensureBenchUsers(h.emulator.state);
  reference = new ApolloServer<Context>({ schema: guardEntityRepresentations(buildSchema()), logger: silentLogger });
  await reference.start();
});
afterAll(async () => {
  await reference.stop();
  await h.close();
});

async function header(server: ApolloServer<Context>, query: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation(
    { query, variables },
    {
      contextValue: createContext({
        horizon: h.horizon,
        logger: silentLogger,
        caches: h.caches,
        requestId: 'cache-policy',
        caller: tokenCaller('t', ALL_SCOPES),
      }),
    },
  );
  return response.http.headers.get('cache-control');
}

const PLAYER = demoUserId(0);
// Three elements each: test.each would pass jest's done callback in a missing third.
const OPERATIONS: Array<[string, string, Record<string, unknown>]> = [
  ['definitions', '{ achievementDefinitions { apiName title type } }', {}],
  ['one definition', '{ achievementDefinition(apiName: "FIRST_STEPS") { title unlockedImageUrl } }', {}],
  ['boards with titles (inheritMaxAge)', '{ leaderboards { apiName sortOrder titles { locale title } } }', {}],
  ['a board and a page of entries', '{ leaderboard(apiName: "HIGH_SCORES") { sortOrder entries(first: 3) { totalCount nodes { score } } } }', {}],
  ['a board title by locale', '{ leaderboard(apiName: "HIGH_SCORES") { title(locale: "fr_FR") titles { title } } }', {}],
  [
    'the catalog with nested prices',
    '{ products { sku name price { formatted } billingPlans { paidOffer { price { formatted } } trialOffers { price { formatted } } } } }',
    {},
  ],
  ['a player', `{ user(id: "${PLAYER}") { displayName } }`, {}],
  ['public and per-player together', `{ achievementDefinitions { title } user(id: "${PLAYER}") { achievements { unlocked } } }`, {}],
  ['__typename alone', '{ __typename }', {}],
  ['a fragment on Query', 'query { ...F } fragment F on Query { achievementDefinitions { title } }', {}],
  ['an inline fragment', '{ ... on Query { leaderboards { apiName } } }', {}],
  ['@skip of the per-player part', `query($s: Boolean!) { achievementDefinitions { title } user(id: "${PLAYER}") @skip(if: $s) { displayName } }`, { s: true }],
  [
    '@include of the per-player part',
    `query($s: Boolean!) { achievementDefinitions { title } user(id: "${PLAYER}") @include(if: $s) { displayName } }`,
    { s: true },
  ],
  [
    '_entities of definitions',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on AchievementDefinition { title } } }',
    { r: [{ __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' }] },
  ],
  [
    '_entities of players',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }',
    { r: [{ __typename: 'User', id: PLAYER }] },
  ],
  [
    '_entities of boards and definitions',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Leaderboard { sortOrder } ... on AchievementDefinition { title } } }',
    {
      r: [
        { __typename: 'Leaderboard', apiName: 'HIGH_SCORES' },
        { __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' },
      ],
    },
  ],
  ['a mutation', `mutation { unlockAchievement(userId: "${PLAYER}", apiName: "FIRST_STEPS") { justUnlocked } }`, {}],
  ['an error', '{ achievementDefinition(apiName: "line\\nbreak") { title } }', {}],
];

test.each(OPERATIONS)('%s: the same Cache-Control as Apollo Server’s plugin', async (_name, query, variables) => {
  const expected = await header(reference, query, variables);
  expect(expected).toBeDefined();
  expect(await header(h.server, query, variables)).toBe(expected);
});

test.each(SCENARIO_IDS.map((id) => [id]))('bench scenario %s: the same Cache-Control as Apollo Server’s plugin', async (id) => {
  const scenario = SCENARIOS[id];
  const variables = scenario.variables(scenario.varSets()[0]!);
  const expected = await header(reference, scenario.query, variables);
  expect(expected).toBeDefined();
  expect(await header(h.server, scenario.query, variables)).toBe(expected);
});

test('the reference does cache public data, so the comparison can tell the two apart', async () => {
  expect(await header(reference, OPERATIONS[0]![1])).toBe('max-age=60, public');
  expect(await header(reference, OPERATIONS[6]![1])).toBe('no-store');
});
