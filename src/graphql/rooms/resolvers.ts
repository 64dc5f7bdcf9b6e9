/** Resolvers for moderated rooms (deprecated by Meta). Rooms are rare and read one at a time: no loader. */
import { nullIfUnknown } from '../batch.js';
import type { Resolvers } from '../generated/types.js';

export const roomResolvers = {
  Query: {
    moderatedRoom: (_, args, ctx) => nullIfUnknown(ctx.horizon.rooms.get(args.id, ctx.signal)),
  },
  Mutation: {
    async createModeratedRoom(_, args, ctx) {
      // Each call makes a new room. Horizon lists no rooms to read back, so a lost reply stays unknown.
      const { result: id, settledBy } = await ctx.ledger.execute<undefined, string>({
        scope: 'createModeratedRoom',
        key: args.idempotencyKey,
        args: { maxUsers: args.maxUsers },
        run: () => ctx.horizon.rooms.create(args.maxUsers),
      });
      return { success: true, settledBy, room: await ctx.horizon.rooms.get(id) };
    },
    async updateModeratedRoomDataStore(_, args, ctx) {
      const success = await ctx.horizon.rooms.updateDataStore(args.roomId, args.entries);
      return { success, settledBy: 'REPLY', room: await ctx.horizon.rooms.get(args.roomId) };
    },
    async deleteModeratedRoom(_, args, ctx) {
      return { success: await ctx.horizon.rooms.delete(args.roomId), settledBy: 'REPLY', room: null };
    },
  },
  ModeratedRoom: {
    owner: (room) => (room.owner ? { id: room.owner.id } : null),
    users: (room) => room.users.map((u) => ({ id: u.id })),
  },
} satisfies Resolvers;
