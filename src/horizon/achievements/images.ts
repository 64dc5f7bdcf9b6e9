/**
 * Achievement images (docs/horizon-api.md, "Achievement images"): Meta's docs upload a 256x256
 * PNG per state with `curl -F locked_image_file=@...`. This client takes them as base64 text
 * (a GraphQL API has no file type, and a URL the subgraph fetched would let callers aim it at
 * internal hosts), bounded before decoding, and sends only what the docs describe: a PNG,
 * 256x256, at most `maxBytes`.
 */
import { InvalidArgumentError } from '../../lib/errors.js';

/** The size Meta's docs give for achievement images. */
export const IMAGE_SIDE = 256;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Base64 (standard or URL-safe alphabet, both read by Node's decoder; padding optional, a `data:image/png;base64,` prefix allowed) to bytes, refusing anything longer than `maxBytes` before decoding it. */
export function decodeBase64Image(argument: string, text: string, maxBytes: number): Buffer {
  const body = text.replace(/^data:image\/png;base64,/, '');
  // Each 4 characters carry 3 bytes: a longer text cannot fit, whatever it holds.
  if (body.length > Math.ceil(maxBytes / 3) * 4 + 4) throw tooLarge(argument, maxBytes);
  if (body.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) {
    throw new InvalidArgumentError(argument, `${argument} must be a PNG image encoded as base64`);
  }
  return assertImage(argument, Buffer.from(body, 'base64'), maxBytes);
}

/** A PNG (by its signature and header), `IMAGE_SIDE` pixels square, at most `maxBytes`. */
export function assertImage(argument: string, bytes: Uint8Array, maxBytes: number): Buffer {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length > maxBytes) throw tooLarge(argument, maxBytes);
  // The signature, then the IHDR chunk: length 13, "IHDR", width and height (big-endian).
  if (buffer.length < 33 || !buffer.subarray(0, 8).equals(PNG_SIGNATURE) || buffer.toString('latin1', 12, 16) !== 'IHDR') {
    throw new InvalidArgumentError(argument, `${argument} is not a PNG image (Horizon takes ${IMAGE_SIDE}x${IMAGE_SIDE} PNGs)`);
  }
  const width = buffer.readUInt32BE(16);
  const height = buffer.readUInt32BE(20);
  if (width !== IMAGE_SIDE || height !== IMAGE_SIDE) {
    throw new InvalidArgumentError(argument, `${argument} is ${width}x${height}; Horizon takes ${IMAGE_SIDE}x${IMAGE_SIDE} PNGs`);
  }
  return buffer;
}

function tooLarge(argument: string, maxBytes: number): InvalidArgumentError {
  return new InvalidArgumentError(argument, `${argument} is larger than ${maxBytes} bytes`);
}
