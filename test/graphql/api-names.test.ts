/**
 * Api names as Horizon allows them (`@achievement_01` is a real one), through GraphQL:
 * queries, mutations, entity keys, cursors and the idempotency ledger.
 */
import { demoUserId } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

const PLAYER = demoUserId(0);
const ACHIEVEMENT = '@achievement_01';
const COUNTER = 'Gems & "quotes" ★';
const BOARD = '@season_01 / week?1';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function define(apiName: string, type: 'SIMPLE' | 'COUNT', target?: number) {
  const result = await h.execute(`mutation($input: AchievementDefinitionInput!) { upsertAchievementDefinition(input: $input) { apiName type } }`, {
    input: { apiName, type, writePolicy: 'SERVER_AUTHORITATIVE', title: `Title of ${apiName}`, ...(target ? { target } : {}) },
  });
  expect(result.errors).toBeUndefined();
  expect(result.data!.upsertAchievementDefinition).toEqual({ apiName, type });
}

test('achievements: defined, unlocked, listed, read one by one and resolved as entities', async () => {
  await define(ACHIEVEMENT, 'SIMPLE');
  const unlocked = await h.execute(`mutation($u: ID!, $a: String!) { unlockAchievement(userId: $u, apiName: $a) { justUnlocked } }`, {
    u: PLAYER,
    a: ACHIEVEMENT,
  });
  expect(unlocked.errors).toBeUndefined();
  expect(unlocked.data!.unlockAchievement).toEqual({ justUnlocked: true });

  const read = await h.execute(
    `query($u: ID!, $a: String!, $names: [String!]) {
      achievementDefinitions(apiNames: $names) { apiName title }
      user(id: $u) { achievement(apiName: $a) { unlocked definition { apiName } } achievements(apiNames: $names) { definition { apiName } unlocked } }
    }`,
    { u: PLAYER, a: ACHIEVEMENT, names: [ACHIEVEMENT, 'FIRST_STEPS'] },
  );
  expect(read.errors).toBeUndefined();
  expect(read.data!.achievementDefinitions).toEqual([
    { apiName: ACHIEVEMENT, title: `Title of ${ACHIEVEMENT}` },
    { apiName: 'FIRST_STEPS', title: 'First Steps' },
  ]);
  expect(read.data!.user.achievement).toEqual({ unlocked: true, definition: { apiName: ACHIEVEMENT } });
  expect(read.data!.user.achievements).toEqual([
    { definition: { apiName: ACHIEVEMENT }, unlocked: true },
    { definition: { apiName: 'FIRST_STEPS' }, unlocked: true },
  ]);

  const entities = await h.execute(`query($r: [_Any!]!) { _entities(representations: $r) { ... on AchievementDefinition { apiName title } } }`, {
    r: [{ __typename: 'AchievementDefinition', apiName: ACHIEVEMENT }],
  });
  expect(entities.errors).toBeUndefined();
  expect(entities.data!._entities).toEqual([{ apiName: ACHIEVEMENT, title: `Title of ${ACHIEVEMENT}` }]);
});

test('the idempotency ledger replays a keyed write to an unusual name instead of writing twice', async () => {
  await define(COUNTER, 'COUNT', 100);
  const add = () =>
    h.execute(
      `mutation($u: ID!, $a: String!, $k: String) { addAchievementCount(userId: $u, apiName: $a, count: 2, idempotencyKey: $k) { settledBy progress { count } } }`,
      { u: PLAYER, a: COUNTER, k: 'api-name-key-1' },
    );
  h.resetUpstream();
  const first = await add();
  const second = await add();
  expect(first.errors).toBeUndefined();
  expect(second.errors).toBeUndefined();
  expect(first.data!.addAchievementCount.settledBy).toBe('REPLY');
  expect(second.data!.addAchievementCount.settledBy).toBe('REPLAYED');
  expect(h.upstream(ROUTES.writeProgress)).toHaveLength(1);
  expect(String(h.emulator.state.achievementProgress.get(PLAYER)!.get(COUNTER)!.count_progress)).toBe('2');
});

test('leaderboards: created, written, paged with cursors and resolved as entities', async () => {
  const created = await h.execute(`mutation($i: LeaderboardInput!) { upsertLeaderboard(input: $i) { created leaderboard { apiName } } }`, {
    i: { apiName: BOARD, sortOrder: 'HIGHER_IS_BETTER', writePolicy: 'SERVER_AUTHORITATIVE' },
  });
  expect(created.errors).toBeUndefined();
  expect(created.data!.upsertLeaderboard).toEqual({ created: true, leaderboard: { apiName: BOARD } });
  for (const [i, score] of [300, 200, 100].entries()) {
    const submitted = await h.execute(
      `mutation($u: ID!, $b: String!, $s: Long!) { submitLeaderboardScore(userId: $u, leaderboard: $b, score: $s) { didUpdate } }`,
      {
        u: demoUserId(i),
        b: BOARD,
        s: score,
      },
    );
    expect(submitted.errors).toBeUndefined();
  }
  const page = (after: string | null) =>
    h.execute(
      `query($b: String!, $after: String) { leaderboard(apiName: $b) { entries(first: 1, after: $after) { nodes { score user { id } leaderboard { apiName } } pageInfo { endCursor hasNextPage } } } }`,
      { b: BOARD, after },
    );
  const first = await page(null);
  expect(first.errors).toBeUndefined();
  expect(first.data!.leaderboard.entries.nodes).toEqual([{ score: '300', user: { id: demoUserId(0) }, leaderboard: { apiName: BOARD } }]);
  const second = await page(first.data!.leaderboard.entries.pageInfo.endCursor);
  expect(second.errors).toBeUndefined();
  expect(second.data!.leaderboard.entries.nodes).toEqual([{ score: '200', user: { id: demoUserId(1) }, leaderboard: { apiName: BOARD } }]);

  const entities = await h.execute(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Leaderboard { apiName sortOrder } } }`, {
    r: [{ __typename: 'Leaderboard', apiName: BOARD }],
  });
  expect(entities.errors).toBeUndefined();
  expect(entities.data!._entities).toEqual([{ apiName: BOARD, sortOrder: 'HIGHER_IS_BETTER' }]);
});
