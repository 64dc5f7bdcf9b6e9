/** Resolvers for `User`'s identity and profile, and `Query.user`. */
import { assertGraphId } from '../../horizon/ids.js';
import type { HorizonUser, ProfileField } from '../../horizon/users.js';
import { requireUserToken, type Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { Resolvers } from '../generated/types.js';
import type { UserRef } from './models.js';

/**
 * A profile field, read without a call when the player came nested in another answer that has
 * it (a leaderboard entry's user), else from their profile.
 */
async function profileField<F extends ProfileField>(user: UserRef, ctx: Context, field: F): Promise<HorizonUser[F]> {
  const value = await ctx.loaders.users.field(user.id, field);
  if (value === undefined) throw userError(ErrorCode.NOT_FOUND, `No Horizon user with id ${user.id}`);
  return value;
}

export const userResolvers = {
  Query: {
    async user(_, args, ctx) {
      const found = await ctx.loaders.users.profile.load(assertGraphId('id', args.id));
      return found ? { id: found.id } : null;
    },
    async viewer(_, __, ctx) {
      requireUserToken(ctx);
      return { id: (await ctx.loaders.users.viewer()).id };
    },
  },
  Mutation: {
    async validateUserNonce(_, args, ctx) {
      const valid = await ctx.horizon.users.validateNonce(args.userId, args.nonce);
      return { valid, user: { id: args.userId } };
    },
  },
  User: {
    // The gateway already knows the id; nothing is fetched until a field needs it. Async so
    // a bad representation fails only its own entity, not the whole `_entities` list.
    __resolveReference: async (reference) => ({ id: assertGraphId('id', reference.id) }),
    alias: (user, _, ctx) => profileField(user, ctx, 'alias'),
    displayName: (user, _, ctx) => profileField(user, ctx, 'displayName'),
    profileUrl: (user, _, ctx) => profileField(user, ctx, 'profileUrl'),
    // Not asked inside leaderboard entries once Graph refused it there: then read from the profile.
    orgScopedId: (user, _, ctx) => profileField(user, ctx, 'orgScopedId'),
    async avatarUrl(user, _, ctx) {
      const known = await ctx.loaders.users.profile.load(user.id);
      if (!known) throw userError(ErrorCode.NOT_FOUND, `No Horizon user with id ${user.id}`);
      if (known.avatarUrl !== undefined) return known.avatarUrl;
      // A profile primed from another answer (a leaderboard entry) lacks the avatar: read the user itself.
      return (await ctx.loaders.users.ownProfile(user.id))?.avatarUrl ?? null;
    },
  },
} satisfies Resolvers;
