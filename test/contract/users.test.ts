/** The users client (docs/horizon-api.md) against a real emulator over loopback HTTP. */
import { demoUserId, demoUserToken, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { CODE_INVALID_PARAMETER, CODE_INVALID_TOKEN, SUBCODE_UNKNOWN_NODE } from '../../src/horizon/errors.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { apiError, closeWorld, openWorld } from '../helpers/contract.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld()));
afterAll(() => closeWorld({ emulator, client }));
beforeEach(() => emulator.clearRequests());

/** The seed's org-scoped id of the i-th demo player. */
const orgScopedIdOf = (i: number) => (5978973908802860n + BigInt(i) * 104729n).toString();

describe('users.get', () => {
  test('returns every profile field of the user', async () => {
    expect(await client.users.get(demoUserId(2))).toEqual({
      id: demoUserId(2),
      alias: 'QuietStorm',
      displayName: 'Quiet Storm',
      profileUrl: 'https://scontent.oculuscdn.com/emulator/avatars/quietstorm.png',
      orgScopedId: orgScopedIdOf(2),
      avatarUrl: 'https://scontent.oculuscdn.com/emulator/avatars/v2/quietstorm.png',
    });
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.node, token: 'app', status: 200, path: `/${demoUserId(2)}` })]);
    // The avatar as BeatLeader reads it, on top of the documented fields.
    expect(emulator.requests[0]!.params.fields).toBe('id,alias,display_name,profile_url,org_scoped_id,avatar_v2{avatar_image{uri}}');
  });

  test('a user without an avatar image reads as null', async () => {
    expect(await client.users.get(demoUserId(11))).toMatchObject({ alias: 'ZeroGravity', avatarUrl: null });
  });

  test('different ids give different users', async () => {
    const [a, b] = await Promise.all([client.users.get(demoUserId(0)), client.users.get(demoUserId(11))]);
    expect(a.alias).toBe('NovaRider');
    expect(b.alias).toBe('ZeroGravity');
  });

  test('an unknown id: HTTP 400, code 100, subcode 33', async () => {
    const error = await apiError(client.users.get('4242424242'));
    expect(error.status).toBe(400);
    expect(error.code).toBe(CODE_INVALID_PARAMETER);
    expect(error.subcode).toBe(SUBCODE_UNKNOWN_NODE);
    expect(error.type).toBe('GraphMethodException');
    expect(error.endpoint).toBe('GET /{user_id}');
    expect(error.upstreamMessage).toContain("'4242424242'");
    expect(error.retryable).toBe(false);
  });

  test('a malformed id is refused before any request', async () => {
    for (const id of ['me', '', '0123', '12/34', '1?fields=x', '99999999999999999999999']) {
      await expect(client.users.get(id)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  test('an org-scoped id also resolves, to the app-scoped user', async () => {
    const user = await client.users.get(orgScopedIdOf(4));
    expect(user.id).toBe(demoUserId(4));
    expect(user.orgScopedId).toBe(orgScopedIdOf(4));
    expect(user.alias).toBe('IronFern');
  });
});

describe('users.me', () => {
  test("with a demo user's token returns that user", async () => {
    const me = await client.users.me(demoUserToken(3));
    expect(me).toEqual({
      id: demoUserId(3),
      alias: 'LunaByte',
      displayName: 'Luna Byte',
      profileUrl: 'https://scontent.oculuscdn.com/emulator/avatars/lunabyte.png',
      orgScopedId: orgScopedIdOf(3),
      avatarUrl: 'https://scontent.oculuscdn.com/emulator/avatars/v2/lunabyte.png',
    });
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.me, token: 'user', status: 200 })]);
  });

  test('each token gives its own user', async () => {
    expect((await client.users.me(demoUserToken(7))).id).toBe(demoUserId(7));
    expect((await client.users.me(demoUserToken(8))).id).toBe(demoUserId(8));
  });

  test("an invalid user token: code 190 with credential 'user', token not in the message", async () => {
    const token = 'FRLthisIsNotAValidTokenForTheEmulator0123456789';
    const error = await apiError(client.users.me(token));
    expect(error.status).toBe(400);
    expect(error.code).toBe(CODE_INVALID_TOKEN);
    expect(error.credential).toBe('user');
    expect(error.endpoint).toBe('GET /me');
    expect(error.message).not.toContain(token);
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.me, token: 'invalid', status: 400 })]);
  });

  test('the app token on /me is refused', async () => {
    const error = await apiError(client.transport.request({ method: 'GET', path: '/me', endpoint: 'GET /me', params: { fields: 'id' } }));
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.credential).toBe('app');
    expect(error.code).toBe(2500);
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.me, token: 'app' })]);
  });

  test('the app token passed as if it were a user token is refused too', async () => {
    const error = await apiError(client.users.me(`OC|${emulator.appId}|${emulator.appSecret}`));
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.message).not.toContain(emulator.appSecret);
  });
});

describe('GET /{id} through transport.request', () => {
  test('an org-scoped id is resolvable as a node', async () => {
    const body = await client.transport.request<Record<string, unknown>>({
      method: 'GET',
      path: `/${orgScopedIdOf(5)}`,
      endpoint: 'GET /{id}',
      params: { fields: 'id,alias,org_scoped_id' },
    });
    expect(body).toEqual({ id: demoUserId(5), alias: 'CobaltFox', org_scoped_id: orgScopedIdOf(5) });
  });

  test('without fields only the id comes back', async () => {
    const body = await client.transport.request({ method: 'GET', path: `/${demoUserId(1)}`, endpoint: 'GET /{id}' });
    expect(body).toEqual({ id: demoUserId(1) });
  });

  test('a field users do not have is code 100', async () => {
    const error = await apiError(client.transport.request({ method: 'GET', path: `/${demoUserId(1)}`, endpoint: 'GET /{id}', params: { fields: 'id,token' } }));
    expect(error.code).toBe(100);
    expect(error.subcode).toBeUndefined();
  });

  test('a versioned path prefix is tolerated', async () => {
    const versioned = clientFor(emulator, { baseUrl: `${emulator.url}/v1.20` });
    try {
      expect((await versioned.users.get(demoUserId(6))).alias).toBe('EmberJay');
    } finally {
      await versioned.close();
    }
  });
});
