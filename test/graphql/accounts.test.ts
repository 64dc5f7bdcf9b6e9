/** Resolver tests: account linking (SSO), federated users, achievement images. */
import { parse } from 'graphql';
import { DEMO_REFRESH_CODE, DEMO_SSO_CODES } from '../../src/emulator/index.js';
import { operationCachePolicy } from '../../src/graphql/cachePolicy.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { issueSsoCode, ROUTES, startHarness, type Harness } from '../helpers/harness.js';
import { png } from '../helpers/images.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ server: {}, client: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } } });
});
afterEach(async () => {
  await h.close();
});

const ORG_0 = '5978973908802860';
const LINK = `mutation($code: String!, $org: ID!) { linkAccount(code: $code, orgScopedId: $org) { orgScopedId accessToken refreshCode } }`;
const writes = () => h.upstream().filter((r) => r.method !== 'GET');

describe('linkAccount / refreshLinkedAccount', () => {
  test('exchanges a code for the token and refresh code; the token is the player at Horizon', async () => {
    const { code, org_scoped_id } = await issueSsoCode(h.emulator.url, 2);
    const result = await h.execute(LINK, { code, org: org_scoped_id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.linkAccount).toEqual({ orgScopedId: org_scoped_id, accessToken: expect.stringMatching(/^OCA/), refreshCode: expect.any(String) });
    expect((await h.horizon.users.me(result.data!.linkAccount.accessToken)).id).toBe(org_scoped_id);
  });

  test('a reused code is BAD_USER_INPUT with reason SSO_CODE_REJECTED, sent once, and echoes no code', async () => {
    expect((await h.execute(LINK, { code: DEMO_SSO_CODES[1], org: ORG_0 })).errors).toBeUndefined();
    h.resetUpstream();
    const result = await h.execute(LINK, { code: DEMO_SSO_CODES[1], org: ORG_0 });
    expect(result.data).toEqual({ linkAccount: null });
    expect(result.errors![0]).toMatchObject({
      path: ['linkAccount'],
      message: 'Horizon API: This authorization code has been used.',
      extensions: { code: 'BAD_USER_INPUT', reason: 'SSO_CODE_REJECTED', argument: 'code' },
    });
    expect(h.upstream(ROUTES.ssoAuthorizeCode)).toHaveLength(1);
  });

  test('a malformed code or org-scoped id is BAD_USER_INPUT before any call', async () => {
    for (const vars of [
      { code: 'with space', org: ORG_0 },
      { code: 'ok', org: 'not-an-id' },
    ]) {
      const result = await h.execute(LINK, vars);
      expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(h.upstream()).toEqual([]);
  });

  test('a lost reply is not resent: the code would be spent, so the caller hears the failure', async () => {
    Object.assign(h.emulator.faults, { burst: 1, modes: ['reset_after'], routes: [ROUTES.ssoAuthorizeCode] });
    const result = await h.execute(LINK, { code: DEMO_SSO_CODES[2], org: ORG_0 });
    expect(result.errors![0].extensions.code).toMatch(/UPSTREAM_UNAVAILABLE|WRITE_OUTCOME_UNKNOWN/);
    expect(h.upstream(ROUTES.ssoAuthorizeCode)).toHaveLength(1);
  });

  test('refresh returns a new token and the refresh code; a bad refresh code is SSO_REFRESH_REJECTED', async () => {
    const query = `mutation($org: ID!, $r: String!) { refreshLinkedAccount(orgScopedId: $org, refreshCode: $r) { orgScopedId accessToken refreshCode } }`;
    const ok = await h.execute(query, { org: ORG_0, r: DEMO_REFRESH_CODE });
    expect(ok.data!.refreshLinkedAccount).toEqual({ orgScopedId: ORG_0, accessToken: expect.stringMatching(/^OCA/), refreshCode: DEMO_REFRESH_CODE });
    const bad = await h.execute(query, { org: ORG_0, r: 'no-such-refresh-code' });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SSO_REFRESH_REJECTED', argument: 'refreshCode' });
  });
});

describe('the tokens are never cached', () => {
  const schema = buildSchema();
  const policyOf = (query: string) => {
    const document = parse(query);
    const operation = document.definitions[0] as Parameters<typeof operationCachePolicy>[1];
    return operationCachePolicy(schema, operation, {}, {}).header();
  };

  test('every operation selecting a @sensitive field is no-store', () => {
    expect(policyOf(`mutation { linkAccount(code: "c", orgScopedId: "1") { accessToken } }`)).toBe('no-store');
    expect(policyOf(`mutation { createFederatedUserAccessToken(persistentId: "p") { accessToken } }`)).toBe('no-store');
  });

  test('a @sensitive field under a cacheable type makes the response no-store', () => {
    const sdl = `
      directive @cacheControl(maxAge: Int, scope: String) on FIELD_DEFINITION | OBJECT
      directive @sensitive on FIELD_DEFINITION
      type Query { card: Card @cacheControl(maxAge: 60) }
      type Card @cacheControl(maxAge: 60) { name: String secret: String @sensitive }`;
    const { buildSchema: build } = require('graphql') as typeof import('graphql');
    const small = build(sdl);
    const run = (query: string) => operationCachePolicy(small, parse(query).definitions[0] as never, {}, {}).header();
    expect(run('{ card { name } }')).toBe('max-age=60, public');
    expect(run('{ card { name secret } }')).toBe('no-store');
  });
});

describe('federated users', () => {
  const CREATE = `mutation($p: String!, $n: String!, $k: String) { createFederatedUser(persistentId: $p, displayName: $n, idempotencyKey: $k) { settledBy user { id persistentId displayName uniqueName } } }`;

  test('create, read by id and persistent id, rename, token, delete', async () => {
    const created = await h.execute(CREATE, { p: 'gql:one', n: 'Player One' });
    expect(created.errors).toBeUndefined();
    const user = created.data!.createFederatedUser.user;
    expect(created.data!.createFederatedUser.settledBy).toBe('REPLY');
    expect(user).toEqual({ id: expect.any(String), persistentId: 'gql:one', displayName: 'Player One', uniqueName: 'Player One' });

    const read = await h.execute(`query($id: ID, $p: String) { a: federatedUser(id: $id) { persistentId } b: federatedUser(persistentId: $p) { id } }`, {
      id: user.id,
      p: 'gql:one',
    });
    expect(read.data).toEqual({ a: { persistentId: 'gql:one' }, b: { id: user.id } });

    const renamed = await h.execute(`mutation { updateFederatedUser(persistentId: "gql:one", displayName: "Player Uno") { id displayName } }`);
    expect(renamed.data!.updateFederatedUser).toEqual({ id: user.id, displayName: 'Player Uno' });

    const token = await h.execute(`mutation { createFederatedUserAccessToken(persistentId: "gql:one") { persistentId accessToken } }`);
    expect(token.data!.createFederatedUserAccessToken).toEqual({ persistentId: 'gql:one', accessToken: expect.stringMatching(/^FRL/) });

    const deleted = await h.execute(`mutation { deleteFederatedUser(persistentId: "gql:one") { success persistentId settledBy } }`);
    expect(deleted.data!.deleteFederatedUser).toEqual({ success: true, persistentId: 'gql:one', settledBy: 'REPLY' });
    expect((await h.execute(`{ federatedUser(persistentId: "gql:one") { id } }`)).data).toEqual({ federatedUser: null });
    const again = await h.execute(`mutation { deleteFederatedUser(persistentId: "gql:one") { success } }`);
    expect(again.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  test('a display name outside 3-30 characters is BAD_USER_INPUT naming the argument; nothing is sent', async () => {
    h.resetUpstream();
    for (const name of ['ab', 'x'.repeat(31)]) {
      for (const result of [
        await h.execute(CREATE, { p: 'gql:bad-name', n: name }),
        await h.execute(`mutation($n: String!) { updateFederatedUser(persistentId: "steam:76561198000000001", displayName: $n) { id } }`, { n: name }),
      ]) {
        expect(result.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'displayName' } });
        expect(result.errors![0].message).toMatch(/3-30 characters/);
      }
    }
    expect(h.upstream()).toEqual([]);
  });

  test('a taken persistent id is BAD_USER_INPUT, with no write sent', async () => {
    h.resetUpstream();
    const result = await h.execute(CREATE, { p: 'steam:76561198000000001', n: 'Someone Else' });
    expect(result.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'persistentId' } });
    expect(writes()).toEqual([]);
  });

  test('an idempotency key replays the first result: one create upstream', async () => {
    const first = await h.execute(CREATE, { p: 'gql:key', n: 'Keyed Player', k: 'create-key-1' });
    const second = await h.execute(CREATE, { p: 'gql:key', n: 'Keyed Player', k: 'create-key-1' });
    expect(second.data!.createFederatedUser).toEqual({ ...first.data!.createFederatedUser, settledBy: 'REPLAYED' });
    expect(h.upstream(ROUTES.federatedCreate)).toHaveLength(1);
    const reused = await h.execute(CREATE, { p: 'gql:key-2', n: 'Keyed Player', k: 'create-key-1' });
    expect(reused.errors![0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('a create whose reply was lost is settled by reading back, never sent twice', async () => {
    Object.assign(h.emulator.faults, { burst: 1, modes: ['reset_after'], routes: [ROUTES.federatedCreate] });
    const result = await h.execute(CREATE, { p: 'gql:lost', n: 'Lost Reply' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createFederatedUser).toMatchObject({ settledBy: 'READ_BACK', user: { persistentId: 'gql:lost', displayName: 'Lost Reply' } });
    expect(h.upstream(ROUTES.federatedCreate)).toHaveLength(1);
    expect([...h.emulator.state.accounts.federatedUsers.keys()].filter((p) => p === 'gql:lost')).toHaveLength(1);
  });

  test('a delete whose reply was lost is settled by reading back', async () => {
    await h.execute(CREATE, { p: 'gql:lost-delete', n: 'Soon Gone' });
    Object.assign(h.emulator.faults, { burst: 1, modes: ['reset_after'], routes: [ROUTES.federatedDelete] });
    const result = await h.execute(`mutation { deleteFederatedUser(persistentId: "gql:lost-delete") { success settledBy } }`);
    expect(result.data!.deleteFederatedUser).toEqual({ success: true, settledBy: 'READ_BACK' });
    expect(h.upstream(ROUTES.federatedDelete)).toHaveLength(1);
  });

  test('an update whose reply was lost is resent (setting a name twice is setting it once)', async () => {
    Object.assign(h.emulator.faults, { burst: 1, modes: ['reset_after'], routes: [ROUTES.federatedUpdate] });
    const result = await h.execute(`mutation { updateFederatedUser(persistentId: "psn:demo-player-2", displayName: "Mira Again") { displayName } }`);
    expect(result.data!.updateFederatedUser).toEqual({ displayName: 'Mira Again' });
    expect(h.upstream(ROUTES.federatedUpdate)).toHaveLength(2);
  });

  test('federatedUsers pages with Relay cursors through every user, once each', async () => {
    for (let i = 0; i < 4; i++) await h.execute(CREATE, { p: `gql:page-${i}`, n: `Pager ${i}` });
    const seen: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 20; round++) {
      const page: any = await h.execute(
        `query($a: String) { federatedUsers(first: 3, after: $a) { nodes { persistentId } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
        { a: after },
      );
      expect(page.errors).toBeUndefined();
      const connection = page.data.federatedUsers;
      seen.push(...connection.nodes.map((n: { persistentId: string }) => n.persistentId));
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(['steam:76561198000000001', 'psn:demo-player-2', 'epic:demo-player-3', 'gql:page-0', 'gql:page-1', 'gql:page-2', 'gql:page-3']);
    const bad = await h.execute(`{ federatedUsers(after: "junk") { nodes { id } } }`);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  test('federatedUser needs exactly one of id and persistentId', async () => {
    for (const q of [`{ federatedUser { id } }`, `{ federatedUser(id: "1", persistentId: "p") { id } }`]) {
      expect((await h.execute(q)).errors![0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('setAchievementImages', () => {
  const SET = `mutation($l: String, $u: String) { setAchievementImages(apiName: "FIRST_STEPS", lockedImage: $l, unlockedImage: $u) { apiName lockedImageUrl unlockedImageUrl } }`;

  test('sets both images and answers the definition with their URLs', async () => {
    const result = await h.execute(SET, { l: png().toString('base64'), u: png(256, 256, 5000).toString('base64') });
    expect(result.errors).toBeUndefined();
    expect(result.data!.setAchievementImages).toEqual({
      apiName: 'FIRST_STEPS',
      lockedImageUrl: expect.stringMatching(/^https:\/\/scontent\.oculuscdn\.com\//),
      unlockedImageUrl: expect.stringMatching(/^https:\/\/scontent\.oculuscdn\.com\//),
    });
    // A later read in another request sees them (the shared cache forgot the definition).
    const read = await h.execute(`{ achievementDefinition(apiName: "FIRST_STEPS") { lockedImageUrl } }`);
    expect(read.data!.achievementDefinition.lockedImageUrl).toBe(result.data!.setAchievementImages.lockedImageUrl);
  });

  test('an oversized image, a non-image, a wrong size, bad base64 or none at all: BAD_USER_INPUT, nothing sent', async () => {
    h.resetUpstream();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ l: png(256, 256, 300 * 1024).toString('base64') }, /larger than 262144 bytes/],
      [{ u: Buffer.from('GIF89a......................................').toString('base64') }, /not a PNG image/],
      [{ l: png(128, 128).toString('base64') }, /128x128/],
      [{ l: '%%% not base64 %%%' }, /base64/],
      [{}, /lockedImage, unlockedImage, or both/],
    ];
    for (const [vars, message] of cases) {
      const result = await h.execute(SET, vars);
      expect(result.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(result.errors![0].message).toMatch(message);
    }
    expect(h.upstream()).toEqual([]);
  });

  test('an unknown achievement is NOT_FOUND, nothing written', async () => {
    const result = await h.execute(`mutation($l: String) { setAchievementImages(apiName: "NO_SUCH", lockedImage: $l) { apiName } }`, {
      l: png().toString('base64'),
    });
    expect(result.errors![0].extensions.code).toBe('NOT_FOUND');
    expect(writes()).toEqual([]);
  });
});
