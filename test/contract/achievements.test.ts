/** The achievements client (docs/horizon-api.md) against a real emulator over loopback HTTP. */
import { demoUserId, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { AchievementDefinition } from '../../src/horizon/achievements.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { apiError, freshWorld } from '../helpers/contract.js';

const SEEDED_ACTIVE = ['FIRST_STEPS', 'SPEED_DEMON', 'COLLECT_100_GEMS', 'WIN_10_MATCHES', 'VISIT_3_CONTINENTS', 'FIND_ALL_RELICS', 'SECRET_ROOM'];
const PLAYER = demoUserId(0); // seeded with progress
const OTHER_PLAYER = demoUserId(1); // seeded with progress
const FRESH_PLAYER = demoUserId(11); // seeded with no progress
const UNKNOWN_USER = '4242424242';

describe('read-only, one shared emulator', () => {
  let emulator: RunningEmulator;
  let client: HorizonClient;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = clientFor(emulator);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  describe('listDefinitions', () => {
    test('lists every non-archived definition, normalized', async () => {
      const definitions = await client.achievements.listDefinitions();
      expect(definitions.map((d) => d.apiName).sort()).toEqual([...SEEDED_ACTIVE].sort());
      const byName = new Map(definitions.map((d) => [d.apiName, d]));
      expect(byName.get('VISIT_3_CONTINENTS')).toEqual<AchievementDefinition>({
        id: expect.stringMatching(/^\d{16}$/),
        apiName: 'VISIT_3_CONTINENTS',
        type: 'BITFIELD',
        writePolicy: 'SERVER_AUTHORITATIVE',
        target: 3n,
        bitfieldLength: 7,
        archived: false,
        title: 'Globetrotter',
        description: 'Visit 3 of the 7 continents.',
        unlockedDescription: null,
        secret: false,
        lockedImageUrl: 'https://scontent.oculuscdn.com/emulator/achievements/visit_3_continents_locked.png',
        unlockedImageUrl: 'https://scontent.oculuscdn.com/emulator/achievements/visit_3_continents_unlocked.png',
      });
      expect(byName.get('COLLECT_100_GEMS')).toMatchObject({
        type: 'COUNT',
        target: 100n,
        bitfieldLength: null,
        unlockedDescription: 'You collected 100 gems.',
      });
      expect(byName.get('FIRST_STEPS')).toMatchObject({ type: 'SIMPLE', target: null, bitfieldLength: null });
      expect(byName.get('SPEED_DEMON')!.writePolicy).toBe('CLIENT_AUTHORITATIVE');
      expect(byName.get('SECRET_ROOM')!.secret).toBe(true);
    });

    test('includeArchived adds the archived one', async () => {
      const definitions = await client.achievements.listDefinitions({ includeArchived: true });
      expect(definitions).toHaveLength(SEEDED_ACTIVE.length + 1);
      expect(definitions.find((d) => d.apiName === 'BETA_TESTER')).toMatchObject({ archived: true, type: 'SIMPLE' });
    });

    test('by apiNames: only those, unknown names omitted, archived excluded unless asked', async () => {
      const names = ['COLLECT_100_GEMS', 'NO_SUCH_ACHIEVEMENT', 'BETA_TESTER', 'FIRST_STEPS'];
      const definitions = await client.achievements.listDefinitions({ apiNames: names });
      expect(definitions.map((d) => d.apiName).sort()).toEqual(['COLLECT_100_GEMS', 'FIRST_STEPS']);
      const withArchived = await client.achievements.listDefinitions({ apiNames: names, includeArchived: true });
      expect(withArchived.map((d) => d.apiName).sort()).toEqual(['BETA_TESTER', 'COLLECT_100_GEMS', 'FIRST_STEPS']);
    });

    test('an empty apiNames list answers [] without a request', async () => {
      emulator.clearRequests();
      expect(await client.achievements.listDefinitions({ apiNames: [] })).toEqual([]);
      expect(emulator.requests).toHaveLength(0);
    });

    test('an invalid api name is refused before any request', async () => {
      emulator.clearRequests();
      await expect(client.achievements.listDefinitions({ apiNames: ['OK', 'bad\nname'] })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(emulator.requests).toHaveLength(0);
    });

    test('sends the app token in the header and one request per page', async () => {
      emulator.clearRequests();
      await client.achievements.listDefinitions();
      expect(emulator.requests).toHaveLength(1);
      expect(emulator.requests[0]).toMatchObject({ route: ROUTES.definitions, token: 'app', status: 200 });
    });
  });

  describe('listProgress', () => {
    test('seeded progress with each full definition; unlock time as a Date', async () => {
      const progress = await client.achievements.listProgress(PLAYER);
      const byName = new Map(progress.map((p) => [p.apiName, p]));
      expect([...byName.keys()].sort()).toEqual(['BETA_TESTER', 'COLLECT_100_GEMS', 'FIRST_STEPS', 'VISIT_3_CONTINENTS']);

      const first = byName.get('FIRST_STEPS')!;
      expect(first).toMatchObject({ userId: PLAYER, unlocked: true, count: 0n, bitfield: null });
      expect(first.id).toMatch(/^\d{16}$/);
      expect(first.unlockedAt).toBeInstanceOf(Date);
      expect(first.unlockedAt!.getTime()).toBe(1_760_000_000 * 1000);
      expect(first.definition).toMatchObject({
        apiName: 'FIRST_STEPS',
        type: 'SIMPLE',
        writePolicy: 'SERVER_AUTHORITATIVE',
        title: 'First Steps',
        archived: false,
      });
      expect(first.definition!.lockedImageUrl).toMatch(/^https:\/\/scontent\.oculuscdn\.com\//);

      expect(byName.get('COLLECT_100_GEMS')).toMatchObject({ unlocked: false, unlockedAt: null, count: 15n });
      expect(byName.get('COLLECT_100_GEMS')!.definition).toMatchObject({ type: 'COUNT', target: 100n });
      expect(byName.get('VISIT_3_CONTINENTS')).toMatchObject({ unlocked: false, unlockedAt: null, bitfield: '1000100' });
      expect(byName.get('VISIT_3_CONTINENTS')!.definition).toMatchObject({ type: 'BITFIELD', target: 3n, bitfieldLength: 7 });
      // Progress on an archived achievement is still listed, with its definition marked archived.
      expect(byName.get('BETA_TESTER')!.definition).toMatchObject({ archived: true });
    });

    test('apiNames filters the records', async () => {
      const progress = await client.achievements.listProgress(PLAYER, { apiNames: ['COLLECT_100_GEMS', 'SPEED_DEMON'] });
      expect(progress.map((p) => p.apiName)).toEqual(['COLLECT_100_GEMS']);
    });

    test('a user with no progress has an empty list', async () => {
      expect(await client.achievements.listProgress(FRESH_PLAYER)).toEqual([]);
    });

    test('unknown user: code 100, invalid user id', async () => {
      const error = await apiError(client.achievements.listProgress(UNKNOWN_USER));
      expect(error.status).toBe(400);
      expect(error.code).toBe(100);
      expect(error.upstreamMessage).toContain('invalid user id');
    });

    test('a non-numeric user id is refused before any request', async () => {
      emulator.clearRequests();
      await expect(client.achievements.listProgress('me')).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.achievements.listProgress('123/../456')).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(emulator.requests).toHaveLength(0);
    });
  });

  describe('error envelopes', () => {
    test('a bad app secret: HTTP 400, code 190, credential app, fbtrace id', async () => {
      const bad = clientFor(emulator, { appSecret: 'not-the-emulator-secret' });
      try {
        const error = await apiError(bad.achievements.listDefinitions());
        expect(error.status).toBe(400);
        expect(error.code).toBe(190);
        expect(error.credential).toBe('app');
        expect(error.type).toBe('OAuthException');
        expect(error.fbtraceId).toMatch(/^[A-Za-z0-9]{16}$/);
        expect(error.retryable).toBe(false);
        expect(error.endpoint).toBe('GET /{app_id}/achievement_definitions');
        expect(error.message).not.toContain('not-the-emulator-secret');
      } finally {
        await bad.close();
      }
    });

    test('a token for another app id is refused the same way', async () => {
      const bad = clientFor(emulator, { appId: '999' });
      try {
        const error = await apiError(bad.achievements.listDefinitions());
        expect(error.code).toBe(190);
        expect(error.credential).toBe('app');
      } finally {
        await bad.close();
      }
    });

    test('parameter errors carry an fbtrace id too', async () => {
      const error = await apiError(client.achievements.unlock(UNKNOWN_USER, 'FIRST_STEPS'));
      expect(error.fbtraceId).toEqual(expect.any(String));
      expect(error.fbtraceId!.length).toBeGreaterThan(0);
    });
  });
});

describe('upsertDefinition', () => {
  const world = freshWorld();

  test('creates a definition, then updates it in place; the new values read back', async () => {
    const { client } = world;
    const created = await client.achievements.upsertDefinition({
      apiName: 'TEST_COUNT_DEF',
      type: 'COUNT',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: 5n,
      title: 'First title',
      description: 'First description',
    });
    expect(created.id).toMatch(/^\d{16}$/);
    const [before] = await client.achievements.listDefinitions({ apiNames: ['TEST_COUNT_DEF'] });
    expect(before).toMatchObject({
      id: created.id,
      apiName: 'TEST_COUNT_DEF',
      type: 'COUNT',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: 5n,
      title: 'First title',
      description: 'First description',
      unlockedDescription: null,
      secret: false,
      archived: false,
    });

    const updated = await client.achievements.upsertDefinition({
      apiName: 'TEST_COUNT_DEF',
      type: 'COUNT',
      writePolicy: 'CLIENT_AUTHORITATIVE',
      target: 8n,
      title: 'Second title',
      unlockedDescription: 'Done!',
      secret: true,
    });
    expect(updated.id).toBe(created.id);
    const after = await client.achievements.listDefinitions({ apiNames: ['TEST_COUNT_DEF'] });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: created.id,
      writePolicy: 'CLIENT_AUTHORITATIVE',
      target: 8n,
      title: 'Second title',
      description: 'First description', // not sent, so kept
      unlockedDescription: 'Done!',
      secret: true,
    });
    expect(await client.achievements.listDefinitions()).toHaveLength(SEEDED_ACTIVE.length + 1);
  });

  test('a BITFIELD definition keeps its length and target', async () => {
    const { client } = world;
    await client.achievements.upsertDefinition({
      apiName: 'TEST_BITS_DEF',
      type: 'BITFIELD',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: 4n,
      bitfieldLength: 5,
    });
    const [definition] = await client.achievements.listDefinitions({ apiNames: ['TEST_BITS_DEF'] });
    expect(definition).toMatchObject({ type: 'BITFIELD', target: 4n, bitfieldLength: 5 });
  });

  test('archived on create: hidden by default, listed with includeArchived', async () => {
    const { client } = world;
    await client.achievements.upsertDefinition({ apiName: 'TEST_ARCHIVED', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE', archived: true });
    expect(await client.achievements.listDefinitions({ apiNames: ['TEST_ARCHIVED'] })).toEqual([]);
    expect(await client.achievements.listDefinitions({ apiNames: ['TEST_ARCHIVED'], includeArchived: true })).toEqual([
      expect.objectContaining({ apiName: 'TEST_ARCHIVED', archived: true }),
    ]);
  });

  test('an update that does not mention archived keeps the definition archived', async () => {
    const { client } = world;
    await client.achievements.upsertDefinition({ apiName: 'TEST_STAYS_ARCHIVED', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE', archived: true });
    await client.achievements.upsertDefinition({ apiName: 'TEST_STAYS_ARCHIVED', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE', title: 'Renamed' });
    expect(await client.achievements.listDefinitions({ apiNames: ['TEST_STAYS_ARCHIVED'] })).toEqual([]);
    expect(await client.achievements.listDefinitions({ apiNames: ['TEST_STAYS_ARCHIVED'], includeArchived: true })).toEqual([
      expect.objectContaining({ apiName: 'TEST_STAYS_ARCHIVED', archived: true, title: 'Renamed' }),
    ]);
  });

  test.each([
    ['BITFIELD without bitfield_length', { apiName: 'BAD_1', type: 'BITFIELD', writePolicy: 'SERVER_AUTHORITATIVE', target: 2n }],
    ['COUNT without target', { apiName: 'BAD_2', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE' }],
    ['target above bitfield_length', { apiName: 'BAD_3', type: 'BITFIELD', writePolicy: 'SERVER_AUTHORITATIVE', target: 9n, bitfieldLength: 5 }],
    ['bitfield_length above the maximum', { apiName: 'BAD_4', type: 'BITFIELD', writePolicy: 'SERVER_AUTHORITATIVE', target: 1n, bitfieldLength: 5000 }],
    ['changing the type of an existing one', { apiName: 'FIRST_STEPS', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: 3n }],
  ] as const)('invalid parameters (%s): HTTP 400, code 100, nothing stored', async (_label, input) => {
    const { client } = world;
    const error = await apiError(client.achievements.upsertDefinition(input));
    expect(error.status).toBe(400);
    expect(error.code).toBe(100);
    expect(error.credential).toBe('app');
    const stored = await client.achievements.listDefinitions({ apiNames: [input.apiName], includeArchived: true });
    if (input.apiName === 'FIRST_STEPS') expect(stored[0]).toMatchObject({ type: 'SIMPLE' });
    else expect(stored).toEqual([]);
  });

  test('an invalid api name is refused before any request', async () => {
    const { client, emulator } = world;
    emulator.clearRequests();
    await expect(client.achievements.upsertDefinition({ apiName: 'has\u0000nul', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(emulator.requests).toHaveLength(0);
  });

  test('definitions beyond one page are all collected', async () => {
    const { client, emulator } = world;
    for (let i = 0; i < 520; i++) {
      const apiName = `BULK_${String(i).padStart(3, '0')}`;
      emulator.state.achievementDefinitions.set(apiName, {
        id: emulator.state.newId(),
        api_name: apiName,
        achievement_type: 'SIMPLE',
        achievement_write_policy: 'SERVER_AUTHORITATIVE',
        is_archived: false,
        is_secret: false,
      });
    }
    emulator.clearRequests();
    const definitions = await client.achievements.listDefinitions();
    expect(definitions).toHaveLength(SEEDED_ACTIVE.length + 520);
    expect(new Set(definitions.map((d) => d.apiName)).size).toBe(definitions.length);
    expect(emulator.requests.filter((r) => r.route === ROUTES.definitions)).toHaveLength(2);
  });
});

describe('progress writes', () => {
  const world = freshWorld();

  async function progressOf(userId: string, apiName: string) {
    const list = await world.client.achievements.listProgress(userId, { apiNames: [apiName] });
    expect(list.length).toBeLessThanOrEqual(1);
    return list[0];
  }

  test('unlock: justUnlocked only on the unlocking call; unlock time recorded', async () => {
    const { client } = world;
    const before = Math.floor(Date.now() / 1000) * 1000;
    const first = await client.achievements.unlock(FRESH_PLAYER, 'FIRST_STEPS');
    expect(first).toMatchObject({ apiName: 'FIRST_STEPS', justUnlocked: true });
    expect(first.id).toMatch(/^\d+$/);
    const second = await client.achievements.unlock(FRESH_PLAYER, 'FIRST_STEPS');
    expect(second.justUnlocked).toBe(false);
    expect(second.id).toBe(first.id);

    const progress = await progressOf(FRESH_PLAYER, 'FIRST_STEPS');
    expect(progress).toMatchObject({ id: first.id, unlocked: true, userId: FRESH_PLAYER });
    expect(progress!.unlockedAt).toBeInstanceOf(Date);
    expect(progress!.unlockedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(progress!.unlockedAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('addCount accumulates; justUnlocked once, when the target is reached', async () => {
    const { client } = world;
    expect((await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 40)).justUnlocked).toBe(false);
    expect(await progressOf(FRESH_PLAYER, 'COLLECT_100_GEMS')).toMatchObject({ count: 40n, unlocked: false, unlockedAt: null });
    expect((await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 50)).justUnlocked).toBe(false);
    expect(await progressOf(FRESH_PLAYER, 'COLLECT_100_GEMS')).toMatchObject({ count: 90n, unlocked: false });
    expect((await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 10)).justUnlocked).toBe(true);
    const unlocked = await progressOf(FRESH_PLAYER, 'COLLECT_100_GEMS');
    expect(unlocked).toMatchObject({ count: 100n, unlocked: true });
    expect(unlocked!.unlockedAt).toBeInstanceOf(Date);
    expect((await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 1)).justUnlocked).toBe(false);
    expect((await progressOf(FRESH_PLAYER, 'COLLECT_100_GEMS'))!.unlocked).toBe(true);
  });

  test('addCount continues from seeded progress', async () => {
    const { client } = world;
    await client.achievements.addCount(PLAYER, 'COLLECT_100_GEMS', 5);
    expect((await progressOf(PLAYER, 'COLLECT_100_GEMS'))!.count).toBe(20n);
  });

  test('addBits OR-merges: 10011 then 00110 gives 10111; justUnlocked once all bits are set', async () => {
    const { client } = world;
    await client.achievements.upsertDefinition({
      apiName: 'TEST_FIVE_BITS',
      type: 'BITFIELD',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: 5n,
      bitfieldLength: 5,
    });
    expect((await client.achievements.addBits(FRESH_PLAYER, 'TEST_FIVE_BITS', '10011')).justUnlocked).toBe(false);
    expect(await progressOf(FRESH_PLAYER, 'TEST_FIVE_BITS')).toMatchObject({ bitfield: '10011', unlocked: false });
    expect((await client.achievements.addBits(FRESH_PLAYER, 'TEST_FIVE_BITS', '00110')).justUnlocked).toBe(false);
    const merged = await progressOf(FRESH_PLAYER, 'TEST_FIVE_BITS');
    expect(merged).toMatchObject({ bitfield: '10111', unlocked: false, unlockedAt: null });
    expect(merged!.definition).toMatchObject({ type: 'BITFIELD', bitfieldLength: 5, target: 5n });
    expect((await client.achievements.addBits(FRESH_PLAYER, 'TEST_FIVE_BITS', '01000')).justUnlocked).toBe(true);
    expect(await progressOf(FRESH_PLAYER, 'TEST_FIVE_BITS')).toMatchObject({ bitfield: '11111', unlocked: true });
    expect((await client.achievements.addBits(FRESH_PLAYER, 'TEST_FIVE_BITS', '00001')).justUnlocked).toBe(false);
  });

  test('more bits than bitfield_length: code 100', async () => {
    const { client } = world;
    await client.achievements.upsertDefinition({
      apiName: 'TEST_FIVE_BITS',
      type: 'BITFIELD',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: 5n,
      bitfieldLength: 5,
    });
    const error = await apiError(client.achievements.addBits(FRESH_PLAYER, 'TEST_FIVE_BITS', '111111'));
    expect(error.code).toBe(100);
    expect(await progressOf(FRESH_PLAYER, 'TEST_FIVE_BITS')).toBeUndefined();
  });

  test('writes to CLIENT_AUTHORITATIVE achievements are refused with code 100 and store nothing', async () => {
    const { client } = world;
    for (const call of [
      () => client.achievements.unlock(FRESH_PLAYER, 'SPEED_DEMON'),
      () => client.achievements.addCount(FRESH_PLAYER, 'WIN_10_MATCHES', 1),
      () => client.achievements.addBits(FRESH_PLAYER, 'FIND_ALL_RELICS', '1'),
    ]) {
      const error = await apiError(call());
      expect(error.status).toBe(400);
      expect(error.code).toBe(100);
      expect(error.upstreamMessage).toContain('CLIENT_AUTHORITATIVE');
    }
    expect(await client.achievements.listProgress(FRESH_PLAYER)).toEqual([]);
  });

  test('writes to an archived achievement are refused with code 100', async () => {
    const error = await apiError(world.client.achievements.unlock(FRESH_PLAYER, 'BETA_TESTER'));
    expect(error.code).toBe(100);
  });

  test('an unknown api name is code 100', async () => {
    const error = await apiError(world.client.achievements.unlock(FRESH_PLAYER, 'NO_SUCH_ACHIEVEMENT'));
    expect(error.code).toBe(100);
  });

  test('a write of the wrong kind (add_count on a SIMPLE one) is code 100', async () => {
    const error = await apiError(world.client.achievements.addCount(FRESH_PLAYER, 'FIRST_STEPS', 1));
    expect(error.code).toBe(100);
  });

  test("unknown user: code 100 'invalid user id'", async () => {
    const error = await apiError(world.client.achievements.unlock(UNKNOWN_USER, 'FIRST_STEPS'));
    expect(error.status).toBe(400);
    expect(error.code).toBe(100);
    expect(error.upstreamMessage).toContain('invalid user id');
    expect(error.endpoint).toBe('POST /{user_id}/achievements');
  });

  test('client-side argument checks send nothing', async () => {
    const { client, emulator } = world;
    emulator.clearRequests();
    expect(() => client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 0)).toThrow(InvalidArgumentError);
    expect(() => client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 1.5)).toThrow(InvalidArgumentError);
    expect(() => client.achievements.addBits(FRESH_PLAYER, 'TEST', '10201')).toThrow(InvalidArgumentError);
    expect(() => client.achievements.addBits(FRESH_PLAYER, 'TEST', '')).toThrow(InvalidArgumentError);
    await expect(client.achievements.unlock('not-an-id', 'FIRST_STEPS')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.achievements.unlock(FRESH_PLAYER, 'bad\u2028name')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
  });

  test('removeAll resets one user and leaves the others alone', async () => {
    const { client } = world;
    expect((await client.achievements.listProgress(PLAYER)).length).toBeGreaterThan(0);
    const otherBefore = await client.achievements.listProgress(OTHER_PLAYER);
    expect(otherBefore.length).toBeGreaterThan(0);

    expect(await client.achievements.removeAll(PLAYER)).toBe(true);
    expect(await client.achievements.listProgress(PLAYER)).toEqual([]);
    expect(await client.achievements.listProgress(OTHER_PLAYER)).toEqual(otherBefore);

    // After the reset the achievement can be unlocked again, and that call is the unlocking one.
    expect((await client.achievements.unlock(PLAYER, 'FIRST_STEPS')).justUnlocked).toBe(true);
  });

  test("removeAll for an unknown user: code 100 'invalid user id'", async () => {
    const error = await apiError(world.client.achievements.removeAll(UNKNOWN_USER));
    expect(error.code).toBe(100);
    expect(error.upstreamMessage).toContain('invalid user id');
  });
});
