/** `Mutation.setAchievementImages`: the images arrive as base64 text, checked before anything is sent. */
import { decodeBase64Image } from '../../horizon/achievements/images.js';
import { assertApiName } from '../../horizon/ids.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { MutationSetAchievementImagesArgs } from '../generated/types.js';

export async function setAchievementImages(_: unknown, args: MutationSetAchievementImagesArgs, ctx: Context) {
  assertApiName('apiName', args.apiName);
  if (!args.lockedImage && !args.unlockedImage) {
    throw userError(ErrorCode.BAD_USER_INPUT, 'Give lockedImage, unlockedImage, or both', { argument: 'lockedImage' });
  }
  const maxBytes = ctx.horizon.achievements.maxImageBytes;
  const locked = args.lockedImage ? decodeBase64Image('lockedImage', args.lockedImage, maxBytes) : undefined;
  const unlocked = args.unlockedImage ? decodeBase64Image('unlockedImage', args.unlockedImage, maxBytes) : undefined;
  const definition = await ctx.loaders.achievements.definition.load(args.apiName);
  if (!definition) throw userError(ErrorCode.NOT_FOUND, `No achievement with api name ${args.apiName}`, { argument: 'apiName' });
  await ctx.horizon.achievements.setImages(definition, { locked, unlocked });
  // Every replica's cache expires by its TTL; ours forgets at once, and the answer is read back.
  ctx.caches.achievementDefinitions.delete(args.apiName);
  ctx.caches.achievementDefinitionLists.clear();
  ctx.loaders.achievements.definition.clear(args.apiName);
  return ctx.loaders.achievements.definition.load(args.apiName);
}
