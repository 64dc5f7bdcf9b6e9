/**
 * Attestation and device bans through the subgraph schema: a challenge, a token from the
 * emulator's headset, the verdict with each check's state; every nonce failure (reused,
 * expired, another player's, unknown), a tampered app, a tampered device, a foreign package, a
 * banned device; bans placed, read and lifted with their reason; bad input as BAD_USER_INPUT.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_CERTIFICATE_DIGEST, DEMO_PACKAGE_ID, demoUserId } from '../../src/emulator/index.js';
import { MemoryIntegrityStore } from '../../src/store/integrity.js';
import { demoIntegrity, mintAttestationToken, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
/** The subgraph's clock for nonces: moved forward only (the emulator's tokens stay valid 24 h). */
let clock = Date.now();
const store = new MemoryIntegrityStore(100_000, () => clock);
beforeAll(async () => {
  // The store on a clock the expiry test can move.
  h = await startHarness({
    integrity: { ...demoIntegrity({ attestation: { packageId: DEMO_PACKAGE_ID, certificateDigest: DEMO_CERTIFICATE_DIGEST } }, store), now: () => clock },
  });
});
afterAll(() => h?.close());

const P = (i: number) => demoUserId(i);

async function challenge(userIndex: number): Promise<string> {
  const { data, errors } = await h.execute(`mutation($u: ID!) { issueAttestationChallenge(userId: $u) { nonce userId expiresAt } }`, { u: P(userIndex) });
  expect(errors).toBeUndefined();
  const issued = data!.issueAttestationChallenge;
  expect(issued.userId).toBe(P(userIndex));
  expect(issued.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);
  return issued.nonce;
}

const VERDICT = `trusted reasons deviceId claimsIssuedAt claimsExpireAt
  token { state passed message } nonce { state passed }
  app { state passed packageId packageRecognized version certificateDigests certificateRecognized }
  device { state passed } ban { state passed remainingMinutes banId reason }`;

async function verify(userIndex: number, token: string) {
  const { data, errors } = await h.execute(`mutation($u: ID!, $t: String!) { verifyAttestation(userId: $u, token: $t) { ${VERDICT} } }`, {
    u: P(userIndex),
    t: token,
  });
  expect(errors).toBeUndefined();
  return data!.verifyAttestation;
}

test('a genuine headset with a fresh nonce is trusted, once', async () => {
  const nonce = await challenge(0);
  const token = await mintAttestationToken(h.emulator.url, 0, nonce);
  const verdict = await verify(0, token);
  expect(verdict).toMatchObject({
    trusted: true,
    reasons: [],
    token: { state: 'VALID', passed: true, message: 'success' },
    nonce: { state: 'VALID', passed: true },
    app: { state: 'STORE_RECOGNIZED', passed: true, packageId: h.emulator.attestation.packageId, packageRecognized: true, certificateRecognized: true },
    device: { state: 'ADVANCED', passed: true },
    ban: { state: 'NOT_BANNED', passed: true, remainingMinutes: null },
  });
  expect(verdict.deviceId).toMatch(/^[0-9a-f]{64}$/);
  expect(Date.parse(verdict.claimsExpireAt) - Date.parse(verdict.claimsIssuedAt)).toBe(86_400_000);
  // Replayed: the same token, its nonce now used.
  const replay = await verify(0, token);
  expect(replay).toMatchObject({ trusted: false, reasons: ['NONCE_REUSED'], nonce: { state: 'REUSED' }, token: { state: 'VALID' } });
});

test("another player's nonce is refused and used up; an unknown nonce is refused", async () => {
  const nonce = await challenge(1);
  const foreign = await verify(2, await mintAttestationToken(h.emulator.url, 2, nonce));
  expect(foreign).toMatchObject({ trusted: false, reasons: ['NONCE_OTHER_PLAYER'], nonce: { state: 'OTHER_PLAYER', passed: false } });
  // The rightful player cannot use it any more either.
  expect((await verify(1, await mintAttestationToken(h.emulator.url, 1, nonce))).reasons).toEqual(['NONCE_REUSED']);
  const unknown = await verify(1, await mintAttestationToken(h.emulator.url, 1, randomBytes(32).toString('base64url')));
  expect(unknown).toMatchObject({ trusted: false, reasons: ['NONCE_UNKNOWN'], nonce: { state: 'UNKNOWN' } });
});

test('a nonce past its lifetime is EXPIRED, and used up', async () => {
  const nonce = await challenge(3);
  const token = await mintAttestationToken(h.emulator.url, 3, nonce);
  clock += 5 * 60_000 + 1;
  expect(await verify(3, token)).toMatchObject({ trusted: false, reasons: ['NONCE_EXPIRED'], nonce: { state: 'EXPIRED' } });
  expect((await verify(3, token)).reasons).toEqual(['NONCE_REUSED']);
});

test('a tampered app, a tampered or rooted device and a foreign package are not trusted, each saying why; the nonce is used all the same', async () => {
  const cases: Array<[Record<string, string>, string[], Record<string, unknown>]> = [
    [{ app_integrity_state: 'NotRecognized' }, ['APP_NOT_RECOGNIZED'], { app: { state: 'NOT_RECOGNIZED', passed: false }, device: { passed: true } }],
    [{ app_integrity_state: 'NotEvaluated' }, ['APP_NOT_EVALUATED'], { app: { state: 'NOT_EVALUATED', passed: false } }],
    [{ device_integrity_state: 'NotTrusted' }, ['DEVICE_NOT_TRUSTED'], { device: { state: 'NOT_TRUSTED', passed: false }, app: { passed: true } }],
    [{ device_integrity_state: 'Basic' }, ['DEVICE_BASIC_INTEGRITY'], { device: { state: 'BASIC', passed: false } }],
    [{ package_id: 'com.pirate.copy' }, ['PACKAGE_NOT_OURS'], { app: { state: 'STORE_RECOGNIZED', packageRecognized: false, passed: false } }],
  ];
  for (const [options, reasons, checks] of cases) {
    const nonce = await challenge(4);
    const token = await mintAttestationToken(h.emulator.url, 4, nonce, options);
    expect(await verify(4, token)).toMatchObject({ trusted: false, reasons, nonce: { state: 'VALID' }, ...checks });
    expect((await verify(4, token)).nonce.state).toBe('REUSED');
  }
});

test('a forged or garbled token is trusted: false with a reason; input that is no token is BAD_USER_INPUT', async () => {
  const nonce = await challenge(5);
  const token = await mintAttestationToken(h.emulator.url, 5, nonce);
  const forged = `${token.split('.')[0]}.${randomBytes(32).toString('base64url')}`;
  expect(await verify(5, forged)).toMatchObject({
    trusted: false,
    reasons: ['TOKEN_INVALID_SIGNATURE'],
    token: { state: 'INVALID_SIGNATURE', passed: false, message: 'invalid signature' },
    nonce: { state: 'UNCHECKED', passed: false },
    app: { state: 'UNCHECKED' },
    device: { state: 'UNCHECKED' },
    ban: { state: 'UNCHECKED' },
    deviceId: null,
  });
  // A forged token spends nothing: the genuine one still works.
  expect((await verify(5, token)).trusted).toBe(true);
  for (const [u, t] of [
    [P(5), 'not a token'],
    [P(5), ''],
    ['nope', token],
  ]) {
    const { data, errors } = await h.execute(`mutation($u: ID!, $t: String!) { verifyAttestation(userId: $u, token: $t) { trusted } }`, { u, t });
    expect(data?.verifyAttestation).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(errors)).not.toContain(token);
  }
});

test('ban a device from its verdict, see the ban in the next verdict and in deviceBan, lift it', async () => {
  const first = await verify(6, await mintAttestationToken(h.emulator.url, 6, await challenge(6), { device: 'gql-headset' }));
  const deviceId = first.deviceId;
  const ban = await h.execute(
    `mutation($d: ID!) { banDevice(deviceId: $d, durationMinutes: 120, reason: "aimbot in ranked") { success ban { deviceId banId banned remainingMinutes expiresAt reason bannedAt } } }`,
    { d: deviceId },
  );
  expect(ban.errors).toBeUndefined();
  const placed = ban.data!.banDevice;
  expect(placed).toMatchObject({ success: true, ban: { deviceId, banned: true, remainingMinutes: 120, reason: 'aimbot in ranked' } });
  const banId = placed.ban.banId;

  const banned = await verify(6, await mintAttestationToken(h.emulator.url, 6, await challenge(6), { device: 'gql-headset' }));
  expect(banned).toMatchObject({
    trusted: false,
    reasons: ['DEVICE_BANNED'],
    ban: { state: 'BANNED', passed: false, remainingMinutes: 120, banId, reason: 'aimbot in ranked' },
  });

  for (const args of [`deviceId: "${deviceId}"`, `banId: "${banId}"`]) {
    const read = await h.execute(`{ deviceBan(${args}) { deviceId banId banned remainingMinutes reason } }`);
    expect(read.data!.deviceBan).toEqual({ deviceId, banId, banned: true, remainingMinutes: 120, reason: 'aimbot in ranked' });
  }

  const lift = await h.execute(`mutation($b: ID!) { liftDeviceBan(banId: $b) { success ban { deviceId banned reason } } }`, { b: banId });
  expect(lift.data!.liftDeviceBan).toEqual({ success: true, ban: { deviceId, banned: false, reason: null } });
  const after = await h.execute(`{ deviceBan(deviceId: "${deviceId}") { banned remainingMinutes reason } }`);
  expect(after.data!.deviceBan).toEqual({ banned: false, remainingMinutes: null, reason: null });
  expect((await verify(6, await mintAttestationToken(h.emulator.url, 6, await challenge(6), { device: 'gql-headset' }))).trusted).toBe(true);
});

test('ban input is checked; unknown devices and bans are NOT_FOUND', async () => {
  const cases: Array<[string, string]> = [
    [`mutation { banDevice(deviceId: "${'a'.repeat(64)}", durationMinutes: 0, reason: "x") { success } }`, 'BAD_USER_INPUT'],
    [`mutation { banDevice(deviceId: "${'a'.repeat(64)}", durationMinutes: 10, reason: "   ") { success } }`, 'BAD_USER_INPUT'],
    [`mutation { banDevice(deviceId: "a b", durationMinutes: 10, reason: "x") { success } }`, 'BAD_USER_INPUT'],
    [`mutation { banDevice(deviceId: "${'a'.repeat(64)}", durationMinutes: 10, reason: "x") { success } }`, 'NOT_FOUND'],
    [`mutation { liftDeviceBan { success } }`, 'BAD_USER_INPUT'],
    [`mutation { liftDeviceBan(deviceId: "a", banId: "b") { success } }`, 'BAD_USER_INPUT'],
    [`{ deviceBan(banId: "nosuchban") { banned } }`, 'NOT_FOUND'],
    [`mutation { issueAttestationChallenge(userId: "not-a-user") { nonce } }`, 'BAD_USER_INPUT'],
  ];
  for (const [query, code] of cases) {
    const { errors } = await h.execute(query);
    expect({ query, code: errors?.[0]?.extensions?.code }).toEqual({ query, code });
  }
});
