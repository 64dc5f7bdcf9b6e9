/** Achievements on the wire: the fields asked, and Graph's JSON read into the client's types. */
import { fieldsParam, parseGraphId, parseGraphInt, parseGraphTime, stringOrNull, truthy, type FieldFallbacks } from '../params.js';
import { ACHIEVEMENT_TYPES, WRITE_POLICIES, type AchievementDefinition, type AchievementProgress, type AchievementType, type WritePolicy } from './model.js';

export const DEFINITION_FIELDS = [
  'id',
  'api_name',
  'achievement_type',
  'achievement_write_policy',
  'target',
  'bitfield_length',
  'is_archived',
  'title',
  'description',
  'unlocked_description_override',
  'is_secret',
  'locked_image_uri',
  'unlocked_image_uri',
] as const;

/** What the current docs list for a progress record (docs/horizon-api.md). */
const DOCUMENTED_PROGRESS_FIELDS = ['id', 'is_unlocked', 'unlock_time', 'count_progress', 'bitfield_progress'];
/**
 * Progress fields, most wanted first: the nested `definition` (older docs; it names the
 * achievement and carries the whole definition, so none is fetched again); else the top-level
 * `api_name` and `target` (the current docs' example asks for `target`, a real client for
 * both); else only the documented fields, and records are named by matching their `id`
 * against the definitions listing.
 */
export const PROGRESS_FIELDS: FieldFallbacks = {
  name: 'achievement_progress',
  selections: [
    fieldsParam([...DOCUMENTED_PROGRESS_FIELDS, { definition: DEFINITION_FIELDS }]),
    fieldsParam([...DOCUMENTED_PROGRESS_FIELDS, 'api_name', 'target']),
    fieldsParam(DOCUMENTED_PROGRESS_FIELDS),
  ],
};

/** Integers that may exceed 2^53, read as decimal strings so no digit is lost. */
export const LOSSLESS = ['id', 'target', 'count_progress'] as const;

interface RawDefinition {
  id?: unknown;
  api_name?: unknown;
  achievement_type?: unknown;
  achievement_write_policy?: unknown;
  target?: unknown;
  bitfield_length?: unknown;
  is_archived?: unknown;
  title?: unknown;
  description?: unknown;
  unlocked_description_override?: unknown;
  is_secret?: unknown;
  locked_image_uri?: unknown;
  unlocked_image_uri?: unknown;
}

export interface RawProgress {
  id?: unknown;
  api_name?: unknown;
  target?: unknown;
  is_unlocked?: unknown;
  unlock_time?: unknown;
  count_progress?: unknown;
  bitfield_progress?: unknown;
  definition?: RawDefinition;
}

export function toDefinition(raw: RawDefinition): AchievementDefinition {
  if (typeof raw.api_name !== 'string') throw new TypeError('achievement definition has no api_name');
  const type = raw.achievement_type as AchievementType;
  if (!ACHIEVEMENT_TYPES.includes(type)) throw new TypeError(`achievement ${raw.api_name} has unknown type`);
  const policy = raw.achievement_write_policy as WritePolicy;
  return {
    id: raw.id === undefined ? raw.api_name : parseGraphId(raw.id),
    apiName: raw.api_name,
    type,
    writePolicy: WRITE_POLICIES.includes(policy) ? policy : 'CLIENT_AUTHORITATIVE',
    target: type === 'SIMPLE' ? null : (parseCount(raw.target) ?? null),
    bitfieldLength: type === 'BITFIELD' ? (parseGraphInt(raw.bitfield_length) ?? null) : null,
    archived: truthy(raw.is_archived),
    title: stringOrNull(raw.title),
    description: stringOrNull(raw.description),
    unlockedDescription: stringOrNull(raw.unlocked_description_override),
    secret: truthy(raw.is_secret),
    lockedImageUrl: stringOrNull(raw.locked_image_uri),
    unlockedImageUrl: stringOrNull(raw.unlocked_image_uri),
  };
}

/** The achievement a progress record names itself: `definition.api_name`, else the top-level `api_name`. */
export function namedApiName(raw: RawProgress): string | undefined {
  const nested = raw.definition && typeof raw.definition === 'object' ? raw.definition.api_name : undefined;
  if (typeof nested === 'string' && nested !== '') return nested;
  return typeof raw.api_name === 'string' && raw.api_name !== '' ? raw.api_name : undefined;
}

export function graphIdOrUndefined(value: unknown): string | undefined {
  try {
    return parseGraphId(value);
  } catch {
    return undefined;
  }
}

/** A progress record, named by itself or by its id in `byId`; null when it cannot be named. */
export function toProgress(userId: string, raw: RawProgress, byId?: ReadonlyMap<string, AchievementDefinition>): AchievementProgress | null {
  const id = graphIdOrUndefined(raw.id);
  const named = namedApiName(raw);
  const matched = named === undefined && id !== undefined ? byId?.get(id) : undefined;
  const apiName = named ?? matched?.apiName;
  if (apiName === undefined) return null;
  let definition: AchievementDefinition | null = matched ?? null;
  const nested = raw.definition && typeof raw.definition === 'object' ? raw.definition : undefined;
  if (!definition && nested?.achievement_type !== undefined) {
    try {
      definition = toDefinition({ ...nested, api_name: apiName });
    } catch {
      definition = null;
    }
  }
  const bitfield = typeof raw.bitfield_progress === 'string' && raw.bitfield_progress !== '' ? raw.bitfield_progress : null;
  return {
    id: id ?? `${userId}:${apiName}`,
    userId,
    apiName,
    definition,
    target: parseCount(raw.target) ?? parseCount(nested?.target) ?? definition?.target ?? null,
    unlocked: truthy(raw.is_unlocked),
    unlockedAt: parseGraphTime(raw.unlock_time),
    count: parseCount(raw.count_progress) ?? 0n,
    bitfield,
  };
}

/**
 * A count or target as Graph sends it: a JSON number (exact below 2^53; longer ones arrive
 * quoted by `losslessIntegerFields`) or a string of digits (a real capture has `"target":"0"`).
 * Undefined for anything else, a number that has already lost digits included.
 */
export function parseCount(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) return BigInt(value.trim());
  return undefined;
}
