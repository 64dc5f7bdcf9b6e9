/**
 * Achievements endpoints (docs/horizon-api.md): definitions, a user's progress, progress writes
 * and the reset. Returns normalized, camel-cased objects; accepts Graph's variations
 * (numbers as strings, missing optional fields, `unlock_time` 0 for "never"). Counts and
 * targets are bigints: nothing documents them as 32-bit (docs/horizon-api.md), and numbers past 2^53
 * are read losslessly (`losslessIntegerFields`).
 */
import { assertApiName, assertGraphId } from './ids.js';
import { assertBits, assertCount } from './achievements/model.js';
import type { AchievementDefinition, AchievementDefinitionInput, AchievementProgress, AchievementWriteResult } from './achievements/model.js';
import * as wire from './achievements/wire.js';
import { collectAllPages, fieldsParam, isSuccess, jsonArrayParam, parseGraphId, readPage, withFieldFallbacks } from './params.js';
import { DEFAULTS } from '../config.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertImage } from './achievements/images.js';
import type { RequestSender, UploadFile } from './request.js';
import type { CancelSignal } from './signal.js';

export * from './achievements/model.js';

/** Page size asked of Graph for definitions and progress; a game rarely has more than a few hundred. */
const PAGE_LIMIT = 500;

export class AchievementsApi {
  constructor(
    private readonly transport: RequestSender,
    /** Largest image `setImages` uploads (`HORIZON_MAX_IMAGE_BYTES`). */
    readonly maxImageBytes: number = DEFAULTS.horizon.maxImageBytes,
  ) {}

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
            fields: fieldsParam(wire.DEFINITION_FIELDS),
            limit: PAGE_LIMIT,
            after,
          },
          losslessIntegerFields: wire.LOSSLESS,
          signal: options.signal,
        }),
        wire.toDefinition,
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
   * `POST /{app_id}/achievement_definitions` with `locked_image_file` and/or
   * `unlocked_image_file` (multipart, as Meta's docs upload them). The definition's type and
   * write policy are sent along, unchanged: the docs do not say whether an upsert without them
   * keeps them. Setting the same images twice is setting them once.
   */
  async setImages(
    definition: Pick<AchievementDefinition, 'apiName' | 'type' | 'writePolicy'>,
    images: { locked?: Uint8Array | undefined; unlocked?: Uint8Array | undefined },
    signal?: CancelSignal,
  ): Promise<{ id: string }> {
    assertApiName('apiName', definition.apiName);
    const files: Record<string, UploadFile> = {};
    if (images.locked)
      files.locked_image_file = { bytes: assertImage('lockedImage', images.locked, this.maxImageBytes), type: 'image/png', filename: 'locked.png' };
    if (images.unlocked) {
      files.unlocked_image_file = { bytes: assertImage('unlockedImage', images.unlocked, this.maxImageBytes), type: 'image/png', filename: 'unlocked.png' };
    }
    if (Object.keys(files).length === 0) throw new InvalidArgumentError('images', 'give a locked image, an unlocked image, or both');
    const body = await this.transport.request<{ id?: unknown }>({
      method: 'POST',
      path: `/${this.transport.appId}/achievement_definitions`,
      endpoint: 'POST /{app_id}/achievement_definitions',
      params: { api_name: definition.apiName, achievement_type: definition.type, achievement_write_policy: definition.writePolicy },
      files,
      signal,
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
        await withFieldFallbacks(this.transport.refusedFields, wire.PROGRESS_FIELDS, (fields) =>
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
            losslessIntegerFields: wire.LOSSLESS,
            signal: options.signal,
          }),
        ),
        (raw: unknown): wire.RawProgress => (raw !== null && typeof raw === 'object' ? (raw as wire.RawProgress) : {}),
      ),
    );
    let byId: Map<string, AchievementDefinition> | undefined;
    if (records.some((raw) => wire.namedApiName(raw) === undefined && wire.graphIdOrUndefined(raw.id) !== undefined)) {
      const definitions = await (options.definitions?.() ?? this.listDefinitions({ includeArchived: true, signal: options.signal }));
      byId = new Map(definitions.map((d) => [d.id, d]));
    }
    return records.flatMap((raw) => wire.toProgress(userId, raw, byId) ?? []);
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
    return isSuccess(body.success);
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
      justUnlocked: isSuccess(body.just_unlocked),
    };
  }
}
