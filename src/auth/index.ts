/**
 * Caller authentication and authorization for the subgraph, built from `AuthConfig`:
 * the authenticator that turns an `Authorization` header into a `Caller`, the router shared
 * secret, and in demo mode a freshly generated HS256 secret with a ready dev token carrying
 * every scope the schema declares.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { registerSecret } from '../lib/redact.js';
import type { Logger } from '../logger.js';
import { loadTypeDefs } from '../schema.js';
import type { AuthConfig } from './config.js';
import { scopesDeclared } from './directives.js';
import { createJwtVerifier, NO_CALLER_AUTH, signHs256Token, type CallerAuthenticator } from './jwt.js';

export type { AuthConfig } from './config.js';
export type { Caller } from './caller.js';

/** How long the demo token printed at start-up is valid (its secret dies with the process anyway). */
export const DEMO_TOKEN_TTL = '12h';
export const DEMO_TOKEN_SUBJECT = 'demo-developer';

export interface SubgraphAuth extends CallerAuthenticator {
  /** When set, every GraphQL request must carry it in `x-router-secret`. */
  routerSecret?: string | undefined;
  /** Demo mode only: a token with every scope, signed with the generated secret. */
  devToken?: string | undefined;
}

export async function createSubgraphAuth(config: AuthConfig, logger?: Logger): Promise<SubgraphAuth> {
  registerSecret(config.routerSecret);
  if (config.mode === 'none') {
    logger?.warn('caller authentication is OFF (AUTH_MODE=none): every field is open to anyone who can reach this subgraph');
    return { ...NO_CALLER_AUTH, routerSecret: config.routerSecret };
  }
  const hs256Secret = config.demo ? randomBytes(32).toString('base64url') : config.hs256Secret;
  registerSecret(hs256Secret);
  const verifier = createJwtVerifier({
    ...(config.jwksUrl ? { jwksUrl: config.jwksUrl } : { hs256Secret }),
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSec: config.clockToleranceSec,
    ...(logger ? { logger } : {}),
  });
  const devToken = config.demo
    ? await signHs256Token(hs256Secret!, {
        subject: DEMO_TOKEN_SUBJECT,
        // Every scope the schema declares.
        scopes: scopesDeclared(parse(loadTypeDefs())),
        expiresIn: DEMO_TOKEN_TTL,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience.length > 0 ? { audience: config.audience } : {}),
      })
    : undefined;
  return { authenticate: (header) => verifier.authenticate(header), routerSecret: config.routerSecret, devToken };
}
