/**
 * Verifies the caller's JWT (`Authorization: Bearer <jwt>`, forwarded by the router) with
 * `jose`: against a JWKS URL (asymmetric algorithms only) or a shared HS256 secret, with
 * `exp` required and the issuer and audience checked when configured. Never throws for a bad
 * token: the result is a `Caller`, anonymous with the reason when the token is refused, so
 * only the fields that need a caller fail. Tokens and secrets never appear in messages.
 */
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import { anonymousCaller, tokenCaller, type Caller } from './caller.js';

/** Asymmetric algorithms accepted from a JWKS; HS* never (a public key must not double as an HMAC secret). */
export const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const VERIFIED_MAX_ENTRIES = 10_000;
const VERIFIED_MAX_AGE_MS = 60_000;

export interface JwtVerifierOptions {
  /** Exactly one of these. */
  jwksUrl?: string;
  hs256Secret?: string;
  issuer?: string;
  /** Accepted audiences: the token's `aud` must contain one of them. */
  audience?: string[];
  /** Leeway for `exp`/`nbf`, in seconds. */
  clockToleranceSec?: number;
  logger?: Logger;
}

export interface CallerAuthenticator {
  /** The caller for a request's `Authorization` header value (undefined when absent). */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/** Callers are not authenticated: every field is allowed (AUTH_MODE=none). */
export const NO_CALLER_AUTH: CallerAuthenticator = {
  async authenticate() {
    return { kind: 'disabled' };
  },
};

export function createJwtVerifier(options: JwtVerifierOptions): CallerAuthenticator {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl && !options.hs256Secret) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    algorithms = JWKS_ALGORITHMS;
  } else if (options.hs256Secret && !options.jwksUrl) {
    key = new TextEncoder().encode(options.hs256Secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('createJwtVerifier needs exactly one of jwksUrl and hs256Secret');
  }
  const verifyOptions = {
    algorithms,
    requiredClaims: ['exp'],
    clockTolerance: options.clockToleranceSec ?? 5,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience && options.audience.length > 0 ? { audience: options.audience } : {}),
  };
  const { logger } = options;
  // Tokens verified lately, so the router's repeated forwarding of the same caller JWT costs a
  // lookup rather than a WebCrypto verification (which was a tenth of a write operation's CPU).
  // Keyed by the token's SHA-256, never the token; an entry lasts until the token expires, and
  // at most VERIFIED_MAX_AGE_MS, so a key withdrawn from the JWKS stops being honoured soon after.
  // Only successes are kept: a refused token is checked again each time. On the wall clock, as `exp` is.
  const verified = new LRUCache<string, Caller>({ max: VERIFIED_MAX_ENTRIES, perf: { now: () => Date.now() }, ttlResolution: 0 });
  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (token === undefined)
        return anonymousCaller('CALLER_TOKEN_MISSING', "No caller token: send the caller's JWT in the Authorization header, with the Bearer scheme");
      if (token === null) return anonymousCaller('CALLER_TOKEN_INVALID', 'The Authorization header does not hold a caller JWT with the Bearer scheme');
      const digested = digest(token);
      const known = verified.get(digested);
      if (known) return known;
      try {
        const { payload } = typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
        const caller = tokenCaller(typeof payload.sub === 'string' ? payload.sub : undefined, scopesOf(payload));
        const ttl = Math.min(Math.floor((payload.exp! + verifyOptions.clockTolerance) * 1000 - Date.now()), VERIFIED_MAX_AGE_MS);
        if (ttl > 0) verified.set(digested, caller, { ttl });
        return caller;
      } catch (error) {
        const caller = refusal(error);
        if (caller.kind === 'anonymous' && caller.problem === 'CALLER_TOKEN_UNVERIFIABLE') {
          logger?.warn({ reason: caller.problem, jwks: options.jwksUrl, error: errorName(error) }, 'cannot verify caller tokens: the JWKS is unavailable');
        } else if (caller.kind === 'anonymous') {
          logger?.debug({ reason: caller.problem, error: errorName(error) }, 'caller token refused');
        }
        return caller;
      }
    },
  };
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The token of `Bearer <token>`; undefined when there is no header, null when it is malformed. */
function bearerToken(authorization: string | undefined): string | undefined | null {
  const value = authorization?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(value);
  return match ? match[1]! : null;
}

/** Scopes from `scope` (space-separated string, or an array) and `scp` (array, or a string). */
export function scopesOf(payload: JWTPayload): string[] {
  const out = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const values = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
    for (const value of values) if (typeof value === 'string' && value) out.add(value);
  }
  return [...out];
}

function refusal(error: unknown): Caller {
  if (error instanceof errors.JWTExpired) return anonymousCaller('CALLER_TOKEN_EXPIRED', "The caller's token has expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return anonymousCaller('CALLER_TOKEN_EXPIRED', "The caller's token is not valid yet (nbf)");
    const what =
      error.claim === 'iss'
        ? 'its issuer is not accepted'
        : error.claim === 'aud'
          ? 'its audience is not accepted'
          : `its "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not accepted'}`;
    return anonymousCaller('CALLER_TOKEN_INVALID', `The caller's token was refused: ${what}`);
  }
  // Timeouts, network failures, a non-200 or unreadable key set: not the caller's fault.
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError) ||
    error.constructor === errors.JOSEError
  ) {
    return anonymousCaller('CALLER_TOKEN_UNVERIFIABLE', "The caller's token cannot be verified right now (the key set is unavailable); retry later");
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return anonymousCaller('CALLER_TOKEN_INVALID', "The caller's token was refused: its algorithm is not accepted");
  if (error instanceof errors.JWKSNoMatchingKey)
    return anonymousCaller('CALLER_TOKEN_INVALID', "The caller's token was refused: it is not signed by a known key");
  return anonymousCaller('CALLER_TOKEN_INVALID', "The caller's token was refused: malformed or bad signature");
}

function errorName(error: unknown): string {
  return error instanceof errors.JOSEError ? error.code : error instanceof Error ? error.name : 'unknown';
}

/** Signs an HS256 token (the demo token, and tests). */
export async function signHs256Token(
  secret: string,
  claims: { subject?: string; scopes: string[]; issuer?: string; audience?: string | string[]; expiresIn: string | number; extra?: JWTPayload },
): Promise<string> {
  let jwt = new SignJWT({ ...claims.extra, scope: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn);
  if (claims.subject) jwt = jwt.setSubject(claims.subject);
  if (claims.issuer) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
