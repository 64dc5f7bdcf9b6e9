/** Resolvers for leaderboards, their entries (Relay connection), players' entries, and the writes. */
import { CODE_NOT_RANKED, HorizonApiError } from '../../horizon/errors.js';
import { assertApiName, assertGraphId } from '../../horizon/ids.js';
import {
  assertExtraData,
  extraDataSize,
  MAX_USER_IDS_PER_CALL,
  type EntriesPage,
  type EntryFilter,
  type EntryWritePolicy,
  type Leaderboard,
  type LeaderboardEntry,
  type LocalizedTitle,
  type SortOrder,
  type StartAt,
  type SubmitEntryResult,
} from '../../horizon/leaderboards.js';
import type { Settlement } from '../../idempotency/ledger.js';
import { requireUserToken, type Context } from '../context.js';
import { ErrorCode, unknownLeaderboardMessage, userError } from '../errors.js';
import type { UserRef } from '../users/resolvers.js';
import { assertIdempotencyKey, assertLeaderboardUpsert } from '../inputs.js';
import type { Resolvers } from '../generated/types.js';

/** The player's entry, as a ledger snapshot (JSON): what a lost submit's reply is settled against. */
interface EntrySnapshot {
  score: string;
  timestamp: number;
}

/** Largest page `Leaderboard.entries` serves. */
export const MAX_ENTRIES_PAGE = 100;

interface EntriesArgs {
  first: number;
  after?: string | null;
  startAt: StartAt;
  offset?: number | null;
  filter: EntryFilter;
  userIds?: string[] | null;
}

/**
 * Our cursor: "the entries after Graph cursor `a`, skipping `s` of them". Graph gives cursors
 * for a page's first and last entry only; an entry inside the page is reached from the first
 * one's cursor plus a skip, so every edge has a cursor that resumes exactly after it.
 */
interface EntryCursor {
  a: string;
  s: number;
}

const CURSOR_PREFIX = 'lbe:';

function encodeCursor(cursor: EntryCursor): string {
  return CURSOR_PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string): EntryCursor {
  const bad = () => userError(ErrorCode.BAD_USER_INPUT, 'after must be a cursor returned by Leaderboard.entries', { argument: 'after' });
  if (!value.startsWith(CURSOR_PREFIX) || value.length > 2048) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const cursor = parsed as Partial<EntryCursor> | null;
  if (!cursor || typeof cursor.a !== 'string' || cursor.a === '' || !Number.isInteger(cursor.s) || cursor.s! < 0 || cursor.s! >= MAX_ENTRIES_PAGE) throw bad();
  return cursor as EntryCursor;
}

function checkEntriesArgs(args: EntriesArgs): void {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_ENTRIES_PAGE) {
    throw userError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${MAX_ENTRIES_PAGE}`, { argument: 'first' });
  }
  const hasOffset = args.offset !== undefined && args.offset !== null;
  if ((args.startAt === 'OFFSET') !== hasOffset) {
    throw userError(ErrorCode.BAD_USER_INPUT, 'offset is required with startAt: OFFSET and allowed only with it', { argument: 'offset' });
  }
  if (hasOffset && args.offset! < 0) throw userError(ErrorCode.BAD_USER_INPUT, 'offset must not be negative', { argument: 'offset' });
  const hasUserIds = args.userIds !== undefined && args.userIds !== null;
  if ((args.filter === 'USER_IDS') !== hasUserIds) {
    throw userError(ErrorCode.BAD_USER_INPUT, 'userIds is required with filter: USER_IDS and allowed only with it', { argument: 'userIds' });
  }
  if (hasUserIds) {
    if (args.userIds!.length === 0 || args.userIds!.length > MAX_USER_IDS_PER_CALL) {
      throw userError(ErrorCode.BAD_USER_INPUT, `userIds must list 1 to ${MAX_USER_IDS_PER_CALL} players`, { argument: 'userIds' });
    }
    args.userIds!.forEach((id) => assertGraphId('userIds', id));
  }
}

/** A connection as its field resolvers read it; cursors are computed only when asked. */
function connection(page: EntriesPage, skipped: number, resumedFrom: EntryCursor | undefined) {
  const entries = page.entries.slice(skipped);
  const cursorAt = (i: number) => () => {
    const returnedIndex = skipped + i;
    if (returnedIndex === page.entries.length - 1 && page.afterCursor) return encodeCursor({ a: page.afterCursor, s: 0 });
    if (page.beforeCursor) return encodeCursor({ a: page.beforeCursor, s: returnedIndex });
    // Graph sent no cursor for this page: count on from the cursor this page was read after.
    if (resumedFrom) return encodeCursor({ a: resumedFrom.a, s: resumedFrom.s + i + 1 });
    throw userError(ErrorCode.UPSTREAM_ERROR, 'Horizon returned this page without paging cursors');
  };
  const edges = entries.map((node, i) => ({ node, cursor: cursorAt(i) }));
  return {
    edges,
    nodes: entries,
    pageInfo: {
      hasNextPage: page.hasNext,
      hasPreviousPage: page.hasPrevious || skipped > 0 || resumedFrom !== undefined,
      startCursor: () => (edges.length > 0 ? edges[0]!.cursor() : null),
      endCursor: () => (edges.length > 0 ? edges[edges.length - 1]!.cursor() : null),
    },
    totalCount: page.totalCount ?? null,
  };
}

async function boardOrThrow(ctx: Context, apiName: string, argument: string): Promise<Leaderboard> {
  assertApiName(argument, apiName);
  const board = await ctx.loaders.leaderboards.board.load(apiName);
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

/** Payloads name their board; it is read (again, after a write) only when asked. */
export interface BoardRef {
  leaderboardApiName: string;
}

// What these resolvers pass as parents (the mappers of src/graphql/codegen.yml).
export type EntryConnectionParent = ReturnType<typeof connection>;
export type EntryEdgeParent = EntryConnectionParent['edges'][number];
export type EntryPageInfoParent = EntryConnectionParent['pageInfo'];
export interface SubmitScorePayloadParent extends BoardRef {
  didUpdate: boolean;
  entry: LeaderboardEntry | null;
  settledBy: Settlement;
}
export interface UpsertLeaderboardPayloadParent extends BoardRef {
  created: boolean;
}
export interface DeleteEntryPayloadParent extends BoardRef {
  success: boolean;
  id: string;
  user: UserRef;
  score: bigint;
}
export interface RemoveAllEntriesPayloadParent extends BoardRef {
  success: boolean;
  removedEntryCount: number;
}

async function payloadBoard(parent: BoardRef, _: unknown, ctx: Context): Promise<Leaderboard> {
  return boardOrThrow(ctx, parent.leaderboardApiName, 'leaderboard');
}

interface UpsertInput {
  apiName: string;
  sortOrder?: SortOrder | null;
  writePolicy?: EntryWritePolicy | null;
  earliestAllowedEntryTime?: Date | null;
  latestAllowedEntryTime?: Date | null;
  titles?: LocalizedTitle[] | null;
}

// Checked against the types generated from schema/ (npm run codegen).
export const leaderboardResolvers = {
  Query: {
    leaderboards: (_: unknown, __: unknown, ctx: Context) => ctx.loaders.leaderboards.allBoards(),
    async leaderboard(_: unknown, args: { apiName: string }, ctx: Context) {
      assertApiName('apiName', args.apiName);
      return ctx.loaders.leaderboards.board.load(args.apiName);
    },
  },

  User: {
    async leaderboardEntry(user: UserRef, args: { leaderboard: string }, ctx: Context) {
      assertApiName('leaderboard', args.leaderboard);
      return ctx.loaders.leaderboards.entryOfUser(args.leaderboard).load(user.id);
    },
  },

  Leaderboard: {
    // Async so a bad representation fails only its own entity.
    async __resolveReference(reference: { apiName: string }, ctx: Context) {
      assertApiName('apiName', reference.apiName);
      return ctx.loaders.leaderboards.board.load(reference.apiName);
    },
    title: (board: Leaderboard, args: { locale: string }) => titleFor(board.titles, args.locale),
    async entries(board: Leaderboard, args: EntriesArgs, ctx: Context) {
      checkEntriesArgs(args);
      const resumedFrom = args.after ? decodeCursor(args.after) : undefined;
      const viewerBound = args.startAt === 'CENTERED_ON_VIEWER' || args.startAt === 'CENTERED_ON_VIEWER_OR_TOP' || args.filter === 'FRIENDS';
      const userToken = viewerBound ? requireUserToken(ctx) : undefined;
      let page: EntriesPage;
      try {
        page = await ctx.horizon.leaderboards.entries({
          apiName: board.apiName,
          startAt: args.startAt,
          offset: args.offset ?? undefined,
          filter: args.filter,
          userIds: args.userIds ?? undefined,
          // Entries inside the previous page are reached by skipping past its first one.
          limit: args.first + (resumedFrom?.s ?? 0),
          after: resumedFrom?.a,
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
      return connection(page, Math.min(resumedFrom?.s ?? 0, page.entries.length), resumedFrom);
    },
  },

  LeaderboardEntry: {
    async __resolveReference(reference: { id: string }, ctx: Context) {
      assertGraphId('id', reference.id);
      return ctx.loaders.leaderboards.entry.load(reference.id);
    },
    extraDataSize: (entry: LeaderboardEntry) => (entry.extraDataBase64 ? (extraDataSize(entry.extraDataBase64) ?? 0) : 0),
    user: (entry: LeaderboardEntry): UserRef => ({ id: entry.user.id }),
    leaderboard: (entry: LeaderboardEntry, _: unknown, ctx: Context) => payloadBoard({ leaderboardApiName: entry.leaderboardApiName }, _, ctx),
  },

  Mutation: {
    async submitLeaderboardScore(
      _: unknown,
      args: {
        userId: string;
        leaderboard: string;
        score: bigint;
        extraDataBase64?: string | null;
        forceUpdate?: boolean | null;
        idempotencyKey?: string | null;
      },
      ctx: Context,
    ) {
      // Everything checkable is checked before the first upstream call.
      assertGraphId('userId', args.userId);
      assertApiName('leaderboard', args.leaderboard);
      if (args.extraDataBase64 !== undefined && args.extraDataBase64 !== null) assertExtraData(args.extraDataBase64);
      assertIdempotencyKey(args.idempotencyKey);
      const board = await boardOrThrow(ctx, args.leaderboard, 'leaderboard');
      const write = { apiName: board.apiName, score: args.score, extraDataBase64: args.extraDataBase64, forceUpdate: args.forceUpdate ?? false };
      let send: () => Promise<SubmitEntryResult>;
      if (board.writePolicy === 'CLIENT_AUTHORITATIVE') {
        // Horizon takes these only with the player's own token; make sure it is this player's.
        const userToken = requireUserToken(ctx);
        const viewer = await ctx.loaders.users.viewer();
        if (viewer.id !== args.userId) {
          throw userError(
            ErrorCode.FORBIDDEN,
            `${board.apiName} is CLIENT_AUTHORITATIVE: only the player ${args.userId} can submit their score, with their own token`,
          );
        }
        send = () => ctx.horizon.leaderboards.submitEntry({ ...write, userToken });
      } else {
        send = () => ctx.horizon.leaderboards.submitEntry({ ...write, userId: args.userId });
      }
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
        run: send,
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

    async upsertLeaderboard(_: unknown, args: { input: UpsertInput }, ctx: Context) {
      const input = args.input;
      assertApiName('input.apiName', input.apiName);
      assertLeaderboardUpsert(input);
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

    async deleteLeaderboard(_: unknown, args: { apiName: string }, ctx: Context) {
      const board = await boardOrThrow(ctx, args.apiName, 'apiName');
      const success = await ctx.horizon.leaderboards.delete(board.id);
      ctx.loaders.leaderboards.forgetBoard(board.apiName);
      return { success, apiName: board.apiName, id: board.id, deletedEntryCount: board.entryCount };
    },

    async deleteLeaderboardEntry(_: unknown, args: { id: string }, ctx: Context) {
      assertGraphId('id', args.id);
      // Read first: the payload says whose entry, on which board, with what score.
      const entry = await ctx.loaders.leaderboards.entry.load(args.id);
      if (!entry) throw userError(ErrorCode.NOT_FOUND, `No leaderboard entry with id ${args.id}`, { argument: 'id' });
      const success = await ctx.horizon.leaderboards.deleteEntry(entry.id);
      ctx.loaders.leaderboards.forgetBoard(entry.leaderboardApiName);
      return { success, id: entry.id, user: { id: entry.user.id }, score: entry.score, leaderboardApiName: entry.leaderboardApiName };
    },

    async removeAllLeaderboardEntries(_: unknown, args: { leaderboard: string }, ctx: Context) {
      const board = await boardOrThrow(ctx, args.leaderboard, 'leaderboard');
      const success = await ctx.horizon.leaderboards.removeAllEntries(board.apiName);
      ctx.loaders.leaderboards.forgetBoard(board.apiName);
      return { success, removedEntryCount: board.entryCount, leaderboardApiName: board.apiName };
    },
  },

  SubmitLeaderboardScorePayload: {
    // Asked for after a submit, the board is read afresh (its entry count may have grown), which
    // refreshes the shared cache for everyone.
    async leaderboard(parent: BoardRef, _: unknown, ctx: Context) {
      ctx.loaders.leaderboards.forgetBoard(parent.leaderboardApiName);
      return payloadBoard(parent, _, ctx);
    },
  },
  UpsertLeaderboardPayload: { leaderboard: payloadBoard },
  DeleteLeaderboardEntryPayload: { leaderboard: payloadBoard },
  RemoveAllLeaderboardEntriesPayload: { leaderboard: payloadBoard },
} satisfies Resolvers;
