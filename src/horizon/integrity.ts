/**
 * Attestation and device bans (ps-attestation-api, docs/horizon-api.md): verify an attestation
 * token and read its claims; ban a device, lift or change a ban, read a ban's status. The token is
 * a credential: it goes upstream only as the `token` parameter and is never put in an error.
 */
import { InvalidArgumentError } from '../lib/errors.js';
import { CODE_INVALID_PARAMETER, HorizonApiError, SUBCODE_UNKNOWN_NODE } from './errors.js';
import { MAX_BAN_MINUTES, type AttestationResult, type BanTarget, type DeviceBanStatus } from './integrity/model.js';
import { toAttestationResult, toBanId, toBanStatus } from './integrity/wire.js';
import type { RequestSender } from './request.js';
import type { CancelSignal } from './signal.js';

export * from './integrity/model.js';
export { UnreadableClaimsError } from './integrity/wire.js';

/** Longest attestation token passed on: Meta documents none; real ones are a few kilobytes. */
export const MAX_ATTESTATION_TOKEN_LENGTH = 16 * 1024;

export class IntegrityApi {
  constructor(private readonly transport: RequestSender) {}

  /**
   * `GET /platform_integrity/verify?token=` with the app token (GET only: POST is refused,
   * docs/horizon-api.md). A token Graph refuses (`invalid signature`, `token expired`, or a
   * code-100 refusal of the parameter) is an answer, not an error: `verified: false`.
   */
  async verify(token: string, signal?: CancelSignal): Promise<AttestationResult> {
    // Meta documents a token's content as opaque, and signed tokens are written in base64/base64url with `.` separators:
    // anything else (spaces, quotes, `&`, control characters) is refused before a byte is sent.
    if (token.length < 16 || token.length > MAX_ATTESTATION_TOKEN_LENGTH || !/^[A-Za-z0-9_.~+/=-]+$/.test(token)) {
      throw new InvalidArgumentError('token', `token must be an attestation token: 16-${MAX_ATTESTATION_TOKEN_LENGTH} base64url characters`);
    }
    let body: unknown;
    try {
      body = await this.transport.request({
        method: 'GET',
        path: '/platform_integrity/verify',
        endpoint: 'GET /platform_integrity/verify',
        params: { token },
        signal,
      });
    } catch (error) {
      if (!(error instanceof HorizonApiError)) throw error;
      const scrubbed = withoutToken(error, token);
      if (scrubbed.code === CODE_INVALID_PARAMETER && scrubbed.subcode !== SUBCODE_UNKNOWN_NODE && scrubbed.status < 500) {
        return { verified: false, message: scrubbed.upstreamMessage };
      }
      throw scrubbed;
    }
    return toAttestationResult(body);
  }

  /**
   * `POST /platform_integrity/device_ban` with `is_banned=true`: bans the device for `minutes`
   * (0-52 560 000), or changes an existing ban's remaining time. Returns the ban's id.
   * Sending it twice sets the same ban again: safe to retry.
   */
  async ban(target: BanTarget, minutes: number): Promise<string> {
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_BAN_MINUTES) {
      throw new InvalidArgumentError('durationMinutes', `durationMinutes must be a whole number from 0 to ${MAX_BAN_MINUTES}`);
    }
    const body = await this.transport.request({
      method: 'POST',
      path: '/platform_integrity/device_ban',
      endpoint: 'POST /platform_integrity/device_ban',
      params: { ...targetParams(target), is_banned: true, remaining_time_in_minute: minutes },
      idempotent: true,
    });
    const banId = toBanId(body);
    if (!banId) throw new TypeError('the device_ban answer has no ban_id');
    return banId;
  }

  /** `POST /platform_integrity/device_ban` with `is_banned=false`: lifts the ban (a device without one is a success too). */
  async lift(target: BanTarget): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: '/platform_integrity/device_ban',
      endpoint: 'POST /platform_integrity/device_ban',
      // The docs call `remaining_time_in_minute` "only needed" when banning; 0 is sent so a stricter Graph finds it.
      params: { ...targetParams(target), is_banned: false, remaining_time_in_minute: 0 },
      idempotent: true,
    });
  }

  /** `GET /platform_integrity/device_ban_status` by `ban_id` or `unique_id`. */
  async status(target: BanTarget, signal?: CancelSignal): Promise<DeviceBanStatus> {
    const body = await this.transport.request({
      method: 'GET',
      path: '/platform_integrity/device_ban_status',
      endpoint: 'GET /platform_integrity/device_ban_status',
      params: targetParams(target),
      signal,
    });
    return toBanStatus(body);
  }
}

/** A device's `unique_id` (64 hex characters in every example) or a `ban_id` (base64url), checked bounded and URL-safe. */
function targetParams(target: BanTarget): Record<string, string> {
  const [argument, param, id] = 'banId' in target ? ['banId', 'ban_id', target.banId] : ['deviceId', 'unique_id', target.deviceId];
  if (!/^[A-Za-z0-9_=-]{1,256}$/.test(id)) throw new InvalidArgumentError(argument, `${argument} must be 1-256 letters, digits, \`_\`, \`-\` or \`=\``);
  return { [param]: id };
}

/** Graph's message may echo the parameter it refused: never let the token ride along in an error. */
function withoutToken(error: HorizonApiError, token: string): HorizonApiError {
  if (!error.message.includes(token) && !error.upstreamMessage.includes(token)) return error;
  const message = error.upstreamMessage.split(token).join('[REDACTED]');
  return new HorizonApiError(
    error.endpoint,
    error.status,
    { message, code: error.code, type: error.type, error_subcode: error.subcode, fbtrace_id: error.fbtraceId, is_transient: error.isTransient },
    error.credential,
    error.retryAfterMs,
  );
}
