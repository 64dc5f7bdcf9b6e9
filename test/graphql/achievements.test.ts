/** Resolver tests through `server.executeOperation`, against a real emulator. */
import { demoUserId } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const PLAYER = demoUserId(0);
const NEW_PLAYER = demoUserId(11); // seeded with no progress

describe('User.achievements', () => {
  test('lists every non-archived achievement with the player progress, zero for untouched ones', async () => {
    const result = await h.execute(
      `query($id: ID!) { user(id: $id) { id displayName achievements { definition { apiName type target } unlocked unlockedAt count bitfield } } }`,
      { id: PLAYER },
    );
    expect(result.errors).toBeUndefined();
    const list = result.data!.user.achievements as Array<Record<string, any>>;
    const byName = Object.fromEntries(list.map((p) => [p.definition.apiName, p]));
    expect(Object.keys(byName)).not.toContain('BETA_TESTER'); // archived
    expect(byName.FIRST_STEPS).toMatchObject({ unlocked: true, count: null, bitfield: null });
    expect(byName.FIRST_STEPS.unlockedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(byName.COLLECT_100_GEMS).toMatchObject({ unlocked: false, unlockedAt: null, count: '15' });
    expect(byName.VISIT_3_CONTINENTS).toMatchObject({ unlocked: false, bitfield: '1000100' });
    expect(byName.FIND_ALL_RELICS).toMatchObject({ unlocked: false, bitfield: '00000' });
    expect(byName.WIN_10_MATCHES).toMatchObject({ unlocked: false, count: '0' });
  });

  test('apiNames picks achievements in the order given, archived included, unknown left out', async () => {
    const result = await h.execute(
      `{ user(id: "${PLAYER}") { achievements(apiNames: ["BETA_TESTER", "NOPE", "FIRST_STEPS"]) { definition { apiName archived } unlocked } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.user.achievements).toEqual([
      { definition: { apiName: 'BETA_TESTER', archived: true }, unlocked: true },
      { definition: { apiName: 'FIRST_STEPS', archived: false }, unlocked: true },
    ]);
  });

  test('achievement(apiName:) is null for an unknown achievement', async () => {
    const result = await h.execute(
      `{ user(id: "${PLAYER}") { known: achievement(apiName: "FIRST_STEPS") { unlocked } unknown: achievement(apiName: "NOPE") { unlocked } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.user).toEqual({ known: { unlocked: true }, unknown: null });
  });

  test('an invalid api name is BAD_USER_INPUT and nothing is sent upstream for it', async () => {
    h.resetUpstream();
    const result = await h.execute(`{ user(id: "${PLAYER}") { achievement(apiName: "line\\nbreak") { unlocked } } }`);
    expect(result.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream(ROUTES.progress)).toHaveLength(0);
  });
});

describe('Query', () => {
  test('user(id:) is null for an unknown user and BAD_USER_INPUT for a malformed id', async () => {
    const unknown = await h.execute(`{ user(id: "4242") { id } }`);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.user).toBeNull();
    const malformed = await h.execute(`{ user(id: "12; DROP") { id } }`);
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
  });

  test('achievementDefinitions returns every field of the reference, archived only on request', async () => {
    const all = await h.execute(
      `{ achievementDefinitions { apiName id type writePolicy target bitfieldLength archived title description unlockedDescription secret lockedImageUrl unlockedImageUrl } }`,
    );
    expect(all.errors).toBeUndefined();
    const names = all.data!.achievementDefinitions.map((d: any) => d.apiName);
    expect(names).toContain('VISIT_3_CONTINENTS');
    expect(names).not.toContain('BETA_TESTER');
    const visit = all.data!.achievementDefinitions.find((d: any) => d.apiName === 'VISIT_3_CONTINENTS');
    expect(visit).toMatchObject({
      type: 'BITFIELD',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: '3',
      bitfieldLength: 7,
      archived: false,
      secret: false,
      title: 'Globetrotter',
    });
    expect(visit.lockedImageUrl).toMatch(/^https:\/\//);
    const withArchived = await h.execute(`{ achievementDefinitions(includeArchived: true) { apiName archived } }`);
    expect(withArchived.data!.achievementDefinitions).toContainEqual({ apiName: 'BETA_TESTER', archived: true });
  });
});

describe('_entities', () => {
  test('resolves User and AchievementDefinition representations, with partial results for bad ones', async () => {
    const result = await h.execute(
      `query($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on User { id displayName achievement(apiName: "FIRST_STEPS") { unlocked } }
        ... on AchievementDefinition { apiName title type }
      } }`,
      {
        representations: [
          { __typename: 'User', id: PLAYER },
          { __typename: 'AchievementDefinition', apiName: 'COLLECT_100_GEMS' },
          { __typename: 'User', id: 'not-a-number' },
          { __typename: 'AchievementDefinition', apiName: 'NOPE' },
          { __typename: 'User', id: NEW_PLAYER },
        ],
      },
    );
    expect(result.data!._entities[0]).toEqual({ id: PLAYER, displayName: 'Nova Rider', achievement: { unlocked: true } });
    expect(result.data!._entities[1]).toEqual({ apiName: 'COLLECT_100_GEMS', title: 'Gem Hoarder', type: 'COUNT' });
    expect(result.data!._entities[2]).toBeNull();
    expect(result.data!._entities[3]).toBeNull();
    expect(result.data!._entities[4]).toEqual({ id: NEW_PLAYER, displayName: 'Zero Gravity', achievement: { unlocked: false } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['_entities', 2], extensions: { code: 'BAD_USER_INPUT' } });
  });

  test('a User that Horizon does not know fails only its profile fields, with NOT_FOUND', async () => {
    const result = await h.execute(
      `{ _entities(representations: [{ __typename: "User", id: "4242" }, { __typename: "User", id: "${PLAYER}" }]) { ... on User { id alias } } }`,
    );
    expect(result.data!._entities[1]).toEqual({ id: PLAYER, alias: 'NovaRider' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['_entities', 0, 'alias'], extensions: { code: 'NOT_FOUND' } });
  });
});

describe('mutations', () => {
  test('addAchievementCount accumulates and reports justUnlocked only on the unlocking call', async () => {
    const add = (count: number) =>
      h.execute(
        `mutation($u: ID!, $n: Long!) { addAchievementCount(userId: $u, apiName: "COLLECT_100_GEMS", count: $n) { justUnlocked progress { count unlocked unlockedAt user { id } definition { apiName } } } }`,
        { u: NEW_PLAYER, n: count },
      );
    const first = await add(60);
    expect(first.errors).toBeUndefined();
    expect(first.data!.addAchievementCount).toEqual({
      justUnlocked: false,
      progress: { count: '60', unlocked: false, unlockedAt: null, user: { id: NEW_PLAYER }, definition: { apiName: 'COLLECT_100_GEMS' } },
    });
    const second = await add(40);
    expect(second.data!.addAchievementCount.justUnlocked).toBe(true);
    expect(second.data!.addAchievementCount.progress).toMatchObject({ count: '100', unlocked: true });
    expect(second.data!.addAchievementCount.progress.unlockedAt).not.toBeNull();
    const third = await add(1);
    expect(third.data!.addAchievementCount).toMatchObject({ justUnlocked: false, progress: { count: '101', unlocked: true } });
  });

  test('addAchievementBits OR-merges and unlocks at the target', async () => {
    const add = (bits: string) =>
      h.execute(
        `mutation { addAchievementBits(userId: "${NEW_PLAYER}", apiName: "VISIT_3_CONTINENTS", bits: "${bits}") { justUnlocked progress { bitfield unlocked } } }`,
      );
    expect((await add('1001100')).data!.addAchievementBits).toEqual({ justUnlocked: true, progress: { bitfield: '1001100', unlocked: true } });
    expect((await add('0000011')).data!.addAchievementBits).toEqual({ justUnlocked: false, progress: { bitfield: '1001111', unlocked: true } });
  });

  test('unlockAchievement unlocks once', async () => {
    const unlock = () => h.execute(`mutation { unlockAchievement(userId: "${NEW_PLAYER}", apiName: "FIRST_STEPS") { justUnlocked progress { unlocked } } }`);
    expect((await unlock()).data!.unlockAchievement).toEqual({ justUnlocked: true, progress: { unlocked: true } });
    expect((await unlock()).data!.unlockAchievement).toEqual({ justUnlocked: false, progress: { unlocked: true } });
  });

  test.each([
    ['unknown achievement', `unlockAchievement(userId: "${PLAYER}", apiName: "NOPE")`, 'NOT_FOUND'],
    ['wrong type for addAchievementCount', `addAchievementCount(userId: "${PLAYER}", apiName: "FIRST_STEPS", count: 1)`, 'BAD_USER_INPUT'],
    ['non-positive count', `addAchievementCount(userId: "${PLAYER}", apiName: "COLLECT_100_GEMS", count: 0)`, 'BAD_USER_INPUT'],
    ['bits of the wrong length', `addAchievementBits(userId: "${PLAYER}", apiName: "VISIT_3_CONTINENTS", bits: "101")`, 'BAD_USER_INPUT'],
    ['bits that are not 0/1', `addAchievementBits(userId: "${PLAYER}", apiName: "VISIT_3_CONTINENTS", bits: "10a0100")`, 'BAD_USER_INPUT'],
    ['archived achievement', `unlockAchievement(userId: "${PLAYER}", apiName: "BETA_TESTER")`, 'BAD_USER_INPUT'],
    ['malformed user id', `unlockAchievement(userId: "me", apiName: "FIRST_STEPS")`, 'BAD_USER_INPUT'],
  ])('%s is refused with %s before any write reaches Horizon', async (_name, field, code) => {
    h.resetUpstream();
    const result = await h.execute(`mutation { result: ${field} { justUnlocked } }`);
    expect(result.data).toEqual({ result: null });
    expect(result.errors?.[0].extensions.code).toBe(code);
    expect(h.upstream(ROUTES.writeProgress)).toHaveLength(0);
  });

  test('upstream refusals keep their meaning: unknown user is NOT_FOUND, a client-authoritative achievement BAD_USER_INPUT', async () => {
    const unknownUser = await h.execute(`mutation { unlockAchievement(userId: "4242", apiName: "FIRST_STEPS") { justUnlocked } }`);
    expect(unknownUser.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 400, code: 100 } });
    const clientOwned = await h.execute(`mutation { unlockAchievement(userId: "${PLAYER}", apiName: "SPEED_DEMON") { justUnlocked } }`);
    expect(clientOwned.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(clientOwned.errors?.[0].message).toMatch(/CLIENT_AUTHORITATIVE/);
    expect(clientOwned.errors?.[0].extensions.upstream.fbtraceId).toEqual(expect.any(String));
  });

  test('one failing mutation does not undo or hide its neighbours', async () => {
    const result = await h.execute(`mutation {
      ok: unlockAchievement(userId: "${NEW_PLAYER}", apiName: "SECRET_ROOM") { justUnlocked }
      bad: unlockAchievement(userId: "${NEW_PLAYER}", apiName: "NOPE") { justUnlocked }
    }`);
    expect(result.data).toEqual({ ok: { justUnlocked: true }, bad: null });
    expect(result.errors).toHaveLength(1);
  });
});

describe('counts and targets past 32 bits (Long)', () => {
  const addCount = (count: string) =>
    h.execute(
      `mutation($u: ID!, $n: Long!) { addAchievementCount(userId: $u, apiName: "COLLECT_100_GEMS", count: $n) { justUnlocked progress { count unlocked } } }`,
      { u: NEW_PLAYER, n: count },
    );
  const readBack = () =>
    h.execute(
      `query($id: ID!) { user(id: $id) { achievements { definition { apiName target } count } achievement(apiName: "COLLECT_100_GEMS") { count unlocked } } }`,
      { id: NEW_PLAYER },
    );

  test('a player whose count passed 2^31 still reads back, every field, exactly', async () => {
    expect((await addCount('4')).errors).toBeUndefined();
    for (let i = 0; i < 7; i++) {
      const added = await addCount(String(2 ** 32));
      expect(added.errors).toBeUndefined();
    }
    // 7 * 2^32 + 4: the value that made every read fail with "Int cannot represent non 32-bit signed integer value".
    const result = await readBack();
    expect(result.errors).toBeUndefined();
    expect(result.data!.user.achievement).toEqual({ count: '30064771076', unlocked: true });
    const gems = result.data!.user.achievements.find((p: any) => p.definition.apiName === 'COLLECT_100_GEMS');
    expect(gems).toEqual({ definition: { apiName: 'COLLECT_100_GEMS', target: '100' }, count: '30064771076' });
  });

  test('a count is taken as an integer literal too, and stays exact past 2^53', async () => {
    const literal = await h.execute(
      `mutation { addAchievementCount(userId: "${NEW_PLAYER}", apiName: "COLLECT_100_GEMS", count: 9007199254740993) { progress { count } } }`,
    );
    expect(literal.errors).toBeUndefined();
    expect(literal.data!.addAchievementCount.progress.count).toBe('9007199254740993');
    expect((await addCount('2')).data!.addAchievementCount.progress.count).toBe('9007199254740995');
    expect(h.emulator.state.progressOf(NEW_PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(9_007_199_254_740_995n);
    const result = await readBack();
    expect(result.errors).toBeUndefined();
    expect(result.data!.user.achievement.count).toBe('9007199254740995');
  });

  test('a target past 2^53 is written and read back exactly', async () => {
    const upsert = await h.execute(
      `mutation { upsertAchievementDefinition(input: { apiName: "GRAINS_OF_SAND", type: COUNT, writePolicy: SERVER_AUTHORITATIVE, target: "9007199254740993" }) { target } }`,
    );
    expect(upsert.errors).toBeUndefined();
    expect(upsert.data!.upsertAchievementDefinition).toEqual({ target: '9007199254740993' });
    const read = await h.execute(`{ achievementDefinitions(apiNames: ["GRAINS_OF_SAND"]) { target } }`);
    expect(read.data!.achievementDefinitions).toEqual([{ target: '9007199254740993' }]);
  });

  test('counts and targets must be positive, and counts 64-bit: refused before anything is written', async () => {
    h.resetUpstream();
    const negative = await addCount('-3');
    expect(negative.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'count' });
    const tooBig = await addCount('9223372036854775808');
    expect(tooBig.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const zeroTarget = await h.execute(
      `mutation { upsertAchievementDefinition(input: { apiName: "NOPE", type: COUNT, writePolicy: SERVER_AUTHORITATIVE, target: "0" }) { target } }`,
    );
    expect(zeroTarget.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.target' });
    expect(h.upstream(ROUTES.writeProgress)).toHaveLength(0);
    expect(h.upstream(ROUTES.upsertDefinition)).toHaveLength(0);
  });
});

describe('upstream failures', () => {
  test('bad app credentials surface as UPSTREAM_AUTH_FAILED without the secret', async () => {
    await h.close();
    h = await startHarness({ emulator: { appSecret: 'the-emulator-expects-this' } });
    const { HorizonClient } = await import('../../src/horizon/client.js');
    const wrong = HorizonClient.create({
      baseUrl: h.emulator.url,
      appId: h.emulator.appId,
      appSecret: 'WRONG-secret-value-123',
      maxConnections: 2,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
    const { createContext } = await import('../../src/graphql/context.js');
    const { silentLogger } = await import('../helpers/harness.js');
    const response = await h.server.executeOperation(
      { query: `{ achievementDefinitions { apiName } }` },
      { contextValue: createContext({ horizon: wrong, logger: silentLogger, requestId: 'bad-creds' }) },
    );
    await wrong.close();
    const body = JSON.stringify(response.body);
    expect(body).toContain('UPSTREAM_AUTH_FAILED');
    expect(body).not.toContain('WRONG-secret-value-123');
  });
});
