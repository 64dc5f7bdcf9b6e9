/** What attestation's resolvers are configured with and return (the GraphQL types' shapes, enums as strings). */
import type { IntegrityStore } from '../../store/integrity.js';

/** How strict a verdict is (src/settings/schema.ts, ATTESTATION_*). */
export interface AttestationPolicy {
  /** How long an issued nonce is accepted. */
  nonceTtlMs: number;
  /** Our package names; empty: the package is not checked. */
  packageIds: readonly string[];
  /** SHA-256 digests (lowercase hex) of our signing certificates; empty: not checked. */
  certificateDigests: readonly string[];
  /** The weakest device integrity trusted. */
  minDeviceIntegrity: 'advanced' | 'basic';
}

/** The attestation store (memory, or Redis shared by replicas) and the policy, as the context carries them. */
export interface IntegrityDeps {
  store: IntegrityStore;
  policy: AttestationPolicy;
  /** The clock nonces are issued and judged by (tests move it); default `Date.now`. */
  now?: () => number;
}

export type AttestationTokenState = 'VALID' | 'INVALID_SIGNATURE' | 'EXPIRED' | 'REJECTED' | 'UNREADABLE';
export type AttestationNonceState = 'VALID' | 'UNKNOWN' | 'REUSED' | 'EXPIRED' | 'OTHER_PLAYER' | 'MISSING' | 'UNCHECKED';
export type AppIntegrityState = 'STORE_RECOGNIZED' | 'NOT_RECOGNIZED' | 'NOT_EVALUATED' | 'UNKNOWN' | 'UNCHECKED';
export type DeviceIntegrityState = 'ADVANCED' | 'BASIC' | 'NOT_TRUSTED' | 'UNKNOWN' | 'UNCHECKED';
export type DeviceBanState = 'NOT_BANNED' | 'BANNED' | 'UNCHECKED';
export type AttestationReason =
  | 'TOKEN_INVALID_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REJECTED'
  | 'CLAIMS_UNREADABLE'
  | 'NONCE_UNKNOWN'
  | 'NONCE_REUSED'
  | 'NONCE_EXPIRED'
  | 'NONCE_OTHER_PLAYER'
  | 'NONCE_MISSING'
  | 'APP_NOT_RECOGNIZED'
  | 'APP_NOT_EVALUATED'
  | 'APP_STATE_UNKNOWN'
  | 'PACKAGE_NOT_OURS'
  | 'CERTIFICATE_NOT_OURS'
  | 'DEVICE_NOT_TRUSTED'
  | 'DEVICE_BASIC_INTEGRITY'
  | 'DEVICE_STATE_UNKNOWN'
  | 'DEVICE_BANNED';

export interface Verdict {
  trusted: boolean;
  reasons: AttestationReason[];
  token: { state: AttestationTokenState; passed: boolean; message: string | null };
  nonce: { state: AttestationNonceState; passed: boolean };
  app: {
    state: AppIntegrityState;
    passed: boolean;
    packageId: string | null;
    packageRecognized: boolean | null;
    version: string | null;
    certificateDigests: string[];
    certificateRecognized: boolean | null;
  };
  device: { state: DeviceIntegrityState; passed: boolean };
  ban: { state: DeviceBanState; passed: boolean; remainingMinutes: number | null; banId: string | null; reason: string | null };
  deviceId: string | null;
  claimsIssuedAt: Date | null;
  claimsExpireAt: Date | null;
}

export interface DeviceBanView {
  deviceId: string | null;
  banId: string | null;
  banned: boolean;
  remainingMinutes: number | null;
  expiresAt: Date | null;
  reason: string | null;
  bannedAt: Date | null;
}
