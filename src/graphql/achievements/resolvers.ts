/** Resolvers for achievement definitions, players' progress, and progress writes. */
import { assertBits, assertCount, type AchievementDefinition, type AchievementWriteResult } from '../../horizon/achievements.js';
import { assertApiName, assertGraphId } from '../../horizon/ids.js';
import { assertIdempotencyKey, type Settlement, type WriteSpec } from '../../idempotency/ledger.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import { assertAtMost } from '../inputs.js';
import { loadManyOrThrow } from '../batch.js';
import type { Resolvers } from '../generated/types.js';
import { setAchievementImages } from './images.js';
import type { ProgressParent, WritePayloadParent } from './models.js';

/** Most api names one field may ask for at once. */
const MAX_API_NAMES = 100;

function checkApiNames(apiNames: readonly string[]): readonly string[] {
  for (const name of assertAtMost('apiNames', apiNames, MAX_API_NAMES, 'names')) assertApiName('apiNames', name);
  return apiNames;
}

async function progressFor(ctx: Context, userId: string, definitions: readonly (AchievementDefinition | null)[]): Promise<ProgressParent[]> {
  const records = await ctx.loaders.achievements.progress.load(userId);
  const byName = new Map(records.map((r) => [r.apiName, r]));
  return definitions
    .filter((d): d is AchievementDefinition => d !== null)
    .map((definition) => ({ userId, definition, record: byName.get(definition.apiName) }));
}

/** Loads and checks the definition a write targets, before anything is sent upstream. */
async function writableDefinition(ctx: Context, userId: string, apiName: string, accepts: AchievementDefinition['type'][]): Promise<AchievementDefinition> {
  assertGraphId('userId', userId);
  const definition = await ctx.loaders.achievements.definition.load(assertApiName('apiName', apiName));
  if (!definition) throw userError(ErrorCode.NOT_FOUND, `No achievement with api name ${apiName}`, { argument: 'apiName' });
  if (definition.archived) throw userError(ErrorCode.BAD_USER_INPUT, `Achievement ${apiName} is archived and cannot be written`, { argument: 'apiName' });
  if (!accepts.includes(definition.type)) {
    throw userError(ErrorCode.BAD_USER_INPUT, `Achievement ${apiName} is ${definition.type}; this mutation needs ${accepts.join(' or ')}`, {
      argument: 'apiName',
    });
  }
  return definition;
}

function payload(ctx: Context, userId: string, definition: AchievementDefinition, result: AchievementWriteResult, settledBy: Settlement): WritePayloadParent {
  // The write changed this user's progress: a later read in this request must see it.
  ctx.loaders.achievements.progress.clear(userId);
  return { userId, definition, result, settledBy };
}

/** One achievement's progress as a ledger snapshot (JSON); null before the first write. */
interface ProgressSnapshot {
  /** Decimal digits, as JSON has no exact int64 (records stored before counts were Longs hold a number). */
  count: string | number;
  bits: string;
  unlocked: boolean;
}

async function progressSnapshot(ctx: Context, userId: string, apiName: string): Promise<ProgressSnapshot | null> {
  // Straight from Horizon, not the request's loader: it must be the state right now. A read, so it
  // stops at the operation's deadline (before the write: nothing sent; after: settled on retry).
  const [record] = await ctx.horizon.achievements.listProgress(userId, {
    apiNames: [apiName],
    signal: ctx.signal,
    definitions: () => ctx.loaders.achievements.allDefinitions(true),
  });
  return record ? { count: record.count.toString(), bits: record.bitfield ?? '', unlocked: record.unlocked } : null;
}

type Landed = (before: ProgressSnapshot | null | undefined, after: ProgressSnapshot | null) => boolean;

/** Settles a lost reply by reading the progress back: applied iff `landed`, with the result the read-back shows. */
function settleByReadBack(ctx: Context, userId: string, apiName: string, landed: Landed): WriteSpec<ProgressSnapshot | null, AchievementWriteResult>['settle'] {
  return async (before) => {
    const after = await progressSnapshot(ctx, userId, apiName);
    if (!landed(before, after)) return { applied: false };
    return { applied: true, result: { id: '', apiName, justUnlocked: (after?.unlocked ?? false) && !(before?.unlocked ?? false) } };
  };
}

export const achievementResolvers = {
  Query: {
    async achievementDefinitions(_, args, ctx) {
      if (args.apiNames) {
        const found = await loadManyOrThrow(ctx.loaders.achievements.definition, checkApiNames(args.apiNames));
        return found.filter((d): d is AchievementDefinition => d !== null);
      }
      return ctx.loaders.achievements.allDefinitions(args.includeArchived ?? false);
    },
    achievementDefinition: async (_, args, ctx) => ctx.loaders.achievements.definition.load(assertApiName('apiName', args.apiName)),
  },

  Mutation: {
    setAchievementImages,
    async unlockAchievement(_, args, ctx) {
      const definition = await writableDefinition(ctx, args.userId, args.apiName, ['SIMPLE', 'COUNT', 'BITFIELD']);
      const result = await ctx.horizon.achievements.unlock(args.userId, args.apiName);
      return payload(ctx, args.userId, definition, result, 'REPLY');
    },
    async addAchievementCount(_, args, ctx) {
      assertIdempotencyKey(args.idempotencyKey);
      assertCount(args.count);
      const definition = await writableDefinition(ctx, args.userId, args.apiName, ['COUNT']);
      const { result, settledBy } = await ctx.ledger.execute<ProgressSnapshot | null, AchievementWriteResult>({
        scope: 'addAchievementCount',
        key: args.idempotencyKey,
        // A number where it is exact, as when count was an Int: a key's fingerprint stays the same across versions.
        args: { userId: args.userId, apiName: args.apiName, count: args.count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(args.count) : args.count.toString() },
        snapshot: () => progressSnapshot(ctx, args.userId, args.apiName),
        run: () => ctx.horizon.achievements.addCount(args.userId, args.apiName, args.count),
        // A lost reply: the count moved (no one else writes this key's counter meanwhile) iff ours landed.
        settle: settleByReadBack(ctx, args.userId, args.apiName, (before, after) => BigInt(after?.count ?? 0) > BigInt(before?.count ?? 0)),
      });
      return payload(ctx, args.userId, definition, result, settledBy);
    },
    async addAchievementBits(_, args, ctx) {
      assertIdempotencyKey(args.idempotencyKey);
      assertBits(args.bits);
      const definition = await writableDefinition(ctx, args.userId, args.apiName, ['BITFIELD']);
      if (args.bits.length !== definition.bitfieldLength) {
        throw userError(ErrorCode.BAD_USER_INPUT, `bits must be a string of 0 and 1, ${definition.bitfieldLength} characters long for ${args.apiName}`, {
          argument: 'bits',
        });
      }
      const { result, settledBy } = await ctx.ledger.execute<ProgressSnapshot | null, AchievementWriteResult>({
        scope: 'addAchievementBits',
        key: args.idempotencyKey,
        args: { userId: args.userId, apiName: args.apiName, bits: args.bits },
        snapshot: () => progressSnapshot(ctx, args.userId, args.apiName),
        run: () => ctx.horizon.achievements.addBits(args.userId, args.apiName, args.bits),
        // A lost reply: OR-merged bits are all set iff ours landed (or were already set: same effect).
        settle: settleByReadBack(ctx, args.userId, args.apiName, (_, after) => [...args.bits].every((bit, i) => bit === '0' || after?.bits[i] === '1')),
      });
      return payload(ctx, args.userId, definition, result, settledBy);
    },
    async upsertAchievementDefinition(_, args, ctx) {
      const input = args.input;
      if (input.type !== 'SIMPLE' && !(typeof input.target === 'bigint' && input.target > 0n)) {
        throw userError(ErrorCode.BAD_USER_INPUT, `${input.type} achievements need a positive target`, { argument: 'input.target' });
      }
      if (
        input.type === 'BITFIELD' &&
        !(Number.isInteger(input.bitfieldLength) && input.bitfieldLength! > 0 && BigInt(input.bitfieldLength!) >= input.target!)
      ) {
        throw userError(ErrorCode.BAD_USER_INPUT, 'BITFIELD achievements need a bitfieldLength of at least target', { argument: 'input.bitfieldLength' });
      }
      await ctx.horizon.achievements.upsertDefinition({
        ...input,
        target: input.type === 'SIMPLE' ? undefined : input.target,
        bitfieldLength: input.type === 'BITFIELD' ? input.bitfieldLength : undefined,
      });
      // Every replica's cache expires by its TTL; ours forgets at once.
      ctx.caches.achievementDefinitions.delete(input.apiName);
      ctx.caches.achievementDefinitionLists.clear();
      // Read back what Horizon stored rather than echo the input.
      ctx.loaders.achievements.definition.clear(input.apiName);
      return ctx.loaders.achievements.definition.load(input.apiName);
    },
    async resetAchievements(_, args, ctx) {
      const success = await ctx.horizon.achievements.removeAll(args.userId);
      ctx.loaders.achievements.progress.clear(args.userId);
      return { success, user: { id: args.userId } };
    },
  },

  User: {
    async achievements(user, args, ctx) {
      const loaders = ctx.loaders.achievements;
      // Progress and definitions are fetched side by side: one round trip, not two.
      const [definitions] = await Promise.all([
        args.apiNames ? loadManyOrThrow(loaders.definition, checkApiNames(args.apiNames)) : loaders.allDefinitions(false),
        loaders.progress.load(user.id),
      ]);
      return progressFor(ctx, user.id, definitions);
    },
    async achievement(user, args, ctx) {
      assertApiName('apiName', args.apiName);
      const [definition] = await Promise.all([ctx.loaders.achievements.definition.load(args.apiName), ctx.loaders.achievements.progress.load(user.id)]);
      const [progress] = await progressFor(ctx, user.id, [definition]);
      return progress ?? null;
    },
  },

  AchievementDefinition: {
    // Async so a bad representation fails only its own entity.
    __resolveReference: async (reference, ctx) => ctx.loaders.achievements.definition.load(assertApiName('apiName', reference.apiName)),
  },

  AchievementProgress: {
    user: (parent) => ({ id: parent.userId }),
    unlocked: (parent) => parent.record?.unlocked ?? false,
    unlockedAt: (parent) => (parent.record?.unlocked ? parent.record.unlockedAt : null),
    count: (parent) => (parent.definition.type === 'COUNT' ? (parent.record?.count ?? 0n) : null),
    bitfield: (parent) => {
      if (parent.definition.type !== 'BITFIELD') return null;
      // Horizon may send fewer characters than the field has bits: the rest are unset.
      return (parent.record?.bitfield ?? '').padEnd(parent.definition.bitfieldLength ?? 0, '0');
    },
  },

  AchievementWritePayload: {
    justUnlocked: (parent) => parent.result.justUnlocked,
    async progress(parent, _, ctx) {
      const [progress] = await progressFor(ctx, parent.userId, [parent.definition]);
      return progress!;
    },
  },
} satisfies Resolvers;
