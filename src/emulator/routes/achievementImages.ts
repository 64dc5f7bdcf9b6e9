/**
 * Achievement images (docs/horizon-api.md): `locked_image_file` and `unlocked_image_file`, uploaded
 * as `multipart/form-data` files with a definition's upsert. Kept by the emulator (bytes by URI)
 * and served as `locked_image_uri` / `unlocked_image_uri` on Meta's CDN host, as Graph does.
 */
import { createHash } from 'node:crypto';
import { errors } from '../graph.js';
import type { UploadedFile } from '../messages.js';
import type { EmulatorState } from '../state.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Graph's own cap is undocumented [GUESS]; the emulator's body limit (1 MiB) bounds it anyway. */
export const MAX_IMAGE_BYTES = 1024 * 1024;

export interface StoredImages {
  locked_image_uri?: string;
  unlocked_image_uri?: string;
}

/** Checks and keeps the uploaded images; the URIs to serve them under. */
export function storeImages(state: EmulatorState, params: Record<string, string>, files: Record<string, UploadedFile>): StoredImages {
  const stored: StoredImages = {};
  for (const [param, uriField] of [
    ['locked_image_file', 'locked_image_uri'],
    ['unlocked_image_file', 'unlocked_image_uri'],
  ] as const) {
    if (params[param] !== undefined) throw errors.param(`Param ${param} must be uploaded as a file (multipart/form-data)`);
    const file = files[param];
    if (!file) continue;
    if (file.bytes.length > MAX_IMAGE_BYTES) throw errors.param(`Param ${param} is larger than ${MAX_IMAGE_BYTES} bytes`);
    if (!file.bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw errors.param(`Param ${param} must be a PNG image`);
    const uri = `https://scontent.oculuscdn.com/emulator/achievements/${createHash('sha256').update(file.bytes).digest('hex').slice(0, 24)}.png`;
    state.achievementImages.set(uri, file.bytes);
    stored[uriField] = uri;
  }
  return stored;
}
