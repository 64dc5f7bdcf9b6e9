/** Achievement images (docs/horizon-api.md): multipart uploads of `locked_image_file` / `unlocked_image_file`, against the emulator. */
import { FormData, request } from 'undici';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { decodeBase64Image } from '../../src/horizon/achievements/images.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { apiError, closeWorld, openWorld } from '../helpers/contract.js';
import { ROUTES } from '../helpers/harness.js';
import { png } from '../helpers/images.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld({ client: { maxImageBytes: 64 * 1024 } })));
afterAll(() => closeWorld({ emulator, client }));
beforeEach(() => emulator.clearRequests());

const FIRST_STEPS = { apiName: 'FIRST_STEPS', type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE' } as const;

async function definition(apiName: string) {
  const [found] = await client.achievements.listDefinitions({ apiNames: [apiName] });
  return found!;
}

test('both images are uploaded as multipart files; the definition then serves their URLs and keeps its other fields', async () => {
  const before = await definition('FIRST_STEPS');
  const locked = png();
  const unlocked = png(256, 256, 5000);
  await client.achievements.setImages(FIRST_STEPS, { locked, unlocked });
  const sent = emulator.requests.find((r) => r.route === ROUTES.upsertDefinition)!;
  expect(sent).toMatchObject({
    status: 200,
    token: 'app',
    params: { api_name: 'FIRST_STEPS', achievement_type: 'SIMPLE', achievement_write_policy: 'SERVER_AUTHORITATIVE' },
  });
  const after = await definition('FIRST_STEPS');
  expect(after.lockedImageUrl).toMatch(/^https:\/\/scontent\.oculuscdn\.com\/emulator\/achievements\/[0-9a-f]+\.png$/);
  expect(after.unlockedImageUrl).not.toBe(after.lockedImageUrl);
  expect({ ...after, lockedImageUrl: null, unlockedImageUrl: null }).toEqual({ ...before, lockedImageUrl: null, unlockedImageUrl: null });
  // The emulator keeps the bytes it was sent.
  expect(emulator.state.achievementImages.get(after.lockedImageUrl!)).toEqual(locked);
  expect(emulator.state.achievementImages.get(after.unlockedImageUrl!)).toEqual(unlocked);
});

test('one image alone leaves the other as it was', async () => {
  await client.achievements.setImages(FIRST_STEPS, { locked: png(), unlocked: png(256, 256, 5000) });
  const before = await definition('FIRST_STEPS');
  await client.achievements.setImages(FIRST_STEPS, { unlocked: png(256, 256, 6000) });
  const after = await definition('FIRST_STEPS');
  expect(after.lockedImageUrl).toBe(before.lockedImageUrl);
  expect(after.unlockedImageUrl).not.toBe(before.unlockedImageUrl);
});

test('a non-PNG, a PNG of another size, an oversized PNG, or no image at all is refused before any request', async () => {
  for (const images of [
    { locked: Buffer.from('GIF89a not a png at all, just some bytes to be long enough') },
    { locked: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>') },
    { unlocked: png(512, 512) },
    { unlocked: png(256, 128) },
    { locked: png(256, 256, 64 * 1024 + 1) },
    {},
  ]) {
    await expect(client.achievements.setImages(FIRST_STEPS, images)).rejects.toBeInstanceOf(InvalidArgumentError);
  }
  expect(emulator.requests).toHaveLength(0);
});

test('base64 input is bounded before it is decoded, and read in either alphabet or as a data URL', () => {
  const image = png();
  expect(decodeBase64Image('lockedImage', image.toString('base64'), 64 * 1024)).toEqual(image);
  expect(decodeBase64Image('lockedImage', image.toString('base64url'), 64 * 1024)).toEqual(image);
  expect(decodeBase64Image('lockedImage', `data:image/png;base64,${image.toString('base64')}`, 64 * 1024)).toEqual(image);
  expect(() => decodeBase64Image('lockedImage', 'A'.repeat(100_000), 64 * 1024)).toThrow(/larger than 65536 bytes/);
  expect(() => decodeBase64Image('lockedImage', 'not base64!', 64 * 1024)).toThrow(/PNG image encoded as base64/);
  expect(() => decodeBase64Image('lockedImage', Buffer.from('plain text').toString('base64'), 64 * 1024)).toThrow(/not a PNG image/);
});

describe('Graph refuses what is not an image upload, whoever sends it', () => {
  const post = (form: FormData) =>
    request(`${emulator.url}/${emulator.appId}/achievement_definitions`, {
      method: 'POST',
      headers: { authorization: `Bearer OC|${emulator.appId}|${emulator.appSecret}` },
      body: form,
    }).then(async (r) => ({ status: r.statusCode, body: (await r.body.json()) as { error: { code: number; message: string } } }));

  test('a file that is not a PNG: code 100', async () => {
    const form = new FormData();
    form.set('api_name', 'FIRST_STEPS');
    form.set('locked_image_file', new Blob([new Uint8Array(Buffer.from('just text'))], { type: 'image/png' }), 'x.png');
    const { status, body } = await post(form);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 100, message: '(#100) Param locked_image_file must be a PNG image' });
  });

  test('an image sent as a text field instead of a file: code 100', async () => {
    const form = new FormData();
    form.set('api_name', 'FIRST_STEPS');
    form.set('unlocked_image_file', png().toString('base64'));
    expect((await post(form)).body.error.message).toContain('must be uploaded as a file');
  });

  test('a body over the emulator limit: code 100', async () => {
    const form = new FormData();
    form.set('api_name', 'FIRST_STEPS');
    form.set('locked_image_file', new Blob([new Uint8Array(png(256, 256, 1100 * 1024))], { type: 'image/png' }), 'big.png');
    expect((await post(form)).body.error.code).toBe(100);
  });
});

test('images for a COUNT achievement that does not exist: the upsert lacks a target, and Graph refuses it (code 100)', async () => {
  // The resolver never gets here: it reads the definition first (NOT_FOUND).
  const error = await apiError(client.achievements.setImages({ apiName: 'NO_SUCH', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE' }, { locked: png() }));
  expect(error.code).toBe(100);
});
