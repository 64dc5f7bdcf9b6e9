/**
 * The verdict on one attestation, from what Horizon answered, what consuming the nonce found and
 * what this subgraph knows of the device's ban. Pure: every input is given, `now` included.
 */
import type { AttestationClaims, AttestationResult } from '../../horizon/integrity.js';
import type { BanNote, ConsumedNonce } from '../../store/integrity.js';
import type { AttestationNonceState, AttestationReason, AttestationTokenState, AttestationVerdict } from '../generated/types.js';
import type { AttestationPolicy } from './models.js';

export interface VerdictInput {
  /** The player the caller says the token is for. */
  userId: string;
  /** Horizon's answer; `unreadable` when it said success with claims that could not be read. */
  result: AttestationResult | { verified: 'unreadable' };
  /** What consuming the claims' nonce found (undefined: unknown); not consulted without claims or nonce. */
  consumed: ConsumedNonce | undefined;
  /** This subgraph's note of a ban it placed on the claims' device, if any. */
  banNote: BanNote | undefined;
  policy: AttestationPolicy;
  now: number;
}

const APP_STATES = { StoreRecognized: 'STORE_RECOGNIZED', NotRecognized: 'NOT_RECOGNIZED', NotEvaluated: 'NOT_EVALUATED', Unknown: 'UNKNOWN' } as const;
const DEVICE_STATES = { Advanced: 'ADVANCED', Basic: 'BASIC', NotTrusted: 'NOT_TRUSTED', Unknown: 'UNKNOWN' } as const;
const APP_REASONS = { NOT_RECOGNIZED: 'APP_NOT_RECOGNIZED', NOT_EVALUATED: 'APP_NOT_EVALUATED', UNKNOWN: 'APP_STATE_UNKNOWN' } as const;
const DEVICE_REASONS = { BASIC: 'DEVICE_BASIC_INTEGRITY', NOT_TRUSTED: 'DEVICE_NOT_TRUSTED', UNKNOWN: 'DEVICE_STATE_UNKNOWN' } as const;
const NONCE_REASONS = {
  UNKNOWN: 'NONCE_UNKNOWN',
  REUSED: 'NONCE_REUSED',
  EXPIRED: 'NONCE_EXPIRED',
  OTHER_PLAYER: 'NONCE_OTHER_PLAYER',
  MISSING: 'NONCE_MISSING',
} as const;

export function judge(input: VerdictInput): AttestationVerdict {
  const { result, policy, now } = input;
  const claims = result.verified === true ? result.claims : undefined;
  const reasons: AttestationReason[] = [];
  const tokenState = tokenStateOf(result, now);
  if (tokenState !== 'VALID') reasons.push(TOKEN_REASONS[tokenState]);
  if (!claims) return unchecked(tokenState, result.verified === false ? result.message : result.verified === 'unreadable' ? 'success' : null, reasons);

  const nonceState = nonceStateOf(input, claims);
  if (nonceState !== 'VALID') reasons.push(NONCE_REASONS[nonceState]);

  const appState = APP_STATES[claims.app.integrity];
  if (appState !== 'STORE_RECOGNIZED') reasons.push(APP_REASONS[appState]);
  const packageRecognized = policy.packageIds.length === 0 ? null : claims.app.packageId !== null && policy.packageIds.includes(claims.app.packageId);
  if (packageRecognized === false) reasons.push('PACKAGE_NOT_OURS');
  const certificateRecognized =
    policy.certificateDigests.length === 0 ? null : claims.app.certificateDigests.some((d) => policy.certificateDigests.includes(d));
  if (certificateRecognized === false) reasons.push('CERTIFICATE_NOT_OURS');

  const deviceState = DEVICE_STATES[claims.device.integrity];
  const devicePassed = deviceState === 'ADVANCED' || (deviceState === 'BASIC' && policy.minDeviceIntegrity === 'basic');
  if (!devicePassed) reasons.push(DEVICE_REASONS[deviceState as keyof typeof DEVICE_REASONS]);

  // Horizon's claims say so, or a ban this subgraph placed has not ended (a token made before the ban).
  const note = input.banNote && input.banNote.until > now ? input.banNote : undefined;
  const banned = claims.ban?.banned === true || note !== undefined;
  if (banned) reasons.push('DEVICE_BANNED');
  const remainingMinutes = claims.ban?.banned ? claims.ban.remainingMinutes : note ? Math.ceil((note.until - now) / 60_000) : null;

  return {
    trusted: reasons.length === 0,
    reasons,
    token: { state: tokenState, passed: tokenState === 'VALID', message: 'success' },
    nonce: { state: nonceState, passed: nonceState === 'VALID' },
    app: {
      state: appState,
      passed: appState === 'STORE_RECOGNIZED' && packageRecognized !== false && certificateRecognized !== false,
      packageId: claims.app.packageId,
      packageRecognized,
      version: claims.app.version,
      certificateDigests: claims.app.certificateDigests,
      certificateRecognized,
    },
    device: { state: deviceState, passed: devicePassed },
    ban: {
      state: banned ? 'BANNED' : 'NOT_BANNED',
      passed: !banned,
      remainingMinutes: banned ? remainingMinutes : null,
      banId: banned ? (note?.banId ?? null) : null,
      reason: banned ? (note?.reason ?? null) : null,
    },
    deviceId: claims.device.uniqueId,
    claimsIssuedAt: claims.issuedAt,
    claimsExpireAt: claims.expiresAt,
  };
}

const TOKEN_REASONS = {
  INVALID_SIGNATURE: 'TOKEN_INVALID_SIGNATURE',
  EXPIRED: 'TOKEN_EXPIRED',
  REJECTED: 'TOKEN_REJECTED',
  UNREADABLE: 'CLAIMS_UNREADABLE',
} as const;

function tokenStateOf(result: VerdictInput['result'], now: number): AttestationTokenState {
  if (result.verified === 'unreadable') return 'UNREADABLE';
  if (result.verified === false) {
    const message = result.message.toLowerCase();
    if (message.includes('signature')) return 'INVALID_SIGNATURE';
    if (message.includes('expired')) return 'EXPIRED';
    return 'REJECTED';
  }
  // Horizon checks expiry itself; its `exp` is checked here too, in case a cached answer is old.
  const exp = result.claims.expiresAt;
  return exp !== null && exp.getTime() <= now ? 'EXPIRED' : 'VALID';
}

function nonceStateOf(input: VerdictInput, claims: AttestationClaims): Exclude<AttestationNonceState, 'UNCHECKED'> {
  if (claims.nonce === null) return 'MISSING';
  const consumed = input.consumed;
  if (!consumed) return 'UNKNOWN';
  if (consumed.alreadyUsed) return 'REUSED';
  if (consumed.record.userId !== input.userId) return 'OTHER_PLAYER';
  if (consumed.record.expiresAt <= input.now) return 'EXPIRED';
  return 'VALID';
}

/** Without claims nothing else can be checked: every other check is UNCHECKED and fails. */
function unchecked(state: AttestationTokenState, message: string | null, reasons: AttestationReason[]): AttestationVerdict {
  return {
    trusted: false,
    reasons,
    token: { state, passed: false, message },
    nonce: { state: 'UNCHECKED', passed: false },
    app: {
      state: 'UNCHECKED',
      passed: false,
      packageId: null,
      packageRecognized: null,
      version: null,
      certificateDigests: [],
      certificateRecognized: null,
    },
    device: { state: 'UNCHECKED', passed: false },
    ban: { state: 'UNCHECKED', passed: false, remainingMinutes: null, banId: null, reason: null },
    deviceId: null,
    claimsIssuedAt: null,
    claimsExpireAt: null,
  };
}
