/**
 * Attestation (challenge, verification) and device bans. The nonce store is the context's
 * `integrity.store` (Redis shared by replicas when Redis is configured); Horizon is reached only
 * through the client. Attestation tokens and claims are never logged: a verdict's log line
 * carries the player, `trusted` and the reasons only.
 */
import { randomBytes } from 'node:crypto';
import { assertGraphId } from '../../horizon/ids.js';
import { MAX_BAN_MINUTES, UnreadableClaimsError, type AttestationResult, type BanTarget } from '../../horizon/integrity.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { BanNote, ConsumedNonce } from '../../store/integrity.js';
import type { Context } from '../context.js';
import { ErrorCode, userError } from '../errors.js';
import type { DeviceBan, MutationBanDeviceArgs, MutationLiftDeviceBanArgs, QueryDeviceBanArgs, Resolvers } from '../generated/types.js';
import { judge } from './verdict.js';

const MAX_REASON_LENGTH = 500;
/** Longer than any nonce we issue (43 characters): a claims nonce past it cannot be ours. */
const MAX_NONCE_LENGTH = 256;

/** The attestation store failing (Redis down) is this subgraph's dependency failing: retryable, no secret in the message. */
async function fromStore<T>(ctx: Context, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    ctx.logger.error({ requestId: ctx.requestId, err: error }, `attestation store: ${what} failed`);
    throw userError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The attestation store is unavailable; retry later', { reason: 'INTEGRITY_STORE_UNAVAILABLE' });
  }
}

function banTarget(args: QueryDeviceBanArgs): BanTarget {
  const { deviceId, banId } = args;
  if ((deviceId == null) === (banId == null)) throw new InvalidArgumentError(deviceId == null ? 'deviceId' : 'banId', 'give exactly one of deviceId and banId');
  return banId != null ? { banId } : { deviceId: deviceId! };
}

function assertReason(reason: string): void {
  if (reason.trim() === '' || reason.length > MAX_REASON_LENGTH || /[\p{Cc}\p{Cs}]/u.test(reason.replace(/[\n\t]/g, ' '))) {
    throw new InvalidArgumentError('reason', `reason must be 1-${MAX_REASON_LENGTH} printable characters`);
  }
}

async function issueChallenge(ctx: Context, userId: string) {
  assertGraphId('userId', userId);
  const { store, policy } = ctx.integrity;
  const issuedAt = (ctx.integrity.now ?? Date.now)();
  const record = { userId, issuedAt, expiresAt: issuedAt + policy.nonceTtlMs };
  // 256 random bits: a clash is impossible in practice; the store refuses one anyway (SET NX).
  for (let attempt = 0; attempt < 3; attempt++) {
    const nonce = randomBytes(32).toString('base64url');
    // Kept twice as long as it is valid, so a late use reads as EXPIRED rather than UNKNOWN.
    if (await fromStore(ctx, 'issue', () => store.issueNonce(nonce, record, 2 * policy.nonceTtlMs))) {
      return { nonce, userId, expiresAt: new Date(record.expiresAt) };
    }
  }
  throw new Error('could not issue a unique attestation nonce');
}

async function verify(ctx: Context, userId: string, token: string) {
  assertGraphId('userId', userId);
  let result: AttestationResult | { verified: 'unreadable' };
  try {
    result = await ctx.horizon.integrity.verify(token);
  } catch (error) {
    if (!(error instanceof UnreadableClaimsError)) throw error;
    result = { verified: 'unreadable' };
  }
  const claims = result.verified === true ? result.claims : undefined;
  const { store } = ctx.integrity;
  let consumed: ConsumedNonce | undefined;
  // Used up whatever the verdict: a nonce never gets a second chance.
  if (claims?.nonce && claims.nonce.length <= MAX_NONCE_LENGTH) consumed = await fromStore(ctx, 'consume', () => store.consumeNonce(claims.nonce!));
  const deviceId = claims?.device.uniqueId;
  const banNote = deviceId ? await fromStore(ctx, 'read ban', () => store.banNote({ deviceId })) : undefined;
  const verdict = judge({ userId, result, consumed, banNote, policy: ctx.integrity.policy, now: (ctx.integrity.now ?? Date.now)() });
  ctx.logger.info({ requestId: ctx.requestId, userId, trusted: verdict.trusted, reasons: verdict.reasons }, 'attestation verdict');
  return verdict;
}

async function banDevice(ctx: Context, args: MutationBanDeviceArgs) {
  if (!Number.isInteger(args.durationMinutes) || args.durationMinutes < 1 || args.durationMinutes > MAX_BAN_MINUTES) {
    throw new InvalidArgumentError('durationMinutes', `durationMinutes must be a whole number from 1 to ${MAX_BAN_MINUTES}`);
  }
  assertReason(args.reason);
  const banId = await ctx.horizon.integrity.ban({ deviceId: args.deviceId }, args.durationMinutes);
  const bannedAt = (ctx.integrity.now ?? Date.now)();
  const note: BanNote = { deviceId: args.deviceId, banId, reason: args.reason, bannedAt, until: bannedAt + args.durationMinutes * 60_000 };
  await fromStore(ctx, 'keep ban', () => ctx.integrity.store.putBanNote(note));
  ctx.logger.info({ requestId: ctx.requestId, deviceId: note.deviceId, banId, durationMinutes: args.durationMinutes, reason: note.reason }, 'device banned');
  const ban: DeviceBan = {
    deviceId: note.deviceId,
    banId,
    banned: true,
    remainingMinutes: args.durationMinutes,
    expiresAt: new Date(note.until),
    reason: note.reason,
    bannedAt: new Date(bannedAt),
  };
  return { success: true, ban };
}

async function liftBan(ctx: Context, args: MutationLiftDeviceBanArgs) {
  const target = banTarget(args);
  const note = await fromStore(ctx, 'read ban', () => ctx.integrity.store.banNote(target));
  await ctx.horizon.integrity.lift(target);
  if (note) await fromStore(ctx, 'forget ban', () => ctx.integrity.store.removeBanNote(note));
  const deviceId = 'deviceId' in target ? target.deviceId : (note?.deviceId ?? null);
  ctx.logger.info({ requestId: ctx.requestId, deviceId, banId: note?.banId ?? null }, 'device ban lifted');
  const ban: DeviceBan = {
    deviceId,
    banId: 'banId' in target ? target.banId : null,
    banned: false,
    remainingMinutes: null,
    expiresAt: null,
    reason: null,
    bannedAt: null,
  };
  return { success: true, ban };
}

async function readBan(ctx: Context, args: QueryDeviceBanArgs): Promise<DeviceBan> {
  const target = banTarget(args);
  const status = await ctx.horizon.integrity.status(target, ctx.signal);
  const stored = await fromStore(ctx, 'read ban', () => ctx.integrity.store.banNote(target));
  // A note of a ban Horizon no longer reports (lifted elsewhere, or ended) is not this ban's.
  const note = status.banned ? stored : undefined;
  const remaining = status.remainingMinutes;
  return {
    deviceId: 'deviceId' in target ? target.deviceId : (note?.deviceId ?? null),
    banId: 'banId' in target ? target.banId : (note?.banId ?? null),
    banned: status.banned,
    remainingMinutes: remaining,
    expiresAt: status.banned && remaining !== null ? new Date(Date.now() + remaining * 60_000) : null,
    reason: note?.reason ?? null,
    bannedAt: note ? new Date(note.bannedAt) : null,
  };
}

export const integrityResolvers = {
  Query: {
    deviceBan: (_, args, ctx) => readBan(ctx, args),
  },
  Mutation: {
    issueAttestationChallenge: (_, args, ctx) => issueChallenge(ctx, args.userId),
    verifyAttestation: (_, args, ctx) => verify(ctx, args.userId, args.token),
    banDevice: (_, args, ctx) => banDevice(ctx, args),
    liftDeviceBan: (_, args, ctx) => liftBan(ctx, args),
  },
} satisfies Resolvers;
