/**
 * Achievements (docs/horizon-api.md): definitions read and upsert, a user's progress read and
 * write (accumulating counts, OR-merged bits, `force_unlock`, `just_unlocked` once), and
 * `achievement_remove_all`.
 */
import { enumParam, errors, nowSeconds, parseBool, parseIntParam, parseJsonArray, required, requiredApiName, type NodeShape } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import { JsonInteger } from '../messages.js';
import type { EmulatedAchievementDefinition, EmulatedAchievementProgress, EmulatorBehavior, EmulatorState } from '../state.js';
import { storeImages, type StoredImages } from './achievementImages.js';
import { actingUser, listPage, requireApp, requireOwnApp } from './common.js';

export const DEFINITION_SHAPE: NodeShape = {
  type: 'AchievementDefinition',
  fields: [
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
  ],
};

/**
 * The current docs list `id`, `unlock_time`, `is_unlocked`, `count_progress` (+
 * `bitfield_progress`) and ask for a top-level `target`; a real client asks for `api_name` there
 * too; the older docs nest `definition{...}` (docs/horizon-api.md). All are served by default.
 */
export const PROGRESS_SHAPE: NodeShape = {
  type: 'AchievementProgress',
  fields: ['id', 'definition', 'api_name', 'target', 'count_progress', 'bitfield_progress', 'is_unlocked', 'unlock_time'],
  nested: { definition: DEFINITION_SHAPE },
};

/** The progress fields this emulator's behaviour serves: a refused one is a "nonexisting field". */
function progressShape(behavior: EmulatorBehavior): NodeShape {
  if (!behavior.refuseProgressDefinition && !behavior.refuseProgressApiName) return PROGRESS_SHAPE;
  const refused = new Set([...(behavior.refuseProgressDefinition ? ['definition'] : []), ...(behavior.refuseProgressApiName ? ['api_name', 'target'] : [])]);
  return { ...PROGRESS_SHAPE, fields: PROGRESS_SHAPE.fields.filter((field) => !refused.has(field)) };
}

const TYPES = ['SIMPLE', 'COUNT', 'BITFIELD'] as const;
const POLICIES = ['CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'] as const;
const MAX_BITFIELD_LENGTH = 1024;
/**
 * Counts and targets are int64 here. Nothing documents their range (docs/horizon-api.md); the SDK types
 * them `unsigned long long`, but Graph's server integers are signed 64-bit [GUESS].
 */
const INT64_MAX = 2n ** 63n - 1n;

export const achievementRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/:app_id/achievement_definitions',
    handler: (ctx) => {
      requireOwnApp(ctx);
      const apiNames = parseJsonArray('api_names', ctx.params.api_names);
      const includeArchived = parseBool('include_archived', ctx.params.include_archived) ?? false;
      if (includeArchived && ctx.auth.kind !== 'app') throw errors.param('include_archived requires the app access token');
      let definitions = [...ctx.state.achievementDefinitions.values()];
      if (apiNames) {
        const wanted = new Set(apiNames);
        definitions = definitions.filter((d) => wanted.has(d.api_name));
      }
      if (!includeArchived) definitions = definitions.filter((d) => !d.is_archived);
      return listPage(ctx, definitions, DEFINITION_SHAPE, definitionNode);
    },
  },
  {
    method: 'POST',
    pattern: '/:app_id/achievement_definitions',
    handler: (ctx) => {
      requireOwnApp(ctx);
      requireApp(ctx);
      const images = storeImages(ctx.state, ctx.params, ctx.files);
      return { id: upsertDefinition(ctx.state, ctx.params, images).id };
    },
  },
  {
    method: 'GET',
    pattern: '/:user_id/achievements',
    handler: (ctx) => {
      const user = actingUser(ctx, 'user_id', ctx.path.user_id);
      const apiNames = parseJsonArray('api_names', ctx.params.api_names);
      const wanted = apiNames ? new Set(apiNames) : undefined;
      const records = [...ctx.state.progressOf(user.id).values()].filter((p) => !wanted || wanted.has(p.api_name));
      return listPage(ctx, records, progressShape(ctx.state.behavior), progressNode);
    },
  },
  { method: 'POST', pattern: '/:user_id/achievements', handler: writeProgress },
  {
    method: 'POST',
    pattern: '/achievement_remove_all',
    handler: (ctx) => {
      requireApp(ctx);
      const user = actingUser(ctx, 'user_id', ctx.params.user_id);
      ctx.state.achievementProgress.delete(user.id);
      return { success: true };
    },
  },
];

/** An achievement number as written: exact JSON number text, or a numeric string when the behaviour says so. */
function wireNumber(state: EmulatorState, value: bigint | number | undefined): unknown {
  if (value === undefined) return undefined;
  if (state.behavior.achievementNumbersAsStrings) return value.toString();
  return typeof value === 'bigint' ? new JsonInteger(value) : value;
}

function definitionNode(state: EmulatorState, definition: EmulatedAchievementDefinition): Record<string, unknown> {
  return { ...definition, target: wireNumber(state, definition.target), bitfield_length: wireNumber(state, definition.bitfield_length) };
}

function progressNode(state: EmulatorState, progress: EmulatedAchievementProgress): Record<string, unknown> {
  const definition = state.achievementDefinitions.get(progress.api_name);
  const nested = definition ? definitionNode(state, definition) : { api_name: progress.api_name };
  if (state.behavior.omitProgressDefinitionApiName) delete nested.api_name;
  return {
    id: progress.id,
    definition: nested,
    api_name: progress.api_name,
    target: wireNumber(state, definition?.target),
    count_progress: wireNumber(state, progress.count_progress),
    bitfield_progress: progress.bitfield_progress,
    is_unlocked: progress.is_unlocked,
    unlock_time: wireNumber(state, progress.unlock_time),
  };
}

/** An int64 parameter, exact past 2^53 (`add_count`, `target`). */
function parseInt64Param(name: string, value: string | undefined, min: bigint): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw errors.param(`Param ${name} must be an integer`);
  const n = BigInt(value);
  if (n < min || n > INT64_MAX) throw errors.param(`Param ${name} must be between ${min} and ${INT64_MAX}`);
  return n;
}

export function upsertDefinition(state: EmulatorState, params: Record<string, string>, images: StoredImages = {}): EmulatedAchievementDefinition {
  const apiName = requiredApiName(params);
  const existing = state.achievementDefinitions.get(apiName);
  const type = enumParam('achievement_type', params.achievement_type ?? existing?.achievement_type, TYPES);
  if (!type) throw errors.param('Param achievement_type must be one of SIMPLE, COUNT, BITFIELD');
  if (existing && existing.achievement_type !== type) throw errors.param('The achievement_type of an existing achievement cannot be changed');
  const policy = enumParam('achievement_write_policy', params.achievement_write_policy ?? existing?.achievement_write_policy, POLICIES);
  if (!policy) throw errors.param('Param achievement_write_policy must be one of CLIENT_AUTHORITATIVE, SERVER_AUTHORITATIVE');
  const bitfieldLength =
    type === 'BITFIELD' ? (parseIntParam('bitfield_length', params.bitfield_length, 1, MAX_BITFIELD_LENGTH) ?? existing?.bitfield_length) : undefined;
  if (type === 'BITFIELD' && bitfieldLength === undefined) throw errors.param('The parameter bitfield_length is required for BITFIELD achievements');
  const target = type === 'SIMPLE' ? undefined : (parseInt64Param('target', params.target, 1n) ?? existing?.target);
  if (type !== 'SIMPLE' && target === undefined) throw errors.param(`The parameter target is required for ${type} achievements`);
  if (type === 'BITFIELD' && target! > BigInt(bitfieldLength!)) throw errors.param('Param target cannot exceed bitfield_length');
  const text = (name: string) => (params[name] !== undefined ? params[name] : (existing?.[name as keyof EmulatedAchievementDefinition] as string | undefined));
  const definition: EmulatedAchievementDefinition = {
    id: existing?.id ?? state.newId(),
    api_name: apiName,
    achievement_type: type,
    achievement_write_policy: policy,
    ...(target !== undefined ? { target } : {}),
    ...(bitfieldLength !== undefined ? { bitfield_length: bitfieldLength } : {}),
    is_archived: parseBool('is_archived', params.is_archived) ?? existing?.is_archived ?? false,
    title: text('title'),
    description: text('description'),
    unlocked_description_override: text('unlocked_description_override'),
    is_secret: parseBool('is_secret', params.is_secret) ?? existing?.is_secret ?? false,
    locked_image_uri: images.locked_image_uri ?? existing?.locked_image_uri,
    unlocked_image_uri: images.unlocked_image_uri ?? existing?.unlocked_image_uri,
  };
  state.achievementDefinitions.set(apiName, definition);
  return definition;
}

function writeProgress(ctx: RouteContext) {
  const { state, params } = ctx;
  const user = actingUser(ctx, 'user_id', ctx.path.user_id);
  const apiName = required(params, 'api_name');
  const definition = state.achievementDefinitions.get(apiName);
  if (!definition) throw errors.param(`Parameter api_name: invalid achievement api name: ${apiName}`);
  if (definition.is_archived) throw errors.param(`The achievement ${apiName} is archived and cannot be written`);
  const serverWrite = ctx.auth.kind === 'app';
  if (serverWrite && definition.achievement_write_policy === 'CLIENT_AUTHORITATIVE' && !state.behavior.allowAppWritesToClientAuthoritative) {
    throw errors.param(`The achievement ${apiName} is CLIENT_AUTHORITATIVE; server writes need SERVER_AUTHORITATIVE`);
  }
  if (!serverWrite && definition.achievement_write_policy === 'SERVER_AUTHORITATIVE') {
    throw errors.forbidden(`The achievement ${apiName} is SERVER_AUTHORITATIVE; use the app access token`);
  }
  const forceUnlock = parseBool('force_unlock', params.force_unlock) ?? false;
  const addCount = parseInt64Param('add_count', params.add_count, 0n);
  const addBits = params.add_bits;
  if (definition.achievement_type !== 'COUNT' && addCount !== undefined) throw errors.param(`add_count is only valid for COUNT achievements`);
  if (definition.achievement_type !== 'BITFIELD' && addBits !== undefined) throw errors.param(`add_bits is only valid for BITFIELD achievements`);
  if (definition.achievement_type === 'SIMPLE' && !forceUnlock) throw errors.param('force_unlock=true is required to unlock a SIMPLE achievement');
  if (definition.achievement_type === 'COUNT' && addCount === undefined && !forceUnlock) throw errors.param('The parameter add_count is required');
  if (definition.achievement_type === 'BITFIELD' && addBits === undefined && !forceUnlock) throw errors.param('The parameter add_bits is required');
  if (addBits !== undefined && (!/^[01]+$/.test(addBits) || addBits.length > definition.bitfield_length!)) {
    throw errors.param(`Param add_bits must be a string of 0 and 1 of at most ${definition.bitfield_length} characters`);
  }

  const records = state.progressOf(user.id);
  const progress: EmulatedAchievementProgress = records.get(apiName) ?? {
    id: definition.id,
    user_id: user.id,
    api_name: apiName,
    count_progress: 0n,
    bitfield_progress: definition.achievement_type === 'BITFIELD' ? '0'.repeat(definition.bitfield_length!) : '',
    is_unlocked: false,
    unlock_time: 0,
  };
  // [GUESS] what Graph does past int64: refuse the write rather than wrap or round.
  if (addCount !== undefined && progress.count_progress + addCount > INT64_MAX) {
    throw errors.param(`Param add_count would take the count of ${apiName} past ${INT64_MAX}`);
  }
  const wasUnlocked = progress.is_unlocked;
  if (addCount !== undefined) progress.count_progress += addCount;
  if (addBits !== undefined) progress.bitfield_progress = orBits(progress.bitfield_progress, addBits);
  const reached =
    (definition.achievement_type === 'COUNT' && progress.count_progress >= definition.target!) ||
    (definition.achievement_type === 'BITFIELD' && BigInt(progress.bitfield_progress.replaceAll('0', '').length) >= definition.target!);
  if (!wasUnlocked && (forceUnlock || reached)) {
    progress.is_unlocked = true;
    progress.unlock_time = nowSeconds();
  }
  records.set(apiName, progress);
  return { id: progress.id, api_name: apiName, just_unlocked: !wasUnlocked && progress.is_unlocked };
}

/** 10011 + 00110 → 10111: position i of the result is set if it is set in either. */
export function orBits(current: string, add: string): string {
  const length = Math.max(current.length, add.length);
  let out = '';
  for (let i = 0; i < length; i++) out += current[i] === '1' || add[i] === '1' ? '1' : '0';
  return out;
}
