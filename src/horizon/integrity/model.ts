/** Attestation and device bans (ps-attestation-api, docs/horizon-api.md) as the client returns and takes them. */

/** `app_state.app_integrity_state`; a value Meta adds later reads as `UNKNOWN` rather than failing the answer. */
export const APP_INTEGRITY_STATES = ['StoreRecognized', 'NotRecognized', 'NotEvaluated'] as const;
export type AppIntegrity = (typeof APP_INTEGRITY_STATES)[number] | 'Unknown';

/** `device_state.device_integrity_state`, strongest first. */
export const DEVICE_INTEGRITY_STATES = ['Advanced', 'Basic', 'NotTrusted'] as const;
export type DeviceIntegrity = (typeof DEVICE_INTEGRITY_STATES)[number] | 'Unknown';

/** The decoded claims of a verified attestation token. Fields Graph left out are null (or empty). */
export interface AttestationClaims {
  /** `request_details.nonce`: the challenge nonce the token was made for. */
  nonce: string | null;
  /** `request_details.timestamp`: when the token was made. */
  issuedAt: Date | null;
  /** `request_details.exp`: when the token expires (24 h after `issuedAt` by default). */
  expiresAt: Date | null;
  app: {
    integrity: AppIntegrity;
    packageId: string | null;
    version: string | null;
    /** `package_cert_sha256_digest`, lowercase hex; a list (a chain may have several). */
    certificateDigests: string[];
  };
  device: {
    integrity: DeviceIntegrity;
    /** `unique_id`: this device for this app; rotates every 30 days. The id bans take. */
    uniqueId: string | null;
  };
  /** `device_ban`, present only when the device is banned. */
  ban: { banned: boolean; remainingMinutes: number | null } | null;
}

/**
 * What `GET /platform_integrity/verify` said: the token is genuine and these are its claims, or
 * it was refused with Graph's message (`invalid signature`, `token expired`, ...).
 */
export type AttestationResult = { verified: true; claims: AttestationClaims } | { verified: false; message: string };

/** Which ban an operation is about: a device (by its `unique_id`, within its 30 days) or a ban (by its `ban_id`). */
export type BanTarget = { deviceId: string } | { banId: string };

export interface DeviceBanStatus {
  banned: boolean;
  /** Minutes the ban still runs; null when Graph did not say (or not banned). */
  remainingMinutes: number | null;
}

/** Longest ban Horizon takes: 52 560 000 minutes (100 years). */
export const MAX_BAN_MINUTES = 52_560_000;
