/** What attestation's resolvers are configured with (what they return: the generated GraphQL types). */
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
