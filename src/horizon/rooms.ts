/**
 * Moderated rooms (docs/horizon-api.md). Deprecated by Meta; kept for games that still run them.
 */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertGraphId } from './ids.js';
import { fieldsParam, isSuccess, parseGraphId, parseGraphInt, stringOrNull } from './params.js';
import type { RequestSender } from './request.js';
import { toUser, type HorizonUser } from './users.js';

export interface ModeratedRoom {
  id: string;
  maxUsers: number | null;
  owner: HorizonUser | null;
  users: HorizonUser[];
  dataStore: Array<{ key: string; value: string }>;
  name: string | null;
  description: string | null;
  joinPolicy: string | null;
  joinability: string | null;
  version: number | null;
  membershipLocked: boolean;
}

export const MAX_ROOM_USERS = 1024;
export const MAX_DATA_STORE_PAIRS = 2000;

// The room docs list owner{id,alias,presence,presence_status,profile_url,profile_url_small}:
// only documented fields are asked. The GraphQL layer reads the rest of a profile from
// GET /{user_id} (docs/horizon-api.md), so `displayName` is null here.
const USER_FIELDS = ['id', 'alias', 'profile_url'] as const;
const ROOM_FIELDS = fieldsParam([
  'id',
  'max_users',
  { owner: USER_FIELDS },
  { users: USER_FIELDS },
  'data_store',
  'name',
  'description',
  'join_policy',
  'joinability',
  'version',
  'is_membership_locked',
]);

interface RawRoom {
  id?: unknown;
  max_users?: unknown;
  owner?: Record<string, unknown>;
  users?: unknown;
  data_store?: unknown;
  name?: unknown;
  description?: unknown;
  join_policy?: unknown;
  joinability?: unknown;
  version?: unknown;
  is_membership_locked?: unknown;
}

/** Room ids may come as JSON numbers (docs/horizon-api.md), and 64-bit ones lose digits as JavaScript numbers. */
const ROOM_ID_FIELDS = ['id'] as const;

export class RoomsApi {
  constructor(private readonly transport: RequestSender) {}

  /** `POST /room_moderated_create` → the new room's id. */
  async create(maxUsers: number, signal?: CancelSignal): Promise<string> {
    if (!Number.isInteger(maxUsers) || maxUsers < 1 || maxUsers > MAX_ROOM_USERS) {
      throw new InvalidArgumentError('maxUsers', `maxUsers must be a whole number from 1 to ${MAX_ROOM_USERS}`);
    }
    const body = await this.transport.request<{ id?: unknown }>({
      method: 'POST',
      path: '/room_moderated_create',
      endpoint: 'POST /room_moderated_create',
      params: { max_users: maxUsers },
      losslessIntegerFields: ROOM_ID_FIELDS,
      signal,
    });
    return parseGraphId(body.id);
  }

  /** `GET /{room_id}`. */
  async get(roomId: string, signal?: CancelSignal): Promise<ModeratedRoom> {
    assertGraphId('roomId', roomId);
    const raw = await this.transport.request<RawRoom>({
      method: 'GET',
      path: `/${roomId}`,
      endpoint: 'GET /{room_id}',
      params: { fields: ROOM_FIELDS },
      losslessIntegerFields: ROOM_ID_FIELDS,
      signal,
    });
    return toRoom(raw);
  }

  /** `POST /room_update_data_store`: sets keys (strings only); other keys are kept. */
  async updateDataStore(roomId: string, entries: ReadonlyArray<{ key: string; value: string }>, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('roomId', roomId);
    if (entries.length === 0 || entries.length > MAX_DATA_STORE_PAIRS) {
      throw new InvalidArgumentError('entries', `entries must hold 1 to ${MAX_DATA_STORE_PAIRS} pairs`);
    }
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path: '/room_update_data_store',
      endpoint: 'POST /room_update_data_store',
      params: { room_id: roomId, datastore: JSON.stringify(entries.map(({ key, value }) => ({ key, value }))) },
      signal,
    });
    return isSuccess(body.success);
  }

  /** `DELETE /{room_id}`. */
  async delete(roomId: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('roomId', roomId);
    const body = await this.transport.request<{ success?: unknown }>({ method: 'DELETE', path: `/${roomId}`, endpoint: 'DELETE /{room_id}', signal });
    return isSuccess(body.success);
  }
}

function toRoom(raw: RawRoom): ModeratedRoom {
  return {
    id: parseGraphId(raw.id),
    maxUsers: parseGraphInt(raw.max_users) ?? null,
    owner: raw.owner && raw.owner.id !== undefined ? toUser(raw.owner) : null,
    users: Array.isArray(raw.users)
      ? raw.users.filter((u) => u && (u as { id?: unknown }).id !== undefined).map((u) => toUser(u as Record<string, unknown>))
      : [],
    dataStore: toDataStore(raw.data_store),
    name: stringOrNull(raw.name),
    description: stringOrNull(raw.description),
    joinPolicy: stringOrNull(raw.join_policy),
    joinability: stringOrNull(raw.joinability),
    version: parseGraphInt(raw.version) ?? null,
    membershipLocked: raw.is_membership_locked === true,
  };
}

/** Accepts a list of {key, value} or a plain object map: sources show neither for certain. */
function toDataStore(value: unknown): Array<{ key: string; value: string }> {
  if (Array.isArray(value)) {
    return value
      .filter((e): e is { key: unknown; value: unknown } => e !== null && typeof e === 'object')
      .filter((e) => typeof e.key === 'string')
      .map((e) => ({ key: e.key as string, value: String(e.value ?? '') }));
  }
  if (value && typeof value === 'object') return Object.entries(value).map(([key, v]) => ({ key, value: String(v) }));
  return [];
}
