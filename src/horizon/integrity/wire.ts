/** Attestation answers on the wire: the verify envelope, the base64url claims, ban answers. */
import { decodeJson } from '../../lib/json.js';
import { knownValue, parseGraphInt, parseGraphTime, stringOrNull, truthy } from '../params.js';
import { APP_INTEGRITY_STATES, DEVICE_INTEGRITY_STATES, type AttestationClaims, type AttestationResult, type DeviceBanStatus } from './model.js';

/** Claims bigger than this are not claims (the documented example is ~500 bytes). */
const MAX_CLAIMS_CHARS = 64 * 1024;

/** Thrown when Graph said `success` but its claims cannot be read; the message never quotes them. */
export class UnreadableClaimsError extends Error {
  override readonly name = 'UnreadableClaimsError';
}

/**
 * The docs show `{"data":[{"message":"success","claims":"<base64url>"}]}`; the same entry
 * without `data` around it is read too. Any message but `success` is a refusal.
 */
export function toAttestationResult(body: unknown): AttestationResult {
  const entry = firstEntry(body);
  const message = typeof entry?.message === 'string' ? entry.message : '';
  if (message.toLowerCase() !== 'success') return { verified: false, message: message || 'no verification message' };
  if (typeof entry?.claims !== 'string') throw new UnreadableClaimsError('the verification succeeded but carried no claims');
  return { verified: true, claims: decodeClaims(entry.claims) };
}

/** Base64URL JSON (padded or not; plain base64 accepted too: Node's decoder reads both alphabets) to claims. */
export function decodeClaims(encoded: string): AttestationClaims {
  if (encoded.length > MAX_CLAIMS_CHARS || !/^[A-Za-z0-9_+/=-]*$/.test(encoded)) throw new UnreadableClaimsError('the claims are not base64url');
  const raw = decodeJson(Buffer.from(encoded, 'base64url').toString('utf8'), (json: unknown) => json);
  if (raw === undefined) throw new UnreadableClaimsError('the claims are not base64url JSON');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UnreadableClaimsError('the claims are not a JSON object');
  const claims = raw as Record<string, unknown>;
  const request = objectOf(claims.request_details);
  const app = objectOf(claims.app_state);
  const device = objectOf(claims.device_state);
  const ban = objectOf(claims.device_ban);
  return {
    nonce: stringOrNull(request.nonce),
    issuedAt: parseGraphTime(request.timestamp),
    expiresAt: parseGraphTime(request.exp),
    app: {
      integrity: knownValue(APP_INTEGRITY_STATES, app.app_integrity_state, 'Unknown'),
      packageId: stringOrNull(app.package_id),
      version: app.version === undefined || app.version === null ? null : String(app.version),
      certificateDigests: digests(app.package_cert_sha256_digest),
    },
    device: {
      integrity: knownValue(DEVICE_INTEGRITY_STATES, device.device_integrity_state, 'Unknown'),
      uniqueId: stringOrNull(device.unique_id),
    },
    ban:
      claims.device_ban === undefined || claims.device_ban === null
        ? null
        : { banned: truthy(ban.is_banned), remainingMinutes: parseGraphInt(ban.remaining_ban_time) ?? null },
  };
}

/** `{"message":"Success","ban_id":"..."}`; the id is empty after a ban is lifted. */
export function toBanId(body: unknown): string | null {
  const entry = firstEntry(body);
  return stringOrNull(entry?.ban_id) ?? stringOrNull(entry?.['ban-id']);
}

/** `{"data":[{"message":"Success","is_banned":true,"remaining_time_in_minute":12}]}`. */
export function toBanStatus(body: unknown): DeviceBanStatus {
  const entry = firstEntry(body);
  if (!entry || (entry.is_banned === undefined && entry.remaining_time_in_minute === undefined)) {
    throw new TypeError('the ban status answer has no is_banned');
  }
  const banned = truthy(entry.is_banned);
  const minutes = parseGraphInt(entry.remaining_time_in_minute);
  return { banned, remainingMinutes: banned ? (minutes ?? null) : null };
}

function firstEntry(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const data = (body as { data?: unknown }).data;
  const entry = Array.isArray(data) ? data[0] : data === undefined ? body : undefined;
  return entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : undefined;
}

function objectOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A list of hex digests (one string accepted too), normalised to lowercase without colons. */
function digests(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list.filter((d): d is string => typeof d === 'string' && d !== '').map((d) => d.replace(/:/g, '').toLowerCase());
}
