/**
 * Upstream call counts, read from the emulator's request log. graph.oculus.com has no
 * multi-id endpoint, so the minimum is one call per user, plus one listing of the app's
 * definitions.
 */
import { demoUserId } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // 20 players: the 12 seeded ones are not enough, so add more to the emulator's world.
  for (let i = 12; i < 20; i++) {
    h.emulator.state.addUser({
      id: demoUserId(i),
      alias: `Extra${i}`,
      display_name: `Extra ${i}`,
      profile_url: '',
      org_scoped_id: `9${i}`,
      token: `FRLEXTRA${i}TOKENFORTESTSONLY0000`,
    });
  }
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.resetUpstream());

const users = Array.from({ length: 20 }, (_, i) => demoUserId(i));

test('20 users x 3 achievements with definition fields: at most 1 definitions call and 20 progress calls', async () => {
  const result = await h.execute(
    `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
      id
      a: achievement(apiName: "FIRST_STEPS") { unlocked definition { title type } }
      b: achievement(apiName: "COLLECT_100_GEMS") { count definition { title target } }
      c: achievement(apiName: "FIND_ALL_RELICS") { bitfield definition { title bitfieldLength } }
    } } }`,
    { reps: users.map((id) => ({ __typename: 'User', id })) },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!._entities).toHaveLength(20);
  expect(result.data!._entities[19]).toEqual({
    id: users[19],
    a: { unlocked: false, definition: { title: 'First Steps', type: 'SIMPLE' } },
    b: { count: '0', definition: { title: 'Gem Hoarder', target: '100' } },
    c: { bitfield: '00000', definition: { title: 'Relic Hunter', bitfieldLength: 5 } },
  });
  expect(h.upstream(ROUTES.definitions).length).toBeLessThanOrEqual(1);
  expect(h.upstream(ROUTES.progress)).toHaveLength(20);
  expect(h.upstream()).toHaveLength(h.upstream(ROUTES.definitions).length + 20);
});

test('duplicate representations and repeated fields cost nothing extra', async () => {
  const reps = [...users.slice(0, 5), ...users.slice(0, 5)].map((id) => ({ __typename: 'User', id }));
  const result = await h.execute(
    `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User {
      displayName alias
      achievements { unlocked definition { apiName } }
      achievement(apiName: "FIRST_STEPS") { unlocked }
    } } }`,
    { reps },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!._entities).toHaveLength(10);
  expect(result.data!._entities[5]).toEqual(result.data!._entities[0]);
  expect(h.upstream(ROUTES.node)).toHaveLength(5);
  expect(h.upstream(ROUTES.progress)).toHaveLength(5);
  // One listing of every definition serves the full list and FIRST_STEPS, asked on later ticks.
  expect(h.upstream(ROUTES.definitions)).toHaveLength(1);
});

test('definitions named across many fields are fetched in one call', async () => {
  // Cold: nothing shared from the tests before.
  h.caches.achievementDefinitions.clear();
  h.caches.achievementDefinitionLists.clear();
  const result = await h.execute(`{
    a: achievementDefinition(apiName: "FIRST_STEPS") { title }
    b: achievementDefinition(apiName: "SPEED_DEMON") { title }
    c: achievementDefinitions(apiNames: ["WIN_10_MATCHES", "FIRST_STEPS"]) { title }
    d: _entities(representations: [{ __typename: "AchievementDefinition", apiName: "SECRET_ROOM" }]) { ... on AchievementDefinition { title } }
  }`);
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({
    a: { title: 'First Steps' },
    b: { title: 'Speed Demon' },
    c: [{ title: 'Contender' }, { title: 'First Steps' }],
    d: [{ title: 'Behind the Waterfall' }],
  });
  expect(h.upstream(ROUTES.definitions)).toHaveLength(1);
});

test('a mutation re-reads progress after its write, so the payload shows the new state', async () => {
  const result = await h.execute(`mutation {
    a: addAchievementCount(userId: "${users[15]}", apiName: "COLLECT_100_GEMS", count: 30) { progress { count } }
    b: addAchievementCount(userId: "${users[15]}", apiName: "COLLECT_100_GEMS", count: 30) { progress { count } }
  }`);
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ a: { progress: { count: '30' } }, b: { progress: { count: '60' } } });
  expect(h.upstream(ROUTES.writeProgress)).toHaveLength(2);
});
