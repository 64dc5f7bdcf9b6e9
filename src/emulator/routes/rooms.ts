/**
 * Moderated rooms (docs/horizon-api.md; deprecated by Meta, kept for games that still use them):
 * create, read, update the data store, delete.
 */
import { errors, parseIntParam, parseJson, required, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import { JsonInteger } from '../messages.js';
import type { EmulatedRoom, EmulatorState } from '../state.js';
import { requireApp } from './common.js';
import type { NodeKind } from './nodes.js';
import { USER_SHAPE, userNode } from './users.js';

const MAX_USERS = 1024;
const MAX_DATA_STORE_PAIRS = 2000;

export const ROOM_SHAPE: NodeShape = {
  type: 'Room',
  fields: ['id', 'max_users', 'owner', 'users', 'data_store', 'name', 'description', 'join_policy', 'type', 'joinability', 'version', 'is_membership_locked'],
  nested: { owner: USER_SHAPE, users: USER_SHAPE, data_store: { type: 'RoomDataStoreEntry', fields: ['key', 'value'], defaults: ['key', 'value'] } },
};

function roomNode(state: EmulatorState, room: EmulatedRoom): Record<string, unknown> {
  const owner = room.owner_id ? state.users.get(room.owner_id) : undefined;
  return {
    ...room,
    // Old docs render room ids as JSON numbers (docs/horizon-api.md): the emulator does too, exactly
    // (a 64-bit id beyond 2^53 as a JavaScript number would be another room's).
    id: new JsonInteger(BigInt(room.id)),
    owner: owner ? userNode(owner) : undefined,
    users: [],
    // GUESS: the data store as a list of {key, value}, the shape it is written in.
    data_store: [...room.data_store].map(([key, value]) => ({ key, value })),
  };
}

function roomOf(ctx: RouteContext, id: string): EmulatedRoom {
  const room = ctx.state.rooms.get(id);
  if (!room) throw errors.unknownNode(id);
  return room;
}

export const roomRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/room_moderated_create',
    handler: (ctx) => {
      requireApp(ctx);
      const maxUsers = parseIntParam('max_users', required(ctx.params, 'max_users'), 1, MAX_USERS)!;
      const id = ctx.state.newId();
      ctx.state.rooms.set(id, {
        id,
        max_users: maxUsers,
        owner_id: undefined,
        name: '',
        description: '',
        join_policy: 'EVERYONE',
        type: 'MODERATED',
        joinability: 'ARE_IN',
        version: 1,
        is_membership_locked: false,
        data_store: new Map(),
      });
      return { id: new JsonInteger(BigInt(id)) };
    },
  },
  {
    method: 'POST',
    pattern: '/room_update_data_store',
    handler: (ctx) => {
      requireApp(ctx);
      const room = roomOf(ctx, required(ctx.params, 'room_id'));
      // A missing datastore is "not a JSON array" too.
      const entries = parseJson(ctx.params.datastore ?? '');
      if (entries === undefined) throw errors.param('Param datastore must be a JSON array of {"key","value"} objects');
      if (!Array.isArray(entries) || !entries.every((e) => e && typeof e.key === 'string' && typeof e.value === 'string')) {
        throw errors.param('Param datastore must be a JSON array of {"key","value"} objects with string values');
      }
      const next = new Map(room.data_store);
      for (const { key, value } of entries as Array<{ key: string; value: string }>) next.set(key, value);
      if (next.size > MAX_DATA_STORE_PAIRS) throw errors.param(`A room data store holds at most ${MAX_DATA_STORE_PAIRS} pairs`);
      room.data_store = next;
      room.version++;
      return { success: true };
    },
  },
];

export const roomNodes: NodeKind[] = [
  {
    shape: ROOM_SHAPE,
    find: (state, id) => {
      const room = state.rooms.get(id);
      return room ? roomNode(state, room) : undefined;
    },
    remove: (state, id) => state.rooms.delete(id),
  },
];
