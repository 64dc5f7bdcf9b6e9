/**
 * Caller tokens for tests: real JWTs signed with jose, with the scopes the schema declares.
 * The HS256 secret here is a test fixture; nothing outside test/ knows it.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { createSubgraphAuth, type SubgraphAuth } from '../../src/auth/index.js';
import type { AuthConfig } from '../../src/auth/config.js';
import type { Logger } from '../../src/logger.js';
import { ALL_SCOPES } from './harness.js';

export const TEST_HS256_SECRET = 'test-only-hs256-secret-0123456789abcdef-XYZ';
export const TEST_ISSUER = 'https://auth.test.example/';
export const TEST_AUDIENCE = 'horizon-subgraph';

/** Every scope the schema names in a @requiresScopes. */
export { ALL_SCOPES };

export function authConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    mode: 'jwt',
    jwksUrl: undefined,
    hs256Secret: TEST_HS256_SECRET,
    demo: false,
    issuer: TEST_ISSUER,
    audience: [TEST_AUDIENCE],
    clockToleranceSec: 0,
    routerSecret: undefined,
    ...overrides,
  };
}

/** The subgraph's auth as the app builds it, for an HS256 test secret (and optionally a router secret). */
export function testAuth(overrides: Partial<AuthConfig> = {}, logger?: Logger): Promise<SubgraphAuth> {
  return createSubgraphAuth(authConfig(overrides), logger);
}

export interface TokenOptions {
  scopes?: string[];
  /** Seconds from now; negative for an expired token. */
  expiresInSec?: number;
  secret?: string;
  issuer?: string | null;
  audience?: string | null;
  subject?: string;
  /** Put the scopes in `scp` (array) instead of `scope` (space-separated). */
  scp?: boolean;
  extra?: JWTPayload;
}

/** An HS256 caller token; by default valid for 10 minutes with every scope. */
export async function token(options: TokenOptions = {}): Promise<string> {
  const scopes = options.scopes ?? ALL_SCOPES;
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { ...options.extra, ...(options.scp ? { scp: scopes } : { scope: scopes.join(' ') }) };
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'test-caller')
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresInSec ?? 600));
  const issuer = options.issuer === undefined ? TEST_ISSUER : options.issuer;
  const audience = options.audience === undefined ? TEST_AUDIENCE : options.audience;
  if (issuer !== null) jwt = jwt.setIssuer(issuer);
  if (audience !== null) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_HS256_SECRET));
}

export const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });
