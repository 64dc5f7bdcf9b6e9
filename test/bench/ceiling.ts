/**
 * The GraphQL ceiling (a helper process): the subgraph's own schema, built from the same SDL
 * files with buildSubgraphSchema and served by Apollo Server over node:http, but with
 * resolvers that answer from memory (the emulator's data structures, seeded the same way).
 * What the same operations cost when there is no upstream at all: GraphQL's share.
 */
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { SubgraphResolvers } from '../../src/graphql/schema.js';
import { parse } from 'graphql';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatedAchievementDefinition, EmulatedAchievementProgress } from '../../src/emulator/state.js';
import { EmulatorState } from '../../src/emulator/state.js';
import { DEMO_APP, seedDemoData } from '../../src/emulator/seed/index.js';
import type { EmulatedLeaderboard, EmulatedLeaderboardEntry } from '../../src/emulator/data/leaderboards.js';
import { DateTimeScalar, LongScalar } from '../../src/graphql/scalars.js';
import { loadTypeDefs } from '../../src/schema.js';
import { ensureBenchUsers } from './fixtures.js';
import { serveHelper } from './processes.js';

const state = new EmulatorState(DEMO_APP.id, DEMO_APP.secret);
seedDemoData(state);
ensureBenchUsers(state);

function definition(d: EmulatedAchievementDefinition) {
  return {
    apiName: d.api_name,
    id: d.id,
    type: d.achievement_type,
    writePolicy: d.achievement_write_policy,
    target: d.target ?? null,
    bitfieldLength: d.bitfield_length ?? null,
    archived: d.is_archived,
    title: d.title ?? null,
    description: d.description ?? null,
    unlockedDescription: d.unlocked_description_override ?? null,
    secret: d.is_secret,
    lockedImageUrl: d.locked_image_uri ?? null,
    unlockedImageUrl: d.unlocked_image_uri ?? null,
  };
}

function progress(userId: string, apiName: string) {
  const d = state.achievementDefinitions.get(apiName);
  if (!d) return null;
  const record = state.progressOf(userId).get(apiName);
  return {
    userId,
    definition: definition(d),
    unlocked: record?.is_unlocked ?? false,
    unlockedAt: record?.is_unlocked ? new Date(record.unlock_time * 1000) : null,
    count: d.achievement_type === 'COUNT' ? (record?.count_progress ?? 0n) : null,
    bitfield: d.achievement_type === 'BITFIELD' ? (record?.bitfield_progress ?? '').padEnd(d.bitfield_length ?? 0, '0') : null,
  };
}

function record(userId: string, apiName: string): EmulatedAchievementProgress {
  const records = state.progressOf(userId);
  let found = records.get(apiName);
  if (!found) {
    found = {
      id: state.achievementDefinitions.get(apiName)?.id ?? state.newId(),
      user_id: userId,
      api_name: apiName,
      count_progress: 0n,
      bitfield_progress: '',
      is_unlocked: false,
      unlock_time: 0,
    };
    records.set(apiName, found);
  }
  return found;
}

function entry(board: EmulatedLeaderboard, e: EmulatedLeaderboardEntry, rank: number) {
  return {
    id: e.id,
    rank,
    score: e.score,
    timestamp: new Date(e.timestamp * 1000),
    extraDataBase64: e.extra_data_base64 || null,
    extraDataSize: 0,
    user: { id: e.user_id },
    leaderboard: board,
  };
}

const resolvers = {
  DateTime: DateTimeScalar,
  Long: LongScalar,
  Query: {
    leaderboard: (_: unknown, args: { apiName: string }) => state.leaderboards.boards.get(args.apiName) ?? null,
  },
  Leaderboard: {
    apiName: (board: EmulatedLeaderboard) => board.api_name,
    entries(board: EmulatedLeaderboard, args: { first: number }) {
      const ranked = state.leaderboards.ranked(board);
      const nodes = ranked.slice(0, args.first).map((r) => entry(board, r.entry, r.rank));
      return {
        nodes,
        edges: nodes.map((node) => ({ cursor: node.id, node })),
        pageInfo: { hasNextPage: ranked.length > nodes.length, hasPreviousPage: false, startCursor: nodes[0]?.id ?? null, endCursor: nodes.at(-1)?.id ?? null },
        totalCount: ranked.length,
      };
    },
  },
  User: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    displayName: (user: { id: string }) => state.users.get(user.id)?.display_name ?? null,
    alias: (user: { id: string }) => state.users.get(user.id)?.alias ?? null,
    achievements: (user: { id: string }, args: { apiNames?: string[] | null }) =>
      (args.apiNames ?? [...state.achievementDefinitions.keys()]).map((name) => progress(user.id, name)).filter((p) => p !== null),
  },
  AchievementProgress: {
    user: (parent: { userId: string }) => ({ id: parent.userId }),
  },
  Mutation: {
    unlockAchievement(_: unknown, args: { userId: string; apiName: string }) {
      const r = record(args.userId, args.apiName);
      const justUnlocked = !r.is_unlocked;
      r.is_unlocked = true;
      r.unlock_time ||= Math.floor(Date.now() / 1000);
      return { justUnlocked, progress: progress(args.userId, args.apiName) };
    },
    addAchievementCount(_: unknown, args: { userId: string; apiName: string; count: bigint | number }) {
      const r = record(args.userId, args.apiName);
      r.count_progress += BigInt(args.count);
      const justUnlocked = !r.is_unlocked && r.count_progress >= (state.achievementDefinitions.get(args.apiName)?.target ?? Infinity);
      if (justUnlocked) r.is_unlocked = true;
      return { justUnlocked, progress: progress(args.userId, args.apiName) };
    },
    submitLeaderboardScore(_: unknown, args: { userId: string; leaderboard: string; score: bigint }) {
      const board = state.leaderboards.boards.get(args.leaderboard)!;
      const entries = state.leaderboards.entriesOf(board.id);
      const current = entries.get(args.userId);
      const didUpdate = !current || state.leaderboards.isBetter(board, args.score, current.score);
      if (didUpdate)
        entries.set(args.userId, {
          id: current?.id ?? state.newId(),
          leaderboard_id: board.id,
          user_id: args.userId,
          score: args.score,
          timestamp: Math.floor(Date.now() / 1000),
          extra_data_base64: '',
        });
      const ranked = state.leaderboards.ranked(board).find((r) => r.entry.user_id === args.userId)!;
      return { didUpdate, entry: entry(board, ranked.entry, ranked.rank), leaderboard: board };
    },
  },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

serveHelper({
  async start({ schemaDirectory }: { schemaDirectory: string }) {
    const schema = buildSubgraphSchema({ typeDefs: parse(loadTypeDefs(schemaDirectory)), resolvers: resolvers as unknown as SubgraphResolvers });
    // Production settings, as the subgraph under test runs; a logger without the start-up chatter.
    const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };
    const server = new ApolloServer({
      schema,
      logger,
      introspection: false,
      includeStacktraceInErrorResponses: false,
      plugins: [ApolloServerPluginLandingPageDisabled()],
    });
    await server.start();
    const http = createServer((req, res) => {
      (async () => {
        const raw = await readBody(req);
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        const response = await server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: raw ? JSON.parse(raw) : undefined },
          context: async () => ({}),
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') res.end(response.body.string);
        else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        }
      })().catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/` };
  },
});
