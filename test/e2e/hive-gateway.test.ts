/**
 * End to end through Hive Gateway (`@graphql-hive/gateway-runtime`, the open-source federation
 * gateway), composed with its own composition library (`@theguild/federation-composition`) from
 * what the subgraphs serve at `_service { sdl }`: this subgraph with its default settings (the
 * authorization directives published) and the stub games subgraph that references `User`. The
 * gateway forwards the caller's JWT and the player's token; every request it makes is recorded
 * and must stay on loopback (no usage reporting, no telemetry).
 */
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { bearer, testAuth, token } from '../helpers/auth.js';
import { startGamesSubgraph } from '../helpers/federation.js';
import { clientFor, silentLogger } from '../helpers/harness.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

let emulator: RunningEmulator;
let horizon: HorizonClient;
let subgraph: RunningSubgraph;
let games: Awaited<ReturnType<typeof startGamesSubgraph>>;
let supergraphSdl: string;
let gateway: GatewayRuntime;
let server: Server;
let gatewayUrl: string;
let everyScope: Record<string, string>;
/** Every URL the gateway fetched. */
const fetched: string[] = [];

async function servedSdl(url: string): Promise<string> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  return ((await response.body.json()) as any).data._service.sdl;
}

beforeAll(async () => {
  emulator = await startEmulator();
  horizon = clientFor(emulator);
  subgraph = await startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon, logger: silentLogger, auth: await testAuth() },
    { port: 0, host: '127.0.0.1' },
  );
  games = await startGamesSubgraph();
  everyScope = bearer(await token({ expiresInSec: 3600 }));

  const composition = composeServices([
    { name: 'horizon', typeDefs: parse(await servedSdl(subgraph.url)), url: subgraph.url },
    { name: 'games', typeDefs: parse(await servedSdl(games.url)), url: games.url },
  ]);
  if (composition.errors?.length) throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  supergraphSdl = composition.supergraphSdl!;

  gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request: incoming }) => ({
        authorization: incoming.headers.get('authorization') ?? undefined,
        'x-horizon-user-token': incoming.headers.get('x-horizon-user-token') ?? undefined,
      }),
    },
    plugins: () => [
      {
        onFetch({ url }: { url: string }) {
          fetched.push(url);
        },
      },
    ],
  });
  server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await gateway?.dispose();
  await games?.stop();
  await subgraph?.stop();
  await horizon?.close();
  await emulator?.close();
});

async function query(text: string, variables?: Record<string, unknown>, headers: Record<string, string> = everyScope) {
  const response = await request(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query: text, variables }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as any };
}

test('the supergraph composed by @theguild/federation-composition keeps the entities and the authorization directives', () => {
  expect(supergraphSdl).toMatch(/type User\s[^{]*@join__type\(graph: HORIZON, key: "id"\)/);
  expect(supergraphSdl).toMatch(/type User\s[^{]*@join__type\(graph: GAMES, key: "id", resolvable: false\)/);
  expect(supergraphSdl).toContain('@requiresScopes(scopes: [["horizon:read"]])');
  expect(supergraphSdl).toContain('@authenticated');
});

test("entities: the games subgraph's players, resolved here, with profiles and achievements", async () => {
  emulator.clearRequests();
  const { status, body } = await query(`{
    games {
      title
      featuredAchievements { apiName title type }
      topPlayers { id displayName achievement(apiName: "FIRST_STEPS") { unlocked } achievements(apiNames: ["COLLECT_100_GEMS"]) { count } }
    }
  }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const [rally, relic] = body.data.games;
  expect(rally.title).toBe('Skyward Rally');
  expect(rally.featuredAchievements).toEqual([
    { apiName: 'FIRST_STEPS', title: 'First Steps', type: 'SIMPLE' },
    { apiName: 'COLLECT_100_GEMS', title: 'Gem Hoarder', type: 'COUNT' },
  ]);
  expect(rally.topPlayers[0]).toEqual({ id: demoUserId(0), displayName: 'Nova Rider', achievement: { unlocked: true }, achievements: [{ count: '15' }] });
  expect(relic.topPlayers.map((p: any) => p.displayName)).toEqual(['Quiet Storm', 'Luna Byte']);
  // Player 2 is in both games: one profile read each.
  const profileReads = emulator.requests.filter((r) => r.route === 'GET /:node_id').map((r) => r.path);
  expect(profileReads.sort()).toEqual([0, 1, 2, 3].map((i) => `/${demoUserId(i)}`).sort());
});

test("the player's token is forwarded for player-bound fields", async () => {
  const { body } = await query('{ viewer { id displayName } }', undefined, { ...everyScope, 'x-horizon-user-token': demoUserToken(0) });
  expect(body).toEqual({ data: { viewer: { id: demoUserId(0), displayName: 'Nova Rider' } } });
});

test('auth directives: no token, and a token without the scope, are refused by the subgraph on those fields alone', async () => {
  const anonymous = await query(`{ games { title } user(id: "${demoUserId(0)}") { displayName } }`, undefined, {});
  expect(anonymous.body.data).toEqual({ games: [{ title: 'Skyward Rally' }, { title: 'Relic Run' }], user: null });
  expect(anonymous.body.errors).toHaveLength(1);
  expect(anonymous.body.errors[0]).toMatchObject({
    message: "No caller token: send the caller's JWT in the Authorization header, with the Bearer scheme (Query.user needs an authenticated caller)",
    path: ['user'],
    extensions: { code: 'UNAUTHENTICATED', reason: 'CALLER_TOKEN_MISSING' },
  });

  emulator.clearRequests();
  const readOnly = bearer(await token({ scopes: ['horizon:read'] }));
  const write = await query(`mutation { unlockAchievement(userId: "${demoUserId(12)}", apiName: "FIRST_STEPS") { justUnlocked } }`, undefined, readOnly);
  expect(write.body.data).toEqual({ unlockAchievement: null });
  expect(write.body.errors[0]).toMatchObject({
    message: "Mutation.unlockAchievement needs the scope horizon:write:achievements; the caller's token does not grant it",
    extensions: { code: 'FORBIDDEN', reason: 'MISSING_SCOPE', requiredScopes: [['horizon:write:achievements']] },
  });
  expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});

test('errors keep their code, and the rest of the operation resolves (partial data)', async () => {
  const { status, body } = await query(`{
    games { title topPlayers { displayName } }
    missing: user(id: "4242") { id displayName }
    bad: achievementDefinition(apiName: "line\\nbreak") { title }
  }`);
  expect(status).toBe(200);
  expect(body.data.games).toHaveLength(2);
  expect(body.data.games[0].topPlayers[0].displayName).toBe('Nova Rider');
  expect(body.data.missing).toBeNull();
  expect(body.data.bad).toBeNull();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject({ path: ['bad'], extensions: { code: 'BAD_USER_INPUT' } });
});

test('a mutation through the gateway, then the frontend sees it', async () => {
  const player = demoUserId(11);
  const write = await query(
    `mutation($u: ID!) { addAchievementBits(userId: $u, apiName: "VISIT_3_CONTINENTS", bits: "1110000") { justUnlocked progress { bitfield unlocked user { displayName } } } }`,
    { u: player },
  );
  expect(write.body.errors).toBeUndefined();
  expect(write.body.data.addAchievementBits).toMatchObject({ justUnlocked: true, progress: { bitfield: '1110000', unlocked: true } });
  const read = await query(`query($u: ID!) { user(id: $u) { achievement(apiName: "VISIT_3_CONTINENTS") { unlocked bitfield } } }`, { u: player });
  expect(read.body.data.user.achievement).toEqual({ unlocked: true, bitfield: '1110000' });
});

test('the gateway talked to loopback only', () => {
  expect(fetched.length).toBeGreaterThan(5);
  expect(fetched.filter((url) => !LOOPBACK.has(new URL(url).hostname))).toEqual([]);
});
