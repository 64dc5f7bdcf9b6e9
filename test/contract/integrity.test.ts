/**
 * Client contract tests against the emulator: attestation verification (`GET
 * /platform_integrity/verify`) and device bans (`device_ban`, `device_ban_status`,
 * `device_ban_ids`), every documented refusal included.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_BANNED_DEVICE, DEMO_CERTIFICATE_DIGEST, DEMO_PACKAGE_ID, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { HorizonApiError } from '../../src/horizon/errors.js';
import { decodeClaims } from '../../src/horizon/integrity/wire.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { apiErrorCode } from '../../src/graphql/errors.js';
import { apiError, closeWorld, graphCall, openWorld } from '../helpers/contract.js';
import { mintAttestationToken } from '../helpers/harness.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld()));
afterAll(() => closeWorld({ emulator, client }));

const freshNonce = () => randomBytes(32).toString('base64url');
const VERIFY = 'GET /platform_integrity/verify';

describe('GET /platform_integrity/verify', () => {
  test("a genuine headset's token verifies into its documented claims", async () => {
    const nonce = freshNonce();
    const token = await mintAttestationToken(emulator.url, 0, nonce);
    emulator.clearRequests();
    const result = await client.integrity.verify(token);
    expect(result.verified).toBe(true);
    if (result.verified !== true) return;
    const { claims } = result;
    expect(claims).toMatchObject({
      nonce,
      app: { integrity: 'StoreRecognized', packageId: DEMO_PACKAGE_ID, version: '1', certificateDigests: [DEMO_CERTIFICATE_DIGEST] },
      device: { integrity: 'Advanced' },
      ban: null,
    });
    expect(claims.device.uniqueId).toMatch(/^[0-9a-f]{64}$/);
    expect(claims.expiresAt!.getTime() - claims.issuedAt!.getTime()).toBe(24 * 3600 * 1000);
    // GET with the app token, the token as the `token` parameter, never logged by the emulator either.
    const [call] = emulator.requests;
    expect(call).toMatchObject({ method: 'GET', route: VERIFY, token: 'app', status: 200 });
    expect(JSON.stringify(call!.params)).not.toContain(token);
  });

  test('a tampered app and a tampered device say so in the claims', async () => {
    const app = await client.integrity.verify(await mintAttestationToken(emulator.url, 1, freshNonce(), { app_integrity_state: 'NotRecognized' }));
    expect(app).toMatchObject({ verified: true, claims: { app: { integrity: 'NotRecognized' }, device: { integrity: 'Advanced' } } });
    const device = await client.integrity.verify(await mintAttestationToken(emulator.url, 1, freshNonce(), { device_integrity_state: 'NotTrusted' }));
    expect(device).toMatchObject({ verified: true, claims: { app: { integrity: 'StoreRecognized' }, device: { integrity: 'NotTrusted' } } });
    const rooted = await client.integrity.verify(await mintAttestationToken(emulator.url, 1, freshNonce(), { device_integrity_state: 'Basic' }));
    expect(rooted).toMatchObject({ verified: true, claims: { device: { integrity: 'Basic' } } });
    const repackaged = await client.integrity.verify(await mintAttestationToken(emulator.url, 1, freshNonce(), { package_id: 'com.pirate.copy' }));
    expect(repackaged).toMatchObject({ verified: true, claims: { app: { packageId: 'com.pirate.copy' } } });
  });

  test('a forged or garbled token is `invalid signature`; an expired one `token expired`: answers, not errors', async () => {
    // A pirated build's token, its claims rewritten to look genuine, the signature kept.
    const token = await mintAttestationToken(emulator.url, 0, freshNonce(), { app_integrity_state: 'NotRecognized', device_integrity_state: 'NotTrusted' });
    const [body, signature] = token.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), a: 'StoreRecognized', di: 'Advanced' }),
    ).toString('base64url');
    expect(await client.integrity.verify(`${forgedBody}.${signature}`)).toEqual({ verified: false, message: 'invalid signature' });
    expect(await client.integrity.verify('bm90LWEtcmVhbC10b2tlbg.c2lnbmF0dXJl')).toEqual({ verified: false, message: 'invalid signature' });
    const old = emulator.state.integrity.mint({ nonce: freshNonce(), issuedAt: Math.floor(Date.now() / 1000) - 90_000 });
    expect(await client.integrity.verify(old)).toEqual({ verified: false, message: 'token expired' });
  });

  test('input that cannot be a token never leaves the client', async () => {
    emulator.clearRequests();
    for (const bad of ['', 'short', 'has spaces in it, quite a few', 'a&access_token=x&b=cdefghijklmnop', 'x'.repeat(20_000)]) {
      await expect(client.integrity.verify(bad)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  test('the wire: GET only, `token` required, claims are base64url JSON', async () => {
    const refused = await graphCall(emulator, 'POST', '/platform_integrity/verify', { token: 'abc' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 100 });
    const missing = await graphCall(emulator, 'GET', '/platform_integrity/verify', {});
    expect(missing.body.error).toMatchObject({ code: 100 });
    const asPlayer = await graphCall(emulator, 'GET', '/platform_integrity/verify', { token: 'abc' }, 'FRLnotAnAppTokenAtAll1234567890');
    expect(asPlayer.body.error).toMatchObject({ code: 190 });
    const token = await mintAttestationToken(emulator.url, 2, freshNonce());
    const ok = await graphCall(emulator, 'GET', '/platform_integrity/verify', { token });
    expect(ok.body).toEqual({ data: [{ message: 'success', claims: expect.stringMatching(/^[A-Za-z0-9_-]+$/) }] });
    // The documented example's shape, read by the same decoder.
    expect(decodeClaims(ok.body.data[0].claims).nonce).toBeTruthy();
  });

  test('the device SDK stand-in refuses a nonce that is not 22-172 base64url characters', async () => {
    await expect(mintAttestationToken(emulator.url, 0, 'too-short')).rejects.toThrow(/22 to 172/);
    await expect(mintAttestationToken(emulator.url, 0, `${'a'.repeat(30)}/+`)).rejects.toThrow(/22 to 172/);
  });
});

describe('device bans', () => {
  async function deviceOf(userIndex: number, device?: string): Promise<string> {
    const result = await client.integrity.verify(await mintAttestationToken(emulator.url, userIndex, freshNonce(), device ? { device } : {}));
    if (result.verified !== true || !result.claims.device.uniqueId) throw new Error('no device id');
    return result.claims.device.uniqueId;
  }

  test('ban, read, re-time, lift, by device id and by ban id; the claims follow', async () => {
    const deviceId = await deviceOf(3, 'contract-headset');
    expect(await client.integrity.status({ deviceId })).toEqual({ banned: false, remainingMinutes: null });
    const banId = await client.integrity.ban({ deviceId }, 90);
    expect(banId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await client.integrity.status({ deviceId })).toEqual({ banned: true, remainingMinutes: 90 });
    expect(await client.integrity.status({ banId })).toEqual({ banned: true, remainingMinutes: 90 });
    // A new token from the banned headset carries `device_ban`.
    const banned = await client.integrity.verify(await mintAttestationToken(emulator.url, 3, freshNonce(), { device: 'contract-headset' }));
    expect(banned).toMatchObject({ verified: true, claims: { ban: { banned: true, remainingMinutes: 90 } } });
    // Banning again re-times the same ban.
    expect(await client.integrity.ban({ banId }, 5)).toBe(banId);
    expect(await client.integrity.status({ deviceId })).toEqual({ banned: true, remainingMinutes: 5 });
    await client.integrity.lift({ banId });
    expect(await client.integrity.status({ deviceId })).toEqual({ banned: false, remainingMinutes: null });
    const clean = await client.integrity.verify(await mintAttestationToken(emulator.url, 3, freshNonce(), { device: 'contract-headset' }));
    expect(clean).toMatchObject({ verified: true, claims: { ban: null } });
    // Lifting a device without a ban succeeds; its ban id is gone.
    await client.integrity.lift({ deviceId });
    const gone = await apiError(client.integrity.status({ banId }));
    expect(gone).toMatchObject({ code: -1, subcode: 1614033 });
    expect(apiErrorCode(gone)).toBe('NOT_FOUND');
  });

  test('the demo data has a banned headset', async () => {
    const deviceId = emulator.state.integrity.uniqueIdOf(DEMO_BANNED_DEVICE);
    // The id docs/emulator.md and docs/examples.md show.
    expect(deviceId).toBe('497862b8116b7b7da0e6f84cd335a4b27237441fdd777d04d985943e1f72c72e');
    expect(await client.integrity.status({ deviceId })).toEqual({ banned: true, remainingMinutes: 30 * 24 * 60 });
  });

  test('an unknown device is code 1, subcode 1614026 (NOT_FOUND); bad minutes are refused before sending', async () => {
    const unknown = await apiError(client.integrity.ban({ deviceId: 'f'.repeat(64) }, 10));
    expect(unknown).toBeInstanceOf(HorizonApiError);
    expect(unknown).toMatchObject({ status: 400, code: 1, subcode: 1614026, type: 'OCApiException' });
    expect(apiErrorCode(unknown)).toBe('NOT_FOUND');
    expect(apiErrorCode(await apiError(client.integrity.status({ deviceId: 'f'.repeat(64) })))).toBe('NOT_FOUND');
    emulator.clearRequests();
    const deviceId = 'a'.repeat(64);
    await expect(client.integrity.ban({ deviceId }, -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.integrity.ban({ deviceId }, 52_560_001)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.integrity.status({ deviceId: 'a/../me' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.integrity.lift({ banId: 'x y' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
  });

  test('the wire: documented refusals, `method=POST` on a GET, the active ban ids', async () => {
    const deviceId = await deviceOf(4);
    const badTime = await graphCall(emulator, 'POST', '/platform_integrity/device_ban', {
      unique_id: deviceId,
      is_banned: 'true',
      remaining_time_in_minute: '52560001',
    });
    expect(badTime.body.error).toMatchObject({ code: 1, error_subcode: 1614028, type: 'OCApiException' });
    const banned = await graphCall(emulator, 'GET', '/platform_integrity/device_ban', {
      method: 'POST',
      unique_id: deviceId,
      is_banned: 'true',
      remaining_time_in_minute: '60',
    });
    expect(banned.body).toEqual({ message: 'Success', ban_id: expect.any(String) });
    const list = await graphCall(emulator, 'GET', '/platform_integrity/device_ban_ids', {});
    expect(list.body.data[0].message).toBe('Success');
    expect(list.body.data[0].all_ban_ids).toContainEqual({ ban_id: banned.body.ban_id, creation_date: new Date().toISOString().slice(0, 10) });
    const plainGet = await graphCall(emulator, 'GET', '/platform_integrity/device_ban', { unique_id: deviceId, is_banned: 'false' });
    expect(plainGet.body.error).toMatchObject({ code: 100 });
    const lifted = await graphCall(emulator, 'POST', '/platform_integrity/device_ban', { ban_id: banned.body.ban_id, is_banned: 'false' });
    expect(lifted.body).toEqual({ message: 'Success', ban_id: '' });
    const status = await graphCall(emulator, 'GET', '/platform_integrity/device_ban_status', { unique_id: deviceId });
    expect(status.body).toEqual({ data: [{ message: 'Success', is_banned: false, remaining_time_in_minute: 0 }] });
  });
});
