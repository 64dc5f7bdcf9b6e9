/** Achievements on the wire: the fields asked, and Graph's JSON read into the client's types. */
import {
  fieldsParam,
  knownValue,
  parseGraphBigInt,
  parseGraphId,
  parseGraphInt,
  parseGraphTime,
  stringOrNull,
  truthy,
  type FieldFallbacks,
  type RawFields,
} from '../params.js';
import { ACHIEVEMENT_TYPES, WRITE_POLICIES, type AchievementDefinition, type AchievementProgress, type AchievementType } from './model.js';

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
const DOCUMENTED_PROGRESS_FIELDS = ['id', 'is_unlocked', 'unlock_time', 'count_progress', 'bitfield_progress'] as const;
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

/** A definition as Graph sends it: any of the fields asked, each of any type. */
type RawDefinition = RawFields<typeof DEFINITION_FIELDS>;

export interface RawProgress extends RawFields<[...typeof DOCUMENTED_PROGRESS_FIELDS, 'api_name', 'target']> {
  definition?: RawDefinition;
}

export function toDefinition(raw: RawDefinition): AchievementDefinition {
  if (typeof raw.api_name !== 'string') throw new TypeError('achievement definition has no api_name');
  const type = raw.achievement_type as AchievementType;
  if (!ACHIEVEMENT_TYPES.includes(type)) throw new TypeError(`achievement ${raw.api_name} has unknown type`);
  return {
    id: raw.id === undefined ? raw.api_name : parseGraphId(raw.id),
    apiName: raw.api_name,
    type,
    writePolicy: knownValue(WRITE_POLICIES, raw.achievement_write_policy, 'CLIENT_AUTHORITATIVE'),
    target: type === 'SIMPLE' ? null : (parseGraphBigInt(raw.target) ?? null),
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
  // Optional chaining reads nothing from a `definition` that is not an object (null, a string).
  return stringOrNull(raw.definition?.api_name) ?? stringOrNull(raw.api_name) ?? undefined;
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
  const bitfield = stringOrNull(raw.bitfield_progress);
  return {
    id: id ?? `${userId}:${apiName}`,
    userId,
    apiName,
    definition,
    target: parseGraphBigInt(raw.target) ?? parseGraphBigInt(nested?.target) ?? definition?.target ?? null,
    unlocked: truthy(raw.is_unlocked),
    unlockedAt: parseGraphTime(raw.unlock_time),
    count: parseGraphBigInt(raw.count_progress) ?? 0n,
    bitfield,
  };
}
