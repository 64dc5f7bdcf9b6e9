/**
 * Resolvers for account linking (web SSO) and federated users. The tokens they return are
 * answered to the caller only: nothing here logs them, stores them (no idempotency record holds
 * one) or puts them in an error, and `@sensitive` makes every response carrying one `no-store`.
 */
import { assertDisplayName, assertPersistentId, type FederatedUser } from '../../horizon/accounts.js';
import { connectionResolvers } from '../cursor.js';
import { assertGraphId } from '../../horizon/ids.js';
import { assertIdempotencyKey } from '../../idempotency/ledger.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { Resolvers } from '../generated/types.js';
import { assertFirst } from '../inputs.js';
import { federatedUserConnection, MAX_FEDERATED_USERS_PAGE } from './connection.js';

/** The user right now, straight from Horizon (not the request's loader): what a write is settled against. */
function currentUser(ctx: Context, persistentId: string): Promise<FederatedUser | null> {
  return ctx.horizon.accounts.findFederatedUser(persistentId, ctx.signal);
}

/** A write changed this user: later reads in this request must see it. */
function forget(ctx: Context, user: Pick<FederatedUser, 'id' | 'persistentId'>): void {
  ctx.loaders.accounts.federatedUser.clear(user.id);
  ctx.loaders.accounts.federatedUserByPersistentId.clear(user.persistentId);
}

export const accountResolvers = {
  Query: {
    async federatedUser(_, args, ctx) {
      const byId = args.id !== undefined && args.id !== null;
      const byPersistentId = args.persistentId !== undefined && args.persistentId !== null;
      if (byId === byPersistentId) throw userError(ErrorCode.BAD_USER_INPUT, 'Give exactly one of id and persistentId', { argument: 'id' });
      if (byId) return ctx.loaders.accounts.federatedUser.load(assertGraphId('id', args.id!));
      return ctx.loaders.accounts.federatedUserByPersistentId.load(assertPersistentId('persistentId', args.persistentId!));
    },
    async federatedUsers(_, args, ctx) {
      return federatedUserConnection(ctx, assertFirst(args.first ?? 20, MAX_FEDERATED_USERS_PAGE), args.after);
    },
  },

  Mutation: {
    // Never retried and never recorded: a code works once, and an idempotency record would keep the token.
    linkAccount: (_, args, ctx) => ctx.horizon.accounts.exchangeSsoCode(args.code, args.orgScopedId),
    refreshLinkedAccount: (_, args, ctx) => ctx.horizon.accounts.refreshSsoToken(args.orgScopedId, args.refreshCode),

    async createFederatedUser(_, args, ctx) {
      assertIdempotencyKey(args.idempotencyKey);
      assertPersistentId('persistentId', args.persistentId);
      assertDisplayName('displayName', args.displayName);
      const { result, settledBy } = await ctx.ledger.execute<FederatedUser | null, FederatedUser>({
        scope: 'createFederatedUser',
        key: args.idempotencyKey,
        args: { persistentId: args.persistentId, displayName: args.displayName },
        // One read before the write, so a lost reply is settled, not guessed: and a taken id is refused plainly.
        alwaysSettle: true,
        snapshot: async () => {
          const existing = await currentUser(ctx, args.persistentId);
          if (existing) throw userError(ErrorCode.BAD_USER_INPUT, 'A federated user with this persistentId already exists', { argument: 'persistentId' });
          return null;
        },
        run: () => ctx.horizon.accounts.createFederatedUser(args.persistentId, args.displayName),
        // A lost reply: the user exists now (it did not before) iff ours landed.
        settle: async () => {
          const now = await currentUser(ctx, args.persistentId);
          return now ? { applied: true, result: now } : { applied: false };
        },
      });
      forget(ctx, result);
      return { user: result, settledBy };
    },

    async updateFederatedUser(_, args, ctx) {
      // Setting a name twice is setting it once: the client resends it after a lost reply.
      const user = await ctx.horizon.accounts.updateFederatedUser(args.persistentId, args.displayName);
      forget(ctx, user);
      return user;
    },

    async deleteFederatedUser(_, args, ctx) {
      const { result, settledBy } = await ctx.ledger.execute<FederatedUser, boolean>({
        scope: 'deleteFederatedUser',
        args: { persistentId: args.persistentId },
        alwaysSettle: true,
        snapshot: async () => {
          const existing = await currentUser(ctx, args.persistentId);
          if (!existing) throw userError(ErrorCode.NOT_FOUND, 'No federated user with this persistentId', { argument: 'persistentId' });
          return existing;
        },
        run: () => ctx.horizon.accounts.deleteFederatedUser(args.persistentId),
        // A lost reply: the user is gone now (it was there before) iff ours landed.
        settle: async () => ((await currentUser(ctx, args.persistentId)) ? { applied: false } : { applied: true, result: true }),
      });
      ctx.loaders.accounts.federatedUserByPersistentId.clear(args.persistentId);
      return { success: result, persistentId: args.persistentId, settledBy };
    },

    async createFederatedUserAccessToken(_, args, ctx) {
      const accessToken = await ctx.horizon.accounts.generateFederatedUserToken(args.persistentId);
      return { persistentId: args.persistentId, accessToken };
    },
  },

  FederatedUserConnection: connectionResolvers,
} satisfies Resolvers;
