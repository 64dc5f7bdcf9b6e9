/** Resolvers for leaderboards, their entries (Relay connection), players' entries, and the writes. */
import { CODE_NOT_RANKED, HorizonApiError } from '../../horizon/errors.js';
import { assertApiName, assertGraphId } from '../../horizon/ids.js';
import {
  assertEntriesQuery,
  assertExtraData,
  assertLeaderboardInput,
  extraDataSize,
  viewerBound,
  type EntriesPage,
  type Leaderboard,
  type LocalizedTitle,
  type SubmitEntryResult,
} from '../../horizon/leaderboards.js';
import { assertIdempotencyKey } from '../../idempotency/ledger.js';
import { requirePlayerToken, requireUserToken, type Context } from '../context.js';
import { ErrorCode, unknownLeaderboardMessage, userError } from '../errors.js';
import type { Resolvers } from '../generated/types.js';
import { assertAtMost, assertFirst } from '../inputs.js';
import { entryConnection, entryCursors, MAX_ENTRIES_PAGE } from './connection.js';
import type { BoardRef } from './models.js';

/** The player's entry, as a ledger snapshot (JSON): what a lost submit's reply is settled against. */
interface EntrySnapshot {
  score: string;
  timestamp: number;
}

/** Titles one leaderboard may carry: far more locales than Horizon supports. */
const MAX_LEADERBOARD_TITLES = 100;

async function boardOrThrow(ctx: Context, apiName: string, argument: string): Promise<Leaderboard> {
  const board = await ctx.loaders.leaderboards.board.load(assertApiName(argument, apiName));
  if (!board) throw userError(ErrorCode.NOT_FOUND, unknownLeaderboardMessage(apiName), { argument, reason: 'UNKNOWN_LEADERBOARD', leaderboard: apiName });
  return board;
}

/** The title for a locale: exact, then same language, then en_US, then any. */
function titleFor(titles: readonly LocalizedTitle[], locale: string): string | null {
  const language = locale.split('_')[0];
  const pick =
    titles.find((t) => t.locale === locale) ?? titles.find((t) => t.locale.split('_')[0] === language) ?? titles.find((t) => t.locale === 'en_US') ?? titles[0];
  return pick?.title ?? null;
}

async function payloadBoard(parent: BoardRef, _: unknown, ctx: Context): Promise<Leaderboard> {
  return boardOrThrow(ctx, parent.leaderboardApiName, 'leaderboard');
}

export const leaderboardResolvers = {
  Query: {
    leaderboards: (_, __, ctx) => ctx.loaders.leaderboards.allBoards(),
    leaderboard: async (_, args, ctx) => ctx.loaders.leaderboards.board.load(assertApiName('apiName', args.apiName)),
  },

  User: {
    leaderboardEntry: async (user, args, ctx) => ctx.loaders.leaderboards.entryOfUser(assertApiName('leaderboard', args.leaderboard)).load(user.id),
  },

  Leaderboard: {
    // Async so a bad representation fails only its own entity.
    __resolveReference: async (reference, ctx) => ctx.loaders.leaderboards.board.load(assertApiName('apiName', reference.apiName)),
    title: (board, args) => titleFor(board.titles, args.locale),
    async entries(board, args, ctx) {
      const query = {
        apiName: board.apiName,
        startAt: args.startAt,
        offset: args.offset ?? undefined,
        filter: args.filter,
        userIds: args.userIds ?? undefined,
      };
      assertFirst(args.first, MAX_ENTRIES_PAGE);
      assertEntriesQuery(query);
      const resumedFrom = args.after ? entryCursors.decode(args.after) : undefined;
      const userToken = viewerBound(query) ? requireUserToken(ctx) : undefined;
      let page: EntriesPage;
      try {
        page = await ctx.horizon.leaderboards.entries({
          ...query,
          // Entries inside the previous page are reached by skipping past its first one.
          limit: args.first + (resumedFrom?.skip ?? 0),
          after: resumedFrom?.after,
          summary: true,
          userToken,
          signal: ctx.signal,
        });
      } catch (error) {
        if (error instanceof HorizonApiError && error.code === CODE_NOT_RANKED) {
          throw userError(
            ErrorCode.NOT_FOUND,
            `The calling player has no entry on ${board.apiName} to centre on; CENTERED_ON_VIEWER_OR_TOP falls back to the top`,
            {
              reason: 'NOT_RANKED',
              upstream: { endpoint: error.endpoint, status: error.status, code: error.code },
            },
          );
        }
        throw error;
      }
      ctx.loaders.leaderboards.prime(page.entries);
      return entryConnection(page, Math.min(resumedFrom?.skip ?? 0, page.entries.length), resumedFrom);
    },
  },

  LeaderboardEntry: {
    __resolveReference: async (reference, ctx) => ctx.loaders.leaderboards.entry.load(assertGraphId('id', reference.id)),
    extraDataSize: (entry) => (entry.extraDataBase64 ? (extraDataSize(entry.extraDataBase64) ?? 0) : 0),
    user: (entry) => ({ id: entry.user.id }),
    leaderboard: payloadBoard,
  },

  Mutation: {
    async submitLeaderboardScore(_, args, ctx) {
      // Everything checkable is checked before the first upstream call.
      assertGraphId('userId', args.userId);
      assertApiName('leaderboard', args.leaderboard);
      if (args.extraDataBase64 !== undefined && args.extraDataBase64 !== null) assertExtraData(args.extraDataBase64);
      assertIdempotencyKey(args.idempotencyKey);
      const board = await boardOrThrow(ctx, args.leaderboard, 'leaderboard');
      const write = { apiName: board.apiName, score: args.score, extraDataBase64: args.extraDataBase64, forceUpdate: args.forceUpdate ?? false };
      // CLIENT_AUTHORITATIVE: Horizon takes these only with the player's own token; make sure it is this player's.
      const refusal = `${board.apiName} is CLIENT_AUTHORITATIVE: only the player ${args.userId} can submit their score, with their own token`;
      const who = board.writePolicy === 'CLIENT_AUTHORITATIVE' ? { userToken: await requirePlayerToken(ctx, args.userId, refusal) } : { userId: args.userId };
      const entryNow = async (): Promise<EntrySnapshot | null> => {
        const { entries } = await ctx.horizon.leaderboards.entries({ apiName: board.apiName, filter: 'USER_IDS', userIds: [args.userId], signal: ctx.signal });
        const entry = entries.find((e) => e.user.id === args.userId);
        return entry ? { score: entry.score.toString(), timestamp: entry.timestamp?.getTime() ?? 0 } : null;
      };
      const { result, settledBy } = await ctx.ledger.execute<EntrySnapshot | null, SubmitEntryResult>({
        scope: 'submitLeaderboardScore',
        key: args.idempotencyKey,
        args: {
          userId: args.userId,
          leaderboard: board.apiName,
          score: args.score.toString(),
          extraDataBase64: args.extraDataBase64 ?? null,
          forceUpdate: write.forceUpdate,
        },
        snapshot: entryNow,
        run: () => ctx.horizon.leaderboards.submitEntry({ ...write, ...who }),
        // A lost reply: the entry now holds our score with a new timestamp iff ours landed.
        settle: async (before) => {
          const after = await entryNow();
          const landed =
            after !== null && after.score === args.score.toString() && (!before || after.timestamp !== before.timestamp || before.score !== after.score);
          return landed ? { applied: true, result: { didUpdate: true, updatedChallengeIds: [] } } : { applied: false };
        },
      });
      // Ranks moved. The board's metadata stays cached (shared, max-age 60): a score is not an admin
      // write, and re-reading it after every submit would cost each one an upstream call.
      ctx.loaders.leaderboards.forgetEntries(board.apiName);
      const entry = await ctx.loaders.leaderboards.entryOfUser(board.apiName).load(args.userId);
      return { didUpdate: result.didUpdate, entry, settledBy, leaderboardApiName: board.apiName };
    },

    async upsertLeaderboard(_, args, ctx) {
      const input = args.input;
      assertApiName('input.apiName', input.apiName);
      if (input.titles) assertAtMost('input.titles', input.titles, MAX_LEADERBOARD_TITLES, 'locales');
      assertLeaderboardInput(input);
      if (input.earliestAllowedEntryTime && input.latestAllowedEntryTime && input.earliestAllowedEntryTime >= input.latestAllowedEntryTime) {
        throw userError(ErrorCode.BAD_USER_INPUT, 'earliestAllowedEntryTime must be before latestAllowedEntryTime', {
          argument: 'input.earliestAllowedEntryTime',
        });
      }
      const existing = await ctx.loaders.leaderboards.board.load(input.apiName);
      if (!existing && (!input.sortOrder || !input.writePolicy)) {
        throw userError(ErrorCode.BAD_USER_INPUT, `Creating ${input.apiName} needs sortOrder and writePolicy`, {
          argument: input.sortOrder ? 'input.writePolicy' : 'input.sortOrder',
        });
      }
      await ctx.horizon.leaderboards.upsert({
        apiName: input.apiName,
        sortOrder: input.sortOrder ?? undefined,
        writePolicy: input.writePolicy ?? undefined,
        earliestAllowedEntryTime: input.earliestAllowedEntryTime,
        latestAllowedEntryTime: input.latestAllowedEntryTime,
        titles: input.titles === null ? [] : input.titles,
      });
      // Read back what Horizon stored rather than echo the input.
      ctx.loaders.leaderboards.forgetBoard(input.apiName);
      return { created: existing === null, leaderboardApiName: input.apiName };
    },

    async deleteLeaderboard(_, args, ctx) {
      const board = await boardOrThrow(ctx, args.apiName, 'apiName');
      const success = await ctx.horizon.leaderboards.delete(board.id);
      ctx.loaders.leaderboards.forgetBoard(board.apiName);
      return { success, apiName: board.apiName, id: board.id, deletedEntryCount: board.entryCount };
    },

    async deleteLeaderboardEntry(_, args, ctx) {
      // Read first: the payload says whose entry, on which board, with what score.
      const entry = await ctx.loaders.leaderboards.entry.load(assertGraphId('id', args.id));
      if (!entry) throw userError(ErrorCode.NOT_FOUND, `No leaderboard entry with id ${args.id}`, { argument: 'id' });
      const success = await ctx.horizon.leaderboards.deleteEntry(entry.id);
      ctx.loaders.leaderboards.forgetBoard(entry.leaderboardApiName);
      return { success, id: entry.id, user: { id: entry.user.id }, score: entry.score, leaderboardApiName: entry.leaderboardApiName };
    },

    async removeAllLeaderboardEntries(_, args, ctx) {
      const board = await boardOrThrow(ctx, args.leaderboard, 'leaderboard');
      const success = await ctx.horizon.leaderboards.removeAllEntries(board.apiName);
      ctx.loaders.leaderboards.forgetBoard(board.apiName);
      return { success, removedEntryCount: board.entryCount, leaderboardApiName: board.apiName };
    },
  },

  SubmitLeaderboardScorePayload: {
    // Asked for after a submit, the board is read afresh (its entry count may have grown), which
    // refreshes the shared cache for everyone.
    async leaderboard(parent, _, ctx) {
      ctx.loaders.leaderboards.forgetBoard(parent.leaderboardApiName);
      return payloadBoard(parent, _, ctx);
    },
  },
  UpsertLeaderboardPayload: { leaderboard: payloadBoard },
  DeleteLeaderboardEntryPayload: { leaderboard: payloadBoard },
  RemoveAllLeaderboardEntriesPayload: { leaderboard: payloadBoard },
} satisfies Resolvers;
