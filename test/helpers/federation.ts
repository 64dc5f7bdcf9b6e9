/**
 * A real federated stack on loopback: the emulator, this subgraph over HTTP, a small stub
 * "games" subgraph that references `User` and `AchievementDefinition` by key, composed with
 * @apollo/composition and served by a real @apollo/gateway, queried like a frontend would.
 */
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { request } from 'undici';
import { startEmulator, demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { loadTypeDefs } from '../../src/schema.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { token as signToken, testAuth } from './auth.js';
import { clientFor, demoIntegrity, silentLogger } from './harness.js';

export const GAMES_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Game @key(fields: "id") {
    id: ID!
    title: String!
    featuredAchievements: [AchievementDefinition!]!
    topPlayers: [User!]!
    leaderboard: Leaderboard
  }
  type User @key(fields: "id", resolvable: false) { id: ID! }
  type Leaderboard @key(fields: "apiName", resolvable: false) { apiName: String! }
  type AchievementDefinition @key(fields: "apiName", resolvable: false) { apiName: String! }
  type Query { games: [Game!]! }
`;

const GAMES = [
  { id: 'g1', title: 'Skyward Rally', featuredAchievements: ['FIRST_STEPS', 'COLLECT_100_GEMS'], topPlayers: [0, 1, 2], leaderboard: 'HIGH_SCORES' },
  { id: 'g2', title: 'Relic Run', featuredAchievements: ['FIND_ALL_RELICS'], topPlayers: [2, 3], leaderboard: null },
];

export interface FederatedStack {
  emulator: RunningEmulator;
  horizon: HorizonClient;
  subgraph: RunningSubgraph;
  gatewayUrl: string;
  /** A caller token with every scope, sent by `query` unless `headers.authorization` is given. */
  token: string;
  /** POSTs an operation to the gateway as a browser or game client would (with `token` by default). */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startFederatedStack(): Promise<FederatedStack> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const emulator = await startEmulator();
  const horizon = clientFor(emulator);
  // The subgraph checks callers' JWTs as in production; the gateway forwards them.
  const auth = await testAuth();
  const token = await signToken({ expiresInSec: 3600 });
  const subgraph = await startSubgraph(
    { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon, logger: silentLogger, auth, integrity: demoIntegrity(emulator) },
    { port: 0, host: '127.0.0.1' },
  );

  const games = new ApolloServer({
    logger: silentLogger,
    schema: buildSubgraphSchema({
      typeDefs: parse(GAMES_SDL),
      resolvers: {
        Query: { games: () => GAMES },
        Game: {
          featuredAchievements: (game: (typeof GAMES)[number]) => game.featuredAchievements.map((apiName) => ({ apiName })),
          topPlayers: (game: (typeof GAMES)[number]) => game.topPlayers.map((i) => ({ id: demoUserId(i) })),
          leaderboard: (game: (typeof GAMES)[number]) => (game.leaderboard ? { apiName: game.leaderboard } : null),
        },
      },
    }),
  });
  const { url: gamesUrl } = await startStandaloneServer(games, { listen: { port: 0, host: '127.0.0.1' } });

  const composition = composeServices([
    { name: 'horizon', typeDefs: parse(loadTypeDefs()), url: subgraph.url },
    { name: 'games', typeDefs: parse(GAMES_SDL), url: gamesUrl },
  ]);
  if (composition.errors) throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  // Like a router, the gateway forwards the caller's JWT (and the player's Horizon token) to the subgraphs.
  // @apollo/gateway refuses supergraphs whose @authenticated/@requiresScopes links are `for: SECURITY`
  // (only the GraphOS Router enforces them); the subgraph enforces the same directives itself, so
  // the gateway is given them as plain, non-essential links.
  const gateway = new ApolloGateway({
    supergraphSdl: gatewaySupergraph(composition.supergraphSdl),
    logger: silentLogger,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<{ headers: Record<string, string | string[] | undefined> }>({
        url,
        willSendRequest({ request, context }) {
          for (const name of ['authorization', 'x-horizon-user-token']) {
            const value = context.headers?.[name];
            if (typeof value === 'string') request.http?.headers.set(name, value);
          }
        },
      }),
  });
  const router = new ApolloServer<{ headers: Record<string, string | string[] | undefined> }>({ gateway, logger: silentLogger });
  const { url: gatewayUrl } = await startStandaloneServer(router, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ headers: req.headers }),
  });

  return {
    emulator,
    horizon,
    subgraph,
    gatewayUrl,
    token,
    async query(query, variables, headers = {}) {
      const response = await request(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.statusCode, body: await response.body.json() };
    },
    async close() {
      await router.stop();
      await games.stop();
      await subgraph.stop();
      await horizon.close();
      await emulator.close();
    },
  };
}

/** The supergraph for @apollo/gateway: the authorization features demoted from `for: SECURITY` (see above). */
export function gatewaySupergraph(supergraphSdl: string): string {
  return supergraphSdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[\d.]+"), for: SECURITY\)/g, '$1)');
}
