/**
 * What a player's achievements read as when Horizon sends progress and numbers in the shapes
 * docs/horizon-api.md records: the same answer as the documented shape, from no more upstream
 * calls than the definitions the operation needs anyway.
 */
import { demoUserId } from '../../src/emulator/index.js';
import type { EmulatorBehavior } from '../../src/emulator/state.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

const PLAYER = demoUserId(0);
const NEW_PLAYER = demoUserId(11);

const QUERY = `query($id: ID!) { user(id: $id) {
  achievements { definition { apiName title type target bitfieldLength } unlocked unlockedAt count bitfield }
  archived: achievement(apiName: "BETA_TESTER") { unlocked unlockedAt definition { archived } }
  gems: achievement(apiName: "COLLECT_100_GEMS") { count definition { target } }
} }`;

const VARIANTS: Array<[string, Partial<EmulatorBehavior>]> = [
  ['the docs (nested definition)', {}],
  ['numbers as numeric strings', { achievementNumbersAsStrings: true }],
  ['no nested definition: top-level api_name and target', { refuseProgressDefinition: true }],
  ['only the documented fields', { refuseProgressDefinition: true, refuseProgressApiName: true }],
  ['a definition without its api_name', { omitProgressDefinitionApiName: true }],
  ['only the documented fields, numbers as strings', { refuseProgressDefinition: true, refuseProgressApiName: true, achievementNumbersAsStrings: true }],
];

let expected: Record<string, any>;
beforeAll(async () => {
  const h = await startHarness();
  try {
    const result = await h.execute(QUERY, { id: PLAYER });
    expect(result.errors).toBeUndefined();
    expected = result.data!;
  } finally {
    await h.close();
  }
});

test('the expected answer is the seeded progress', () => {
  const gems = expected.user.achievements.find((p: any) => p.definition.apiName === 'COLLECT_100_GEMS');
  expect(gems).toMatchObject({ count: '15', unlocked: false, definition: { target: '100' } });
  expect(expected.user.archived).toMatchObject({ unlocked: true, definition: { archived: true } });
  expect(expected.user.achievements.find((p: any) => p.definition.apiName === 'VISIT_3_CONTINENTS')).toMatchObject({ bitfield: '1000100' });
});

describe.each(VARIANTS)('%s', (_name, behavior) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ emulator: { behavior } });
  });
  afterEach(async () => {
    await h.close();
  });

  test('a player reads the same as with the documented shape, with one definitions listing, then none', async () => {
    const first = await h.execute(QUERY, { id: PLAYER });
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual(expected);
    // The listing the operation needs for the definitions anyway, shared with naming the records.
    expect(h.upstream(ROUTES.definitions)).toHaveLength(1);
    expect(h.upstream(ROUTES.progress).filter((r) => r.status === 200)).toHaveLength(1);

    // The next operation: refused selections are remembered, definitions come from the shared cache.
    h.resetUpstream();
    const second = await h.execute(QUERY, { id: PLAYER });
    expect(second.data).toEqual(expected);
    expect(h.upstream(ROUTES.progress).map((r) => r.status)).toEqual([200]);
    expect(h.upstream(ROUTES.definitions)).toHaveLength(0);
  });

  test('writes read their progress back, with and without an idempotency key', async () => {
    const add = (count: string, key?: string) =>
      h.execute(
        `mutation($u: ID!, $n: Long!, $k: String) { addAchievementCount(userId: $u, apiName: "COLLECT_100_GEMS", count: $n, idempotencyKey: $k) { justUnlocked settledBy progress { count unlocked } } }`,
        { u: NEW_PLAYER, n: count, k: key },
      );
    const first = await add('60');
    expect(first.errors).toBeUndefined();
    expect(first.data!.addAchievementCount).toEqual({ justUnlocked: false, settledBy: 'REPLY', progress: { count: '60', unlocked: false } });
    const keyed = await add('4294967296', `variant-${Date.now()}`);
    expect(keyed.errors).toBeUndefined();
    expect(keyed.data!.addAchievementCount).toEqual({ justUnlocked: true, settledBy: 'REPLY', progress: { count: '4294967356', unlocked: true } });
  });

  test('progress on an achievement the app no longer has is left out, never an error', async () => {
    h.emulator.state.achievementDefinitions.delete('FIRST_STEPS');
    const result = await h.execute(QUERY, { id: PLAYER });
    expect(result.errors).toBeUndefined();
    const names = result.data!.user.achievements.map((p: any) => p.definition.apiName);
    expect(names).not.toContain('FIRST_STEPS');
    expect(names).toContain('COLLECT_100_GEMS');
  });
});
