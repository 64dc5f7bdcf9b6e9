/**
 * The emulator's attestation server (ps-attestation-api, docs/horizon-api.md): it signs the tokens
 * a headset would get from `GetIntegrityToken(challenge_nonce)`, verifies them into Graph's
 * claims, and keeps device bans. Tokens are `base64url(payload).base64url(HMAC-SHA256)` with a
 * key derived from the app secret: opaque to clients, verifiable only here.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../lib/compare.js';
import { parseJson } from '../graph.js';

export type EmulatedAppIntegrity = 'StoreRecognized' | 'NotRecognized' | 'NotEvaluated';
export type EmulatedDeviceIntegrity = 'Advanced' | 'Basic' | 'NotTrusted';

/** What a headset's token says; every field but the nonce has a genuine default. */
export interface MintOptions {
  /** The server's `challenge_nonce`: base64url, 22-172 characters (ps-attestation-api). */
  nonce: string;
  /** Which headset: the same name gives the same `unique_id` for this app. Default `headset-1`. */
  device?: string;
  appIntegrity?: EmulatedAppIntegrity;
  deviceIntegrity?: EmulatedDeviceIntegrity;
  packageId?: string;
  certificateDigests?: string[];
  version?: string;
  /** Unix seconds; default now. */
  issuedAt?: number;
  /** Default 24 h, the documented default. */
  lifetimeSeconds?: number;
}

interface TokenPayload {
  n: string;
  d: string;
  a: EmulatedAppIntegrity;
  di: EmulatedDeviceIntegrity;
  p: string;
  c: string[];
  v: string;
  iat: number;
  exp: number;
}

export interface EmulatedBan {
  banId: string;
  uniqueId: string;
  /** Epoch ms. */
  until: number;
  createdAt: number;
}

/** The demo app's package and signing certificate, what a genuine demo build reports. */
export const DEMO_PACKAGE_ID = 'com.example.horizondemo';
export const DEMO_CERTIFICATE_DIGEST = 'c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8';
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,172}={0,2}$/;

export class IntegrityData {
  private readonly key: Buffer;
  /** `unique_id`s this app has seen in a token (or seeded): only these can be banned. */
  readonly knownDevices = new Set<string>();
  /** unique_id → its active ban. */
  readonly bans = new Map<string, EmulatedBan>();

  constructor(
    private readonly appId: string,
    appSecret: string,
  ) {
    this.key = createHash('sha256').update(`emulator-attestation:${appId}:${appSecret}`).digest();
  }

  /** This app's `unique_id` for a headset: 64 hex characters, as in the docs' examples. */
  uniqueIdOf(device: string): string {
    return createHmac('sha256', this.key).update(`device:${this.appId}:${device}`).digest('hex');
  }

  /** A signed token, as `DeviceApplicationIntegrity.GetIntegrityToken(nonce)` would return on a headset. */
  mint(options: MintOptions): string {
    const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
    const payload: TokenPayload = {
      n: options.nonce,
      d: options.device ?? 'headset-1',
      a: options.appIntegrity ?? 'StoreRecognized',
      di: options.deviceIntegrity ?? 'Advanced',
      p: options.packageId ?? DEMO_PACKAGE_ID,
      c: options.certificateDigests ?? [DEMO_CERTIFICATE_DIGEST],
      v: options.version ?? '1',
      iat: issuedAt,
      exp: issuedAt + (options.lifetimeSeconds ?? 86_400),
    };
    this.knownDevices.add(this.uniqueIdOf(payload.d));
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** `GET /platform_integrity/verify`'s entry: `success` with the claims, or the refusal's message. */
  verify(token: string): { message: string; claims?: string } {
    const payload = this.open(token);
    if (!payload) return { message: 'invalid signature' };
    if (payload.exp * 1000 <= Date.now()) return { message: 'token expired' };
    const uniqueId = this.uniqueIdOf(payload.d);
    const ban = this.activeBan(uniqueId);
    const claims = {
      request_details: { exp: payload.exp, nonce: payload.n, timestamp: payload.iat },
      app_state: { app_integrity_state: payload.a, package_cert_sha256_digest: payload.c, package_id: payload.p, version: payload.v },
      device_state: { device_integrity_state: payload.di, unique_id: uniqueId },
      // Present only while the device is banned (ps-attestation-api).
      ...(ban ? { device_ban: { is_banned: true, remaining_ban_time: this.remainingMinutes(ban) } } : {}),
    };
    return { message: 'success', claims: Buffer.from(JSON.stringify(claims)).toString('base64url') };
  }

  /** Bans (or re-times the ban of) a known device; returns the ban. */
  ban(uniqueId: string, minutes: number): EmulatedBan {
    const existing = this.activeBan(uniqueId);
    const until = Date.now() + minutes * 60_000;
    if (existing) {
      existing.until = until;
      return existing;
    }
    const ban: EmulatedBan = { banId: randomBytes(13).toString('base64url'), uniqueId, until, createdAt: Date.now() };
    this.bans.set(uniqueId, ban);
    return ban;
  }

  lift(uniqueId: string): void {
    this.bans.delete(uniqueId);
  }

  activeBan(uniqueId: string): EmulatedBan | undefined {
    const ban = this.bans.get(uniqueId);
    if (ban && ban.until <= Date.now()) {
      // Expired bans are deleted with their ban_id (ps-attestation-api).
      this.bans.delete(uniqueId);
      return undefined;
    }
    return ban;
  }

  banById(banId: string): EmulatedBan | undefined {
    for (const ban of this.bans.values()) if (ban.banId === banId) return this.activeBan(ban.uniqueId);
    return undefined;
  }

  /** Active bans, oldest first. */
  activeBans(): EmulatedBan[] {
    return [...this.bans.values()].filter((ban) => this.activeBan(ban.uniqueId) !== undefined).sort((a, b) => a.createdAt - b.createdAt);
  }

  remainingMinutes(ban: EmulatedBan): number {
    return Math.max(0, Math.ceil((ban.until - Date.now()) / 60_000));
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private open(token: string): TokenPayload | undefined {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    if (!constantTimeEqual(signature, this.sign(body))) return undefined;
    return parseJson(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload | undefined;
  }
}
