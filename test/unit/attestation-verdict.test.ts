/** The verdict's rules (src/graphql/integrity/verdict.ts), each on its own. */
import type { AttestationClaims } from '../../src/horizon/integrity.js';
import type { AttestationPolicy } from '../../src/graphql/integrity/models.js';
import { judge, type VerdictInput } from '../../src/graphql/integrity/verdict.js';

const NOW = 1_700_000_000_000;
const DIGEST = 'ab'.repeat(32);
const policy: AttestationPolicy = { nonceTtlMs: 300_000, packageIds: ['com.example.game'], certificateDigests: [DIGEST], minDeviceIntegrity: 'advanced' };

function claims(overrides: Partial<AttestationClaims> = {}): AttestationClaims {
  return {
    nonce: 'n'.repeat(43),
    issuedAt: new Date(NOW - 1_000),
    expiresAt: new Date(NOW + 86_399_000),
    app: { integrity: 'StoreRecognized', packageId: 'com.example.game', version: '7', certificateDigests: [DIGEST] },
    device: { integrity: 'Advanced', uniqueId: 'd'.repeat(64) },
    ban: null,
    ...overrides,
  };
}

function input(overrides: Partial<VerdictInput> = {}): VerdictInput {
  return {
    userId: '1001',
    result: { verified: true, claims: claims() },
    consumed: { record: { userId: '1001', issuedAt: NOW - 5_000, expiresAt: NOW + 295_000 }, alreadyUsed: false },
    banNote: undefined,
    policy,
    now: NOW,
    ...overrides,
  };
}

test('everything in order is trusted', () => {
  expect(judge(input())).toMatchObject({ trusted: true, reasons: [], app: { packageRecognized: true, certificateRecognized: true }, deviceId: 'd'.repeat(64) });
});

test('each failed check adds its reason, and several add up', () => {
  const verdict = judge(
    input({
      result: {
        verified: true,
        claims: claims({
          app: { integrity: 'NotRecognized', packageId: 'com.other', version: null, certificateDigests: ['ff'] },
          device: { integrity: 'NotTrusted', uniqueId: null },
        }),
      },
      consumed: undefined,
    }),
  );
  expect(verdict.trusted).toBe(false);
  expect(verdict.reasons).toEqual(['NONCE_UNKNOWN', 'APP_NOT_RECOGNIZED', 'PACKAGE_NOT_OURS', 'CERTIFICATE_NOT_OURS', 'DEVICE_NOT_TRUSTED']);
});

test('BASIC passes only when the policy allows it; unknown states never pass', () => {
  const basic = input({ result: { verified: true, claims: claims({ device: { integrity: 'Basic', uniqueId: 'x' } }) } });
  expect(judge(basic).reasons).toEqual(['DEVICE_BASIC_INTEGRITY']);
  expect(judge({ ...basic, policy: { ...policy, minDeviceIntegrity: 'basic' } }).trusted).toBe(true);
  const unknown = judge(
    input({ result: { verified: true, claims: claims({ device: { integrity: 'Unknown', uniqueId: 'x' }, app: { ...claims().app, integrity: 'Unknown' } }) } }),
  );
  expect(unknown.reasons).toEqual(['APP_STATE_UNKNOWN', 'DEVICE_STATE_UNKNOWN']);
});

test('no package or certificate configured: not checked (null), not failed', () => {
  const verdict = judge(input({ policy: { ...policy, packageIds: [], certificateDigests: [] } }));
  expect(verdict).toMatchObject({ trusted: true, app: { packageRecognized: null, certificateRecognized: null } });
});

test('nonce states: reused, another player, expired, missing', () => {
  const record = { userId: '1001', issuedAt: NOW - 5_000, expiresAt: NOW + 295_000 };
  expect(judge(input({ consumed: { record, alreadyUsed: true } })).nonce.state).toBe('REUSED');
  expect(judge(input({ consumed: { record: { ...record, userId: '2002' }, alreadyUsed: false } })).nonce.state).toBe('OTHER_PLAYER');
  expect(judge(input({ consumed: { record: { ...record, expiresAt: NOW }, alreadyUsed: false } })).nonce.state).toBe('EXPIRED');
  expect(judge(input({ result: { verified: true, claims: claims({ nonce: null }) } })).reasons).toEqual(['NONCE_MISSING']);
});

test("a ban: from Horizon's claims, or from this subgraph's note while it runs", () => {
  const fromClaims = judge(input({ result: { verified: true, claims: claims({ ban: { banned: true, remainingMinutes: 30 } }) } }));
  expect(fromClaims).toMatchObject({ trusted: false, reasons: ['DEVICE_BANNED'], ban: { state: 'BANNED', remainingMinutes: 30, banId: null } });
  const note = { deviceId: 'd'.repeat(64), banId: 'B1', reason: 'griefing', bannedAt: NOW - 60_000, until: NOW + 600_000 };
  expect(judge(input({ banNote: note })).ban).toEqual({ state: 'BANNED', passed: false, remainingMinutes: 10, banId: 'B1', reason: 'griefing' });
  expect(judge(input({ banNote: { ...note, until: NOW } })).ban.state).toBe('NOT_BANNED');
});

test('a refused or unreadable token: nothing else is checked', () => {
  for (const [message, state, reason] of [
    ['invalid signature', 'INVALID_SIGNATURE', 'TOKEN_INVALID_SIGNATURE'],
    ['token expired', 'EXPIRED', 'TOKEN_EXPIRED'],
    ['(#100) Invalid parameter', 'REJECTED', 'TOKEN_REJECTED'],
  ] as const) {
    const verdict = judge(input({ result: { verified: false, message } }));
    expect(verdict).toMatchObject({ trusted: false, reasons: [reason], token: { state, message }, nonce: { state: 'UNCHECKED' }, deviceId: null });
  }
  expect(judge(input({ result: { verified: 'unreadable' } })).reasons).toEqual(['CLAIMS_UNREADABLE']);
  // Horizon said success, but `exp` has passed.
  expect(judge(input({ result: { verified: true, claims: claims({ expiresAt: new Date(NOW) }) } })).reasons).toEqual(['TOKEN_EXPIRED']);
});
