/** Client contract tests against the emulator: user-proof nonces and moderated rooms. */
import { DEMO_ROOM_ID, demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import { HorizonApiError } from '../../src/horizon/errors.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { issueNonce } from '../helpers/harness.js';
import { closeWorld, openWorld } from '../helpers/contract.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld()));
afterAll(() => closeWorld({ emulator, client }));

describe('user_nonce_validate', () => {
  test('a nonce is valid once, for the player it was issued to', async () => {
    const nonce = await issueNonce(emulator.url, 0);
    expect(await client.users.validateNonce(demoUserId(0), nonce)).toBe(true);
    expect(await client.users.validateNonce(demoUserId(0), nonce)).toBe(false);
  });

  test("another player's nonce is not valid, and the check still spends it", async () => {
    const nonce = await issueNonce(emulator.url, 1);
    expect(await client.users.validateNonce(demoUserId(2), nonce)).toBe(false);
    expect(await client.users.validateNonce(demoUserId(1), nonce)).toBe(false);
  });

  test('unknown user is a code 100 error; malformed input never leaves the client', async () => {
    await expect(client.users.validateNonce('4242', 'abc')).rejects.toMatchObject({ code: 100 });
    emulator.clearRequests();
    await expect(client.users.validateNonce(demoUserId(0), 'has space')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.users.validateNonce('x', 'abc')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('moderated rooms', () => {
  test('create, read, update the data store, delete', async () => {
    const id = await client.rooms.create(8);
    expect(id).toMatch(/^\d+$/);
    const created = await client.rooms.get(id);
    expect(created).toMatchObject({ id, maxUsers: 8, dataStore: [], owner: null, users: [] });
    expect(
      await client.rooms.updateDataStore(id, [
        { key: 'map', value: 'canyon' },
        { key: 'mode', value: 'ctf' },
      ]),
    ).toBe(true);
    expect(await client.rooms.updateDataStore(id, [{ key: 'mode', value: 'koth' }])).toBe(true);
    const updated = await client.rooms.get(id);
    expect(updated.dataStore).toEqual([
      { key: 'map', value: 'canyon' },
      { key: 'mode', value: 'koth' },
    ]);
    expect(updated.version).toBe(created.version! + 2);
    expect(await client.rooms.delete(id)).toBe(true);
    await expect(client.rooms.get(id)).rejects.toMatchObject({ code: 100, subcode: 33 });
  });

  test("a room's members are asked only the user fields the room docs list", async () => {
    emulator.clearRequests();
    await client.rooms.get(DEMO_ROOM_ID);
    const fields = emulator.requests[0]!.params.fields!;
    expect(fields).toContain('owner{id,alias,profile_url}');
    expect(fields).toContain('users{id,alias,profile_url}');
  });

  test('a room id beyond 2^53, sent as a JSON number as old docs show, is read exactly', async () => {
    const id = '9007199254740993';
    const demo = emulator.state.rooms.get(DEMO_ROOM_ID)!;
    emulator.state.rooms.set(id, { ...demo, id, data_store: new Map(demo.data_store) });
    try {
      emulator.clearRequests();
      const room = await client.rooms.get(id);
      expect(room.id).toBe(id);
      expect(room.owner?.id).toBe(demo.owner_id);
      expect(emulator.requests).toHaveLength(1);
    } finally {
      emulator.state.rooms.delete(id);
    }
  });

  test('limits: max users 1..1024 checked before sending, data store errors are code 100', async () => {
    await expect(client.rooms.create(0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.rooms.create(1025)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.rooms.updateDataStore('4242', [{ key: 'a', value: 'b' }])).rejects.toBeInstanceOf(HorizonApiError);
  });
});
