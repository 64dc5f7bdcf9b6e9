/**
 * What the AUTH_* settings (src/settings/schema.ts) mean together; each is checked on its own
 * there. Secrets are never echoed.
 *
 * - `AUTH_JWKS_URL` or `AUTH_HS256_SECRET` (not both) selects `jwt` mode.
 * - Neither, outside production: `jwt` mode with a random HS256 secret generated at start-up
 *   and a demo token printed (`demo: true`), so the schema's rules are enforced from day one.
 * - Neither, in production: refused, unless `AUTH_MODE=none` is explicit AND
 *   `ROUTER_SHARED_SECRET` is set (only the router, which enforces the same directives, can
 *   reach the subgraph then).
 * - `AUTH_MODE=none` outside production: no caller authentication at all.
 */
import type { Values } from '../settings/schema.js';

type AuthValues = Pick<
  Values,
  'AUTH_MODE' | 'AUTH_JWKS_URL' | 'AUTH_HS256_SECRET' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_CLOCK_TOLERANCE_SEC' | 'ROUTER_SHARED_SECRET'
>;

export type AuthConfig = ReturnType<typeof authConfig>;

export function authConfig(v: AuthValues, production: boolean) {
  const hasKey = v.AUTH_JWKS_URL !== undefined || v.AUTH_HS256_SECRET !== undefined;
  return {
    /** `jwt`: callers present a JWT whose scopes the schema's directives check; `none`: no caller checks. */
    mode: v.AUTH_MODE,
    jwksUrl: v.AUTH_JWKS_URL,
    hs256Secret: v.AUTH_HS256_SECRET,
    /** No key configured outside production: a random HS256 secret is generated at start-up and a demo token printed. */
    demo: v.AUTH_MODE === 'jwt' && !hasKey && !production,
    issuer: v.AUTH_ISSUER,
    audience: v.AUTH_AUDIENCE,
    clockToleranceSec: v.AUTH_CLOCK_TOLERANCE_SEC,
    /** When set, every GraphQL request must carry it in `x-router-secret`. */
    routerSecret: v.ROUTER_SHARED_SECRET,
  };
}

/** One message per conflict; `given(name)`: the variable is set (even to a refused value). */
export function authProblems(v: AuthValues, given: (name: keyof AuthValues) => boolean, production: boolean): string[] {
  const problems: string[] = [];
  const hasKey = given('AUTH_JWKS_URL') || given('AUTH_HS256_SECRET');
  if (given('AUTH_JWKS_URL') && given('AUTH_HS256_SECRET')) problems.push('AUTH_JWKS_URL and AUTH_HS256_SECRET are both set: set one of them');
  if (v.AUTH_MODE === 'none') {
    if (hasKey) problems.push('AUTH_MODE=none conflicts with AUTH_JWKS_URL/AUTH_HS256_SECRET: remove one or the other');
    if (given('AUTH_ISSUER') || v.AUTH_AUDIENCE.length > 0)
      problems.push('AUTH_ISSUER/AUTH_AUDIENCE have no effect with AUTH_MODE=none: remove them or AUTH_MODE');
    if (production && !given('ROUTER_SHARED_SECRET')) {
      problems.push(
        "AUTH_MODE=none in production requires ROUTER_SHARED_SECRET, so that only the router (which enforces the schema's @authenticated/@requiresScopes) can call this subgraph",
      );
    }
  } else if (!hasKey && production) {
    problems.push(
      'AUTH_JWKS_URL or AUTH_HS256_SECRET is required when NODE_ENV=production (callers must present a JWT); ' +
        "or set AUTH_MODE=none with ROUTER_SHARED_SECRET when only a router that enforces the schema's authorization directives can reach this subgraph",
    );
  }
  return problems;
}
