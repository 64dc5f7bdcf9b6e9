/** Resolver tests: viewer, user proof, achievements admin, moderated rooms. */
import { DEMO_ROOM_ID, demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { issueNonce, ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const asPlayer = (query: string, userToken: string | undefined, variables?: Record<string, unknown>) => h.execute(query, variables, { userToken });

describe('viewer', () => {
  test('resolves the calling player from their user token, once per request', async () => {
    h.resetUpstream();
    const result = await asPlayer(`{ viewer { id displayName orgScopedId } again: viewer { alias } }`, demoUserToken(3));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      viewer: { id: demoUserId(3), displayName: 'Luna Byte', orgScopedId: expect.stringMatching(/^\d+$/) },
      again: { alias: 'LunaByte' },
    });
    expect(h.upstream(ROUTES.me)).toHaveLength(1);
    expect(h.upstream(ROUTES.node)).toHaveLength(0); // the profile came with /me
  });

  test('without the header only the viewer field fails, with UNAUTHENTICATED', async () => {
    const result = await asPlayer(`{ viewer { id } user(id: "${demoUserId(0)}") { displayName } }`, undefined);
    expect(result.data).toEqual({ viewer: null, user: { displayName: 'Nova Rider' } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['viewer'], extensions: { code: 'UNAUTHENTICATED' } });
    expect(result.errors![0].message).toMatch(/x-horizon-user-token/);
  });

  test('an invalid token is UNAUTHENTICATED and is not echoed back', async () => {
    const token = 'FRLnotARealTokenButLongEnough1234567890';
    const result = await asPlayer(`{ viewer { id } }`, token);
    expect(result.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(result)).not.toContain(token);
  });
});

describe('User.avatarUrl (avatar_v2, a guessed field)', () => {
  test("comes with the profile's own call; null for a player without one", async () => {
    h.resetUpstream();
    const result = await h.execute(`{ a: user(id: "${demoUserId(2)}") { displayName avatarUrl } b: user(id: "${demoUserId(11)}") { avatarUrl } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      a: { displayName: 'Quiet Storm', avatarUrl: 'https://scontent.oculuscdn.com/emulator/avatars/v2/quietstorm.png' },
      b: { avatarUrl: null },
    });
    expect(h.upstream(ROUTES.node)).toHaveLength(2);
  });

  test("the viewer's comes with /me", async () => {
    h.resetUpstream();
    const result = await asPlayer(`{ viewer { avatarUrl } }`, demoUserToken(3));
    expect(result.data).toEqual({ viewer: { avatarUrl: 'https://scontent.oculuscdn.com/emulator/avatars/v2/lunabyte.png' } });
    expect(h.upstream().map((r) => r.route)).toEqual([ROUTES.me]);
  });

  test('players nested in leaderboard entries lack it: read by their own GET, once each; names still cost nothing', async () => {
    h.resetUpstream();
    const result = await h.execute(
      `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { nodes { user { id displayName avatarUrl again: avatarUrl } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const users = result.data!.leaderboard.entries.nodes.map((n: any) => n.user);
    expect(users).toHaveLength(3);
    for (const user of users) {
      expect(user.displayName).toEqual(expect.any(String));
      expect(user.avatarUrl).toBe(h.emulator.state.users.get(user.id)?.avatar_v2?.avatar_image.uri ?? null);
      expect(user.again).toBe(user.avatarUrl);
    }
    expect(
      h
        .upstream(ROUTES.node)
        .map((r) => r.path)
        .sort(),
    ).toEqual(users.map((u: any) => `/${u.id}`).sort());
  });

  test('a Horizon that refuses the field: null, and every documented profile field still read', async () => {
    const strict = await startHarness({ emulator: { behavior: { refuseGuessedFields: true } } });
    try {
      const result = await strict.execute(`{ user(id: "${demoUserId(2)}") { alias displayName profileUrl orgScopedId avatarUrl } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data!.user).toEqual({
        alias: 'QuietStorm',
        displayName: 'Quiet Storm',
        profileUrl: 'https://scontent.oculuscdn.com/emulator/avatars/quietstorm.png',
        orgScopedId: expect.stringMatching(/^\d+$/),
        avatarUrl: null,
      });
      expect(strict.upstream(ROUTES.node).map((r) => r.status)).toEqual([400, 200]);
    } finally {
      await strict.close();
    }
  });
});

describe('validateUserNonce', () => {
  test('is valid once, then false, with no error either time', async () => {
    const nonce = await issueNonce(h.emulator.url, 5);
    const check = () => h.execute(`mutation($n: String!) { validateUserNonce(userId: "${demoUserId(5)}", nonce: $n) { valid user { id } } }`, { n: nonce });
    expect((await check()).data!.validateUserNonce).toEqual({ valid: true, user: { id: demoUserId(5) } });
    const second = await check();
    expect(second.errors).toBeUndefined();
    expect(second.data!.validateUserNonce.valid).toBe(false);
  });

  test('a malformed nonce is BAD_USER_INPUT', async () => {
    const result = await h.execute(`mutation { validateUserNonce(userId: "${demoUserId(5)}", nonce: "") { valid } }`);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'nonce' });
  });
});

describe('achievements admin', () => {
  test('upsertAchievementDefinition creates, then updates, and returns what Horizon stored', async () => {
    const create = await h.execute(`mutation { upsertAchievementDefinition(input: {
      apiName: "DAILY_LOGINS", type: COUNT, writePolicy: SERVER_AUTHORITATIVE, target: 7, title: "Regular", description: "Log in 7 days" }) {
      apiName type writePolicy target archived title } }`);
    expect(create.errors).toBeUndefined();
    expect(create.data!.upsertAchievementDefinition).toEqual({
      apiName: 'DAILY_LOGINS',
      type: 'COUNT',
      writePolicy: 'SERVER_AUTHORITATIVE',
      target: '7',
      archived: false,
      title: 'Regular',
    });
    const update = await h.execute(`mutation { upsertAchievementDefinition(input: {
      apiName: "DAILY_LOGINS", type: COUNT, writePolicy: SERVER_AUTHORITATIVE, target: 10, title: "Devoted" }) { target title } }`);
    expect(update.data!.upsertAchievementDefinition).toEqual({ target: '10', title: 'Devoted' });
    const progress = await h.execute(`mutation { addAchievementCount(userId: "${demoUserId(0)}", apiName: "DAILY_LOGINS", count: 10) { justUnlocked } }`);
    expect(progress.data!.addAchievementCount.justUnlocked).toBe(true);
  });

  test('type rules are checked before sending', async () => {
    h.resetUpstream();
    const result = await h.execute(
      `mutation { upsertAchievementDefinition(input: { apiName: "BITS", type: BITFIELD, writePolicy: SERVER_AUTHORITATIVE, target: 5, bitfieldLength: 3 }) { apiName } }`,
    );
    expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream(ROUTES.upsertDefinition)).toHaveLength(0);
  });

  test('resetAchievements leaves the player with untouched achievements', async () => {
    const result = await h.execute(`mutation { resetAchievements(userId: "${demoUserId(0)}") { success user { achievements { unlocked count } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.resetAchievements.success).toBe(true);
    for (const progress of result.data!.resetAchievements.user.achievements) expect(progress.unlocked).toBe(false);
  });
});

describe('moderated rooms (deprecated)', () => {
  test('create, update the data store, read, delete', async () => {
    const created = await h.execute(`mutation { createModeratedRoom(maxUsers: 4) { success room { id maxUsers dataStore { key value } } } }`);
    expect(created.errors).toBeUndefined();
    const room = created.data!.createModeratedRoom.room;
    expect(room).toMatchObject({ maxUsers: 4, dataStore: [] });
    const updated = await h.execute(
      `mutation($id: ID!) { updateModeratedRoomDataStore(roomId: $id, entries: [{ key: "round", value: "3" }]) { success room { dataStore { key value } version } } }`,
      { id: room.id },
    );
    expect(updated.data!.updateModeratedRoomDataStore).toMatchObject({ success: true, room: { dataStore: [{ key: 'round', value: '3' }] } });
    const deleted = await h.execute(`mutation($id: ID!) { deleteModeratedRoom(roomId: $id) { success room { id } } }`, { id: room.id });
    expect(deleted.data!.deleteModeratedRoom).toEqual({ success: true, room: null });
    const gone = await h.execute(`query($id: ID!) { moderatedRoom(id: $id) { id } }`, { id: room.id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data!.moderatedRoom).toBeNull();
  });

  test('demo data has a room to read', async () => {
    const result = await h.execute(`{ moderatedRoom(id: "${DEMO_ROOM_ID}") { id name maxUsers owner { displayName } dataStore { key value } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.moderatedRoom).toEqual({
      id: DEMO_ROOM_ID,
      name: 'Demo Lobby',
      maxUsers: 8,
      owner: { displayName: expect.any(String) },
      dataStore: [
        { key: 'map', value: 'frozen_peaks' },
        { key: 'round', value: '1' },
      ],
    });
  });

  test('a creation retried with its idempotencyKey makes one room; a lost reply is unknown, never a second room', async () => {
    const create = (key: string) => h.execute(`mutation { createModeratedRoom(maxUsers: 6, idempotencyKey: "${key}") { settledBy room { id } } }`);
    const before = h.emulator.state.rooms.size;
    const first = await create('room-key-1');
    const again = await create('room-key-1');
    expect(first.data!.createModeratedRoom.settledBy).toBe('REPLY');
    expect(again.data!.createModeratedRoom).toEqual({ settledBy: 'REPLAYED', room: first.data!.createModeratedRoom.room });
    expect(h.emulator.state.rooms.size).toBe(before + 1);
    // The reply is lost after the room was made: Horizon lists no rooms, so nothing can say; no retry creates another.
    Object.assign(h.emulator.faults, { modes: ['reset_after'], errorRate: 1, routes: ['POST /room_moderated_create'] });
    try {
      const lost = await create('room-key-2');
      expect(lost.errors![0].extensions.code).toBe('WRITE_OUTCOME_UNKNOWN');
      Object.assign(h.emulator.faults, { errorRate: 0 });
      const retried = await create('room-key-2');
      expect(retried.errors![0].extensions.code).toBe('WRITE_OUTCOME_UNKNOWN');
    } finally {
      Object.assign(h.emulator.faults, { errorRate: 0, routes: [] });
    }
    expect(h.emulator.state.rooms.size).toBe(before + 2);
  });

  test('the SDL marks room fields deprecated with a reason', async () => {
    const result = await h.execute(`{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`);
    const create = result.data!.__type.fields.find((f: any) => f.name === 'createModeratedRoom');
    expect(create).toMatchObject({ isDeprecated: true, deprecationReason: expect.stringMatching(/deprecated by Meta/) });
  });
});
