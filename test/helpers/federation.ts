/**
 * A real federated stack on loopback: the emulator, this subgraph over HTTP, a small stub
 * "games" subgraph that references `User` and `AchievementDefinition` by key, composed by a
 * real @apollo/gateway from what the subgraphs serve at `_service { sdl }` (IntrospectAndCompose,
 * as a studio's gateway does), queried like a frontend would. This subgraph runs with
 * `SDL_AUTH_DIRECTIVES=omit`, the setting for @apollo/gateway: no edit of any SDL or supergraph.
 */
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { request } from 'undici';
import { startEmulator, demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
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
  query(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

/** The stub "games" subgraph (GAMES_SDL) on loopback: games, their featured achievements, top players and leaderboard. */
export async function startGamesSubgraph(): Promise<{ url: string; stop(): Promise<void> }> {
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
  const { url } = await startStandaloneServer(games, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => games.stop() };
}

export async function startFederatedStack(): Promise<FederatedStack> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const emulator = await startEmulator();
  const horizon = clientFor(emulator);
  // The subgraph checks callers' JWTs as in production; the gateway forwards them.
  const auth = await testAuth();
  const token = await signToken({ expiresInSec: 3600 });
  const subgraph = await startSubgraph(
    {
      config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, sdlAuthDirectives: 'omit' },
      horizon,
      logger: silentLogger,
      auth,
      integrity: demoIntegrity(emulator),
    },
    { port: 0, host: '127.0.0.1' },
  );

  const games = await startGamesSubgraph();
  const gamesUrl = games.url;

  // Like a router, the gateway forwards the caller's JWT (and the player's Horizon token) to the subgraphs.
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'horizon', url: subgraph.url },
        { name: 'games', url: gamesUrl },
      ],
    }),
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
      return { status: response.statusCode, body: await response.body.json(), headers: response.headers };
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
