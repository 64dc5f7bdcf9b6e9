/**
 * End to end: a frontend queries a real @apollo/gateway in front of this subgraph and a stub
 * games subgraph. The gateway composes what the subgraphs serve at `_service { sdl }`, this
 * subgraph running with SDL_AUTH_DIRECTIVES=omit (the setting for @apollo/gateway).
 */
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { request } from 'undici';
import { demoUserId } from '../../src/emulator/index.js';
import { startSubgraph } from '../../src/server.js';
import { bearer, testAuth, token } from '../helpers/auth.js';
import { startFederatedStack, type FederatedStack } from '../helpers/federation.js';
import { mintAttestationToken, silentLogger } from '../helpers/harness.js';

let stack: FederatedStack;
beforeAll(async () => {
  stack = await startFederatedStack();
});
afterAll(async () => {
  await stack?.close();
});

test('a query across both subgraphs: games with their players, profiles and achievements', async () => {
  stack.emulator.clearRequests();
  const { status, body } = await stack.query(`{
    games {
      title
      featuredAchievements { apiName title type target }
      topPlayers {
        id displayName
        achievement(apiName: "FIRST_STEPS") { unlocked unlockedAt }
        achievements(apiNames: ["COLLECT_100_GEMS"]) { count definition { title } }
      }
    }
  }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const [rally, relic] = body.data.games;
  expect(rally.title).toBe('Skyward Rally');
  expect(rally.featuredAchievements).toEqual([
    { apiName: 'FIRST_STEPS', title: 'First Steps', type: 'SIMPLE', target: null },
    { apiName: 'COLLECT_100_GEMS', title: 'Gem Hoarder', type: 'COUNT', target: '100' },
  ]);
  expect(rally.topPlayers[0]).toMatchObject({
    id: demoUserId(0),
    displayName: 'Nova Rider',
    achievement: { unlocked: true },
    achievements: [{ count: '15', definition: { title: 'Gem Hoarder' } }],
  });
  expect(relic.topPlayers.map((p: any) => p.displayName)).toEqual(['Quiet Storm', 'Luna Byte']);
  expect(relic.featuredAchievements).toEqual([{ apiName: 'FIND_ALL_RELICS', title: 'Relic Hunter', type: 'BITFIELD', target: '5' }]);
  // Player 2 appears in both games: fetched once.
  const profileReads = stack.emulator.requests.filter((r) => r.route === 'GET /:node_id');
  expect(profileReads.map((r) => r.path).sort()).toEqual([0, 1, 2, 3].map((i) => `/${demoUserId(i)}`).sort());
});

test('a game backend mutation through the gateway, then the frontend sees it', async () => {
  const player = demoUserId(10);
  const write = await stack.query(
    `mutation($u: ID!) { addAchievementBits(userId: $u, apiName: "VISIT_3_CONTINENTS", bits: "1110000") { justUnlocked progress { bitfield unlocked user { displayName } } } }`,
    { u: player },
  );
  expect(write.body.errors).toBeUndefined();
  expect(write.body.data.addAchievementBits).toEqual({
    justUnlocked: true,
    progress: { bitfield: '1110000', unlocked: true, user: { displayName: 'Velvet Axe' } },
  });
  const read = await stack.query(`query($u: ID!) { user(id: $u) { achievement(apiName: "VISIT_3_CONTINENTS") { unlocked } } }`, { u: player });
  expect(read.body.data.user.achievement.unlocked).toBe(true);
});

test('errors reach the frontend with their code, and the rest of the query still resolves', async () => {
  const { body } = await stack.query(`{
    games { title topPlayers { displayName } }
    missing: user(id: "4242") { id }
    bad: achievementDefinition(apiName: "line\\nbreak") { title }
  }`);
  expect(body.data.games).toHaveLength(2);
  expect(body.data.missing).toBeNull();
  expect(body.data.bad).toBeNull();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
});

test("a game's leaderboard page through the gateway: entries, their players' profiles and achievements", async () => {
  stack.emulator.clearRequests();
  const { status, body } = await stack.query(`{
    games { title leaderboard { apiName title entries(first: 5) { totalCount nodes { rank score user { id displayName
      achievements(apiNames: ["FIRST_STEPS", "COLLECT_100_GEMS"]) { unlocked count definition { title } } } } } } }
  }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const [skyward, relic] = body.data.games;
  expect(relic.leaderboard).toBeNull();
  const board = skyward.leaderboard;
  expect(board.apiName).toBe('HIGH_SCORES');
  expect(board.entries.totalCount).toBe(40);
  expect(board.entries.nodes).toHaveLength(5);
  expect(board.entries.nodes[0].rank).toBe(1);
  for (const entry of board.entries.nodes) {
    expect(typeof entry.score).toBe('string');
    expect(entry.user.displayName).toEqual(expect.any(String));
    expect(entry.user.achievements.map((a: any) => a.definition.title)).toEqual(['First Steps', 'Gem Hoarder']);
  }
  const ranks = board.entries.nodes.map((e: any) => e.rank);
  expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  // The page's users came with the entries: no profile calls; one progress call per player.
  const routes = stack.emulator.requests.map((r) => r.route);
  expect(routes.filter((r) => r === 'GET /leaderboard_entries')).toHaveLength(1);
  expect(routes.filter((r) => r === 'GET /:node_id')).toHaveLength(0);
  expect(routes.filter((r) => r === 'GET /:user_id/achievements')).toHaveLength(5);
});

test('a game backend consumes a purchase through the gateway; the entitlement is gone afterwards', async () => {
  const player = demoUserId(0);
  const consumable = [...stack.emulator.state.purchases.entitlementsOf(player).values()].find(
    (e) => stack.emulator.state.purchases.items.get(e.sku)?.item_type === 'CONSUMABLE',
  )!;
  expect(consumable).toBeDefined();
  const before = await stack.query(`{ user(id: "${player}") { entitlement(sku: "${consumable.sku}") { owned } } }`);
  expect(before.body.data.user.entitlement.owned).toBe(true);

  const consume = `mutation($key: String) { consumePurchase(userId: "${player}", sku: "${consumable.sku}", idempotencyKey: $key) { consumed status settledBy } }`;
  const first = await stack.query(consume, { key: 'gateway-consume-1' });
  expect(first.body.errors).toBeUndefined();
  expect(first.body.data.consumePurchase).toEqual({ consumed: true, status: 'CONSUMED', settledBy: 'REPLY' });
  const retried = await stack.query(consume, { key: 'gateway-consume-1' });
  expect(retried.body.data.consumePurchase).toEqual({ consumed: true, status: 'CONSUMED', settledBy: 'REPLAYED' });
  const again = await stack.query(consume, { key: 'gateway-consume-2' });
  expect(again.body.data.consumePurchase).toEqual({ consumed: false, status: 'REFUSED', settledBy: 'REPLY' });

  const after = await stack.query(`{ user(id: "${player}") { entitlement(sku: "${consumable.sku}") { owned } purchases(first: 50) { nodes { sku } } } }`);
  expect(after.body.data.user.entitlement.owned).toBe(false);
  expect(after.body.data.user.purchases.nodes.map((p: any) => p.sku)).not.toContain(consumable.sku);
});

test('the supergraph has no subscription root: a player subscription is the PlayerSubscription type', async () => {
  const { body } = await stack.query(`{ __schema { subscriptionType { name } } __type(name: "PlayerSubscription") { fields { name } } }`);
  expect(body.data.__schema.subscriptionType).toBeNull();
  expect(body.data.__type.fields.map((f: { name: string }) => f.name)).toContain('nextRenewal');
});

describe('SDL_AUTH_DIRECTIVES: what @apollo/gateway needs', () => {
  async function servedSdl(url: string): Promise<string> {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await response.body.json()) as any).data._service.sdl;
  }

  test('by default the SDL carries the directives, and @apollo/gateway refuses the supergraph composed from it', async () => {
    const subgraph = await startSubgraph(
      { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon: stack.horizon, logger: silentLogger, auth: await testAuth() },
      { port: 0, host: '127.0.0.1' },
    );
    const gateway = new ApolloGateway({
      supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'horizon', url: subgraph.url }] }),
      logger: silentLogger,
    });
    try {
      expect(await servedSdl(subgraph.url)).toContain('@requiresScopes(scopes: [["horizon:read"]])');
      await expect(gateway.load()).rejects.toThrow('feature https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is unsupported');
    } finally {
      await gateway.stop().catch(() => undefined);
      await subgraph.stop();
    }
  });

  test('with omit, the SDL has none of them and still composes every entity, cost and key; the subgraph still enforces every scope', async () => {
    const sdl = await servedSdl(stack.subgraph.url);
    expect(sdl).not.toMatch(/@authenticated|@requiresScopes|specs\.apollo\.dev\/(authenticated|requiresScopes)/);
    expect(sdl).toContain('type User @key(fields: "id")');
    expect(sdl).toMatch(/@cost\(weight: \d+\)/);

    const anonymous = await stack.query(`{ games { title } user(id: "${demoUserId(0)}") { displayName } }`, undefined, { authorization: '' });
    expect(anonymous.body.data).toEqual({ games: [{ title: 'Skyward Rally' }, { title: 'Relic Run' }], user: null });
    expect(anonymous.body.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.reason])).toEqual([
      [['user'], 'UNAUTHENTICATED', 'CALLER_TOKEN_MISSING'],
    ]);

    stack.emulator.clearRequests();
    const readOnly = bearer(await token({ scopes: ['horizon:read'] }));
    const write = await stack.query(
      `mutation { unlockAchievement(userId: "${demoUserId(12)}", apiName: "FIRST_STEPS") { justUnlocked } }`,
      undefined,
      readOnly,
    );
    expect(write.body.errors[0].message).toBe("Mutation.unlockAchievement needs the scope horizon:write:achievements; the caller's token does not grant it");
    expect(write.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE' });
    // Entities too: the games subgraph's players, resolved here through _entities.
    const players = await stack.query('{ games { topPlayers { displayName purchases(first: 1) { nodes { sku } } } } }', undefined, readOnly);
    expect(players.body.data.games[0].topPlayers[0]).toEqual({ displayName: 'Nova Rider', purchases: null });
    expect(new Set(players.body.errors.map((e: any) => e.extensions.reason))).toEqual(new Set(['MISSING_SCOPE']));
    expect(stack.emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

test("a game backend checks a player's headset through the gateway, bans the device, and the next check says so", async () => {
  const player = demoUserId(9);
  const challenge = await stack.query(`mutation($u: ID!) { issueAttestationChallenge(userId: $u) { nonce expiresAt } }`, { u: player });
  expect(challenge.body.errors).toBeUndefined();
  const verify = async () => {
    const nonce = (await stack.query(`mutation($u: ID!) { issueAttestationChallenge(userId: $u) { nonce } }`, { u: player })).body.data
      .issueAttestationChallenge.nonce;
    const token = await mintAttestationToken(stack.emulator.url, 9, nonce, { device: 'gateway-headset' });
    const { body } = await stack.query(
      `mutation($u: ID!, $t: String!) { verifyAttestation(userId: $u, token: $t) { trusted reasons deviceId app { state packageRecognized } device { state } ban { state reason } } }`,
      { u: player, t: token },
    );
    expect(body.errors).toBeUndefined();
    return body.data.verifyAttestation;
  };
  const first = await verify();
  expect(first).toMatchObject({ trusted: true, reasons: [], app: { state: 'STORE_RECOGNIZED', packageRecognized: true }, device: { state: 'ADVANCED' } });

  const ban = await stack.query(`mutation($d: ID!) { banDevice(deviceId: $d, durationMinutes: 60, reason: "speed hack") { success ban { banId banned } } }`, {
    d: first.deviceId,
  });
  expect(ban.body.data.banDevice).toMatchObject({ success: true, ban: { banned: true } });
  expect(await verify()).toMatchObject({ trusted: false, reasons: ['DEVICE_BANNED'], ban: { state: 'BANNED', reason: 'speed hack' } });
  const status = await stack.query(`query($d: ID!) { deviceBan(deviceId: $d) { banned remainingMinutes reason } }`, { d: first.deviceId });
  expect(status.body.data.deviceBan).toEqual({ banned: true, remainingMinutes: 60, reason: 'speed hack' });
  const lift = await stack.query(`mutation($b: ID!) { liftDeviceBan(banId: $b) { success ban { banned } } }`, { b: ban.body.data.banDevice.ban.banId });
  expect(lift.body.data.liftDeviceBan).toEqual({ success: true, ban: { banned: false } });
  expect((await verify()).trusted).toBe(true);
});
