/** Resolvers for `User`'s identity and profile, and `Query.user`. */
import { assertGraphId } from '../../horizon/ids.js';
import type { HorizonUser } from '../../horizon/users.js';
import { requireUserToken, type Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { Resolvers } from '../generated/types.js';

/** What a `User` resolves from: its key. The profile is loaded only when a profile field is asked. */
export interface UserRef {
  id: string;
}

async function profile(user: UserRef, ctx: Context): Promise<HorizonUser> {
  const found = await ctx.loaders.users.profile.load(user.id);
  if (!found) throw userError(ErrorCode.NOT_FOUND, `No Horizon user with id ${user.id}`);
  return found;
}

// Checked against the types generated from schema/ (npm run codegen).
export const userResolvers = {
  Query: {
    async user(_: unknown, args: { id: string }, ctx: Context): Promise<UserRef | null> {
      assertGraphId('id', args.id);
      const found = await ctx.loaders.users.profile.load(args.id);
      return found ? { id: found.id } : null;
    },
    async viewer(_: unknown, _args: unknown, ctx: Context): Promise<UserRef> {
      requireUserToken(ctx);
      return { id: (await ctx.loaders.users.viewer()).id };
    },
  },
  Mutation: {
    async validateUserNonce(_: unknown, args: { userId: string; nonce: string }, ctx: Context) {
      const valid = await ctx.horizon.users.validateNonce(args.userId, args.nonce);
      return { valid, user: { id: args.userId } };
    },
  },
  User: {
    // The gateway already knows the id; nothing is fetched until a field needs it. Async so
    // a bad representation fails only its own entity, not the whole `_entities` list.
    async __resolveReference(reference: UserRef): Promise<UserRef> {
      assertGraphId('id', reference.id);
      return { id: reference.id };
    },
    alias: async (user: UserRef, _: unknown, ctx: Context) => (await profile(user, ctx)).alias,
    displayName: async (user: UserRef, _: unknown, ctx: Context) => (await profile(user, ctx)).displayName,
    profileUrl: async (user: UserRef, _: unknown, ctx: Context) => (await profile(user, ctx)).profileUrl,
    orgScopedId: async (user: UserRef, _: unknown, ctx: Context) => (await profile(user, ctx)).orgScopedId,
    async avatarUrl(user: UserRef, _: unknown, ctx: Context) {
      const known = (await profile(user, ctx)).avatarUrl;
      if (known !== undefined) return known;
      // A profile primed from another answer (a leaderboard entry) lacks the avatar: read the user itself.
      return (await ctx.loaders.users.ownProfile(user.id))?.avatarUrl ?? null;
    },
  },
} satisfies Resolvers;
