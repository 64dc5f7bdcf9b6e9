/**
 * Achievements endpoints (docs/horizon-api.md): definitions, a user's progress, progress writes
 * and the reset. Returns normalized, camel-cased objects; accepts Graph's variations
 * (numbers as strings, missing optional fields, `unlock_time` 0 for "never"). Counts and
 * targets are bigints: nothing documents them as 32-bit (docs/horizon-api.md), and numbers past 2^53
 * are read losslessly (`losslessIntegerFields`).
 */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertApiName, assertGraphId } from './ids.js';
import {
  collectAllPages,
  fieldsParam,
  jsonArrayParam,
  parseGraphId,
  parseGraphInt,
  parseGraphTime,
  readPage,
  withFieldFallbacks,
  type FieldFallbacks,
} from './params.js';
import type { RequestSender } from './request.js';

export const ACHIEVEMENT_TYPES = ['SIMPLE', 'COUNT', 'BITFIELD'] as const;
export type AchievementType = (typeof ACHIEVEMENT_TYPES)[number];
export const WRITE_POLICIES = ['CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

export interface AchievementDefinition {
  id: string;
  apiName: string;
  type: AchievementType;
  writePolicy: WritePolicy;
  /** Count to reach (COUNT) or bits to set (BITFIELD); null for SIMPLE. */
  target: bigint | null;
  /** Number of bits (BITFIELD only). */
  bitfieldLength: number | null;
  archived: boolean;
  title: string | null;
  description: string | null;
  unlockedDescription: string | null;
  secret: boolean;
  lockedImageUrl: string | null;
  unlockedImageUrl: string | null;
}

export interface AchievementProgress {
  /** Graph's id of the progress record (the docs' examples show the definition's). */
  id: string;
  userId: string;
  apiName: string;
  /**
   * The definition, when Graph returned it complete with the progress (the older docs' nested
   * `definition`), or when the record was identified by its id in the definitions listing.
   */
  definition: AchievementDefinition | null;
  /** The target as the record carried it (top-level `target`, else the definition's); null when neither came. */
  target: bigint | null;
  unlocked: boolean;
  unlockedAt: Date | null;
  /** The counter (COUNT achievements), exact: 0 when Graph sent none. */
  count: bigint;
  bitfield: string | null;
}

export interface AchievementWriteResult {
  id: string;
  apiName: string;
  /** True only on the call that caused the unlock. */
  justUnlocked: boolean;
}

export interface AchievementDefinitionInput {
  apiName: string;
  type: AchievementType;
  writePolicy: WritePolicy;
  target?: bigint | number | null;
  bitfieldLength?: number | null;
  archived?: boolean | null;
  title?: string | null;
  description?: string | null;
  unlockedDescription?: string | null;
  secret?: boolean | null;
}

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
const PROGRESS_FIELDS: FieldFallbacks = {
  name: 'achievement_progress',
  selections: [
    fieldsParam([...DOCUMENTED_PROGRESS_FIELDS, { definition: DEFINITION_FIELDS }]),
    fieldsParam([...DOCUMENTED_PROGRESS_FIELDS, 'api_name', 'target']),
    fieldsParam(DOCUMENTED_PROGRESS_FIELDS),
  ],
};

/** Page size asked of Graph for definitions and progress; a game rarely has more than a few hundred. */
const PAGE_LIMIT = 500;
/** Integers that may exceed 2^53, read as decimal strings so no digit is lost. */
const LOSSLESS = ['id', 'target', 'count_progress'] as const;
const INT64_MAX = 2n ** 63n - 1n;

/** The longest bitfield `addBits` writes. */
export const MAX_BITFIELD_LENGTH = 1024;

/** What `addCount` adds: a positive int64. */
export function assertCount(count: bigint | number): bigint {
  const exact = typeof count === 'bigint' || Number.isSafeInteger(count) ? BigInt(count) : 0n;
  if (exact <= 0n || exact > INT64_MAX) throw new InvalidArgumentError('count', `count must be a positive integer of at most ${INT64_MAX}`);
  return exact;
}

/** What `addBits` merges: 0s and 1s, 1 to 1024 of them (its exact length is the definition's). */
export function assertBits(bits: string): string {
  if (!/^[01]+$/.test(bits) || bits.length > MAX_BITFIELD_LENGTH) {
    throw new InvalidArgumentError('bits', `bits must be a string of 0 and 1, at most ${MAX_BITFIELD_LENGTH} characters`);
  }
  return bits;
}

export class AchievementsApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /{app_id}/achievement_definitions`, all pages. Omitting `apiNames` lists every definition. */
  async listDefinitions(options: { apiNames?: readonly string[]; includeArchived?: boolean; signal?: CancelSignal } = {}): Promise<AchievementDefinition[]> {
    options.apiNames?.forEach((name) => assertApiName('apiNames', name));
    if (options.apiNames && options.apiNames.length === 0) return [];
    return collectAllPages(async (after) =>
      readPage(
        await this.transport.request({
          method: 'GET',
          path: `/${this.transport.appId}/achievement_definitions`,
          endpoint: 'GET /{app_id}/achievement_definitions',
          params: {
            api_names: options.apiNames ? jsonArrayParam(options.apiNames) : undefined,
            include_archived: options.includeArchived ? true : undefined,
            fields: fieldsParam(DEFINITION_FIELDS),
            limit: PAGE_LIMIT,
            after,
          },
          losslessIntegerFields: LOSSLESS,
          signal: options.signal,
        }),
        toDefinition,
      ),
    );
  }

  /** `POST /{app_id}/achievement_definitions`: create or update by api name. */
  async upsertDefinition(input: AchievementDefinitionInput, signal?: CancelSignal): Promise<{ id: string }> {
    assertApiName('apiName', input.apiName);
    const body = await this.transport.request<{ id?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/achievement_definitions`,
      endpoint: 'POST /{app_id}/achievement_definitions',
      params: {
        api_name: input.apiName,
        achievement_type: input.type,
        achievement_write_policy: input.writePolicy,
        target: input.target === undefined || input.target === null ? input.target : input.target.toString(),
        bitfield_length: input.bitfieldLength,
        is_archived: input.archived,
        title: input.title,
        description: input.description,
        unlocked_description_override: input.unlockedDescription,
        is_secret: input.secret,
      },
      signal,
      // An upsert by api name: sending it twice stores the same definition.
      idempotent: true,
    });
    return { id: parseGraphId(body.id) };
  }

  /**
   * `GET /{user_id}/achievements`: every progress record of one user, with each full definition
   * when Graph serves it. A record that names no achievement is named by its id in the app's
   * definitions, fetched only then: from `options.definitions` (archived ones included) when
   * given, else with `listDefinitions`. A record that still cannot be named is left out.
   */
  async listProgress(
    userId: string,
    options: { apiNames?: readonly string[]; signal?: CancelSignal; definitions?: () => Promise<readonly AchievementDefinition[]> } = {},
  ): Promise<AchievementProgress[]> {
    assertGraphId('userId', userId);
    options.apiNames?.forEach((name) => assertApiName('apiNames', name));
    const records = await collectAllPages(async (after) =>
      readPage(
        await withFieldFallbacks(this.transport.refusedFields, PROGRESS_FIELDS, (fields) =>
          this.transport.request({
            method: 'GET',
            path: `/${userId}/achievements`,
            endpoint: 'GET /{user_id}/achievements',
            params: {
              api_names: options.apiNames ? jsonArrayParam(options.apiNames) : undefined,
              fields,
              limit: PAGE_LIMIT,
              after,
            },
            losslessIntegerFields: LOSSLESS,
            signal: options.signal,
          }),
        ),
        (raw: unknown): RawProgress => (raw !== null && typeof raw === 'object' ? (raw as RawProgress) : {}),
      ),
    );
    let byId: Map<string, AchievementDefinition> | undefined;
    if (records.some((raw) => namedApiName(raw) === undefined && graphIdOrUndefined(raw.id) !== undefined)) {
      const definitions = await (options.definitions?.() ?? this.listDefinitions({ includeArchived: true, signal: options.signal }));
      byId = new Map(definitions.map((d) => [d.id, d]));
    }
    return records.flatMap((raw) => toProgress(userId, raw, byId) ?? []);
  }

  /** Unlocks an achievement of any type (`force_unlock=true`). */
  unlock(userId: string, apiName: string, signal?: CancelSignal): Promise<AchievementWriteResult> {
    // Unlocking twice is unlocking once, so it is safe to resend (though a resent unlock
    // reports justUnlocked=false if the lost first attempt had done the unlocking).
    return this.write(userId, apiName, { force_unlock: true }, signal, true);
  }

  /** Adds to a COUNT achievement's progress (accumulative, not absolute): a positive int64. */
  addCount(userId: string, apiName: string, count: bigint | number, signal?: CancelSignal): Promise<AchievementWriteResult> {
    return this.write(userId, apiName, { add_count: assertCount(count).toString() }, signal);
  }

  /** OR-merges bits (a string of 0 and 1) into a BITFIELD achievement's progress. */
  addBits(userId: string, apiName: string, bits: string, signal?: CancelSignal): Promise<AchievementWriteResult> {
    return this.write(userId, apiName, { add_bits: assertBits(bits) }, signal);
  }

  /** `POST /achievement_remove_all`: resets every achievement of one user. */
  async removeAll(userId: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('userId', userId);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'POST',
      path: '/achievement_remove_all',
      endpoint: 'POST /achievement_remove_all',
      params: { user_id: userId },
      signal,
      // Resetting twice leaves the same empty progress.
      idempotent: true,
    });
    return body.success === true;
  }

  private async write(
    userId: string,
    apiName: string,
    params: Record<string, string | number | boolean>,
    signal?: CancelSignal,
    idempotent = false,
  ): Promise<AchievementWriteResult> {
    assertGraphId('userId', userId);
    assertApiName('apiName', apiName);
    const body = await this.transport.request<{ id?: unknown; api_name?: unknown; just_unlocked?: unknown }>({
      method: 'POST',
      path: `/${userId}/achievements`,
      endpoint: 'POST /{user_id}/achievements',
      params: { api_name: apiName, ...params },
      signal,
      idempotent,
    });
    return {
      id: body.id === undefined ? '' : parseGraphId(body.id),
      apiName: typeof body.api_name === 'string' ? body.api_name : apiName,
      justUnlocked: body.just_unlocked === true || body.just_unlocked === 'true',
    };
  }
}

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

interface RawProgress {
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
function namedApiName(raw: RawProgress): string | undefined {
  const nested = raw.definition && typeof raw.definition === 'object' ? raw.definition.api_name : undefined;
  if (typeof nested === 'string' && nested !== '') return nested;
  return typeof raw.api_name === 'string' && raw.api_name !== '' ? raw.api_name : undefined;
}

function graphIdOrUndefined(value: unknown): string | undefined {
  try {
    return parseGraphId(value);
  } catch {
    return undefined;
  }
}

/** A progress record, named by itself or by its id in `byId`; null when it cannot be named. */
function toProgress(userId: string, raw: RawProgress, byId?: ReadonlyMap<string, AchievementDefinition>): AchievementProgress | null {
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

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
