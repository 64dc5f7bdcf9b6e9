/**
 * Attestation and device bans (ps-attestation-api, docs/horizon-api.md): token verification,
 * `device_ban` (ban, re-time, lift), `device_ban_status`, `device_ban_ids`; and, standing in
 * for the headset's SDK, `POST /device_integrity_token` to get a token for a nonce.
 */
import { enumParam, errors, GraphError, parseBool, required } from '../graph.js';
import type { Route, RouteContext } from '../http.js';
import { NONCE_PATTERN, type EmulatedAppIntegrity, type EmulatedBan, type EmulatedDeviceIntegrity } from '../data/integrity.js';
import { requireApp } from './common.js';

const MAX_BAN_MINUTES = 52_560_000;

/** The documented refusals, word for word (code 1 or -1, type OCApiException). */
const banError = (code: number, subcode: number, message: string) => () => new GraphError(400, code, message, 'OCApiException', subcode);
const banErrors = {
  unknownDevice: banError(
    1,
    1614026,
    'There is no record of this Unique ID. Please check that the Unique ID matches what is given in the Attestation Token and try again. Note that Unique IDs will change every 30 days for each application and device, make sure the Unique ID is up to date.',
  ),
  badTime: banError(1, 1614028, 'The Remaining Time In Minute field is invalid. Please check that the time inputted is between 0 and 52560000.'),
  unknownBan: banError(
    -1,
    1614033,
    "There is no record of this ban_id. Please check the ban_id and try again. If you don't know the specific ban_id, query the Device Ban IDs endpoint to see a list of all the ban_ids currently active for your application.",
  ),
};

const APP_STATES: readonly EmulatedAppIntegrity[] = ['StoreRecognized', 'NotRecognized', 'NotEvaluated'];
const DEVICE_STATES: readonly EmulatedDeviceIntegrity[] = ['Advanced', 'Basic', 'NotTrusted'];

/** The ban a request names: by `ban_id` when it names a live one (it wins, as documented), else by `unique_id`. */
function target(ctx: RouteContext): { uniqueId: string; ban: EmulatedBan | undefined } {
  const { ban_id: banId, unique_id: uniqueId } = ctx.params;
  const integrity = ctx.state.integrity;
  if (banId) {
    const ban = integrity.banById(banId);
    if (ban) return { uniqueId: ban.uniqueId, ban };
    if (!uniqueId) throw banErrors.unknownBan();
  }
  if (!uniqueId) throw errors.param('The parameter unique_id or ban_id is required');
  if (!integrity.knownDevices.has(uniqueId)) throw banErrors.unknownDevice();
  return { uniqueId, ban: integrity.activeBan(uniqueId) };
}

function deviceBan(ctx: RouteContext) {
  requireApp(ctx);
  const banned = parseBool('is_banned', required(ctx.params, 'is_banned'));
  const { uniqueId } = target(ctx);
  if (!banned) {
    ctx.state.integrity.lift(uniqueId);
    return { message: 'Success', ban_id: '' };
  }
  const text = ctx.params.remaining_time_in_minute ?? '';
  const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(minutes >= 0 && minutes <= MAX_BAN_MINUTES)) throw banErrors.badTime();
  return { message: 'Success', ban_id: ctx.state.integrity.ban(uniqueId, minutes).banId };
}

export const integrityRoutes: Route[] = [
  {
    // GET only: the code that calls it notes that POST is refused (docs/horizon-api.md).
    method: 'GET',
    pattern: '/platform_integrity/verify',
    handler: (ctx) => {
      requireApp(ctx);
      return { data: [ctx.state.integrity.verify(required(ctx.params, 'token'))] };
    },
  },
  {
    method: 'POST',
    pattern: '/platform_integrity/verify',
    handler: () => {
      throw errors.param('Unsupported post request. Use GET for platform_integrity/verify');
    },
  },
  { method: 'POST', pattern: '/platform_integrity/device_ban', handler: deviceBan },
  {
    // The docs write the call as a URL with `method=POST`, Graph's way of making a GET a POST.
    method: 'GET',
    pattern: '/platform_integrity/device_ban',
    handler: (ctx) => {
      if (ctx.params.method?.toUpperCase() !== 'POST') throw errors.param('Unsupported get request. Use POST (or method=POST) for device_ban');
      return deviceBan(ctx);
    },
  },
  {
    method: 'GET',
    pattern: '/platform_integrity/device_ban_status',
    handler: (ctx) => {
      requireApp(ctx);
      const { ban } = target(ctx);
      const remaining = ban ? ctx.state.integrity.remainingMinutes(ban) : 0;
      return { data: [{ message: 'Success', is_banned: ban !== undefined, remaining_time_in_minute: remaining }] };
    },
  },
  {
    method: 'GET',
    pattern: '/platform_integrity/device_ban_ids',
    handler: (ctx) => {
      requireApp(ctx);
      const all = ctx.state.integrity.activeBans().map((ban) => ({ ban_id: ban.banId, creation_date: new Date(ban.createdAt).toISOString().slice(0, 10) }));
      return { data: [{ message: 'Success', all_ban_ids: all }], paging: { cursors: { before: 'MA', after: 'MA' } } };
    },
  },
  {
    // Emulator only: what the headset's SDK does for `GetIntegrityToken(challenge_nonce)`, with the
    // player's user token. Tests and the demo pick a tampered app or device with the options.
    method: 'POST',
    pattern: '/device_integrity_token',
    handler: (ctx) => {
      if (ctx.auth.kind !== 'user') throw errors.needsUserToken();
      const nonce = required(ctx.params, 'challenge_nonce');
      if (!NONCE_PATTERN.test(nonce)) throw errors.param('challenge_nonce must be a non-wrapping base64url string of 22 to 172 characters');
      const token = ctx.state.integrity.mint({
        nonce,
        device: ctx.params.device || `headset-of-${ctx.auth.user.id}`,
        appIntegrity: enumParam('app_integrity_state', ctx.params.app_integrity_state, APP_STATES),
        deviceIntegrity: enumParam('device_integrity_state', ctx.params.device_integrity_state, DEVICE_STATES),
        packageId: ctx.params.package_id || undefined,
      });
      return { attestation_token: token };
    },
  },
];
