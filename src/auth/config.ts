/**
 * Caller-authentication settings from the environment, checked at start-up with one message
 * per bad value (collected by `loadConfig`). Secrets are never echoed.
 *
 * - `AUTH_JWKS_URL` or `AUTH_HS256_SECRET` (not both) selects `jwt` mode.
 * - Neither, outside production: `jwt` mode with a random HS256 secret generated at start-up
 *   and a demo token printed (`demo: true`), so the schema's rules are enforced from day one.
 * - Neither, in production: refused, unless `AUTH_MODE=none` is explicit AND
 *   `ROUTER_SHARED_SECRET` is set (only the router, which enforces the same directives, can
 *   reach the subgraph then).
 * - `AUTH_MODE=none` outside production: no caller authentication at all.
 */

export interface AuthConfig {
  /** `jwt`: callers present a JWT whose scopes the schema's directives check; `none`: no caller checks. */
  mode: 'jwt' | 'none';
  jwksUrl: string | undefined;
  hs256Secret: string | undefined;
  /** No key configured outside production: a random HS256 secret is generated at start-up and a demo token printed. */
  demo: boolean;
  issuer: string | undefined;
  audience: string[];
  clockToleranceSec: number;
  /** When set, every GraphQL request must carry it in `x-router-secret`. */
  routerSecret: string | undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const MIN_HS256_SECRET = 32;
const MIN_ROUTER_SECRET = 16;

export function loadAuthConfig(env: NodeJS.ProcessEnv, production: boolean, problems: string[]): AuthConfig {
  const rawMode = env.AUTH_MODE?.trim().toLowerCase() ?? '';
  if (rawMode !== '' && rawMode !== 'jwt' && rawMode !== 'none') problems.push(`AUTH_MODE must be jwt or none (got "${env.AUTH_MODE}")`);

  const jwksUrl = env.AUTH_JWKS_URL?.trim() || undefined;
  if (jwksUrl !== undefined) {
    let ok: boolean;
    try {
      const url = new URL(jwksUrl);
      ok = !url.username && !url.password && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
    } catch {
      ok = false;
    }
    // Echo it only when it cannot hold credentials.
    if (!ok)
      problems.push(
        `AUTH_JWKS_URL must be an https:// URL (http:// only on localhost) without credentials${jwksUrl.includes('@') ? '' : ` (got "${jwksUrl}")`}`,
      );
  }

  const hs256Secret = env.AUTH_HS256_SECRET?.trim() || undefined;
  if (hs256Secret !== undefined && hs256Secret.length < MIN_HS256_SECRET) {
    problems.push(`AUTH_HS256_SECRET must be at least ${MIN_HS256_SECRET} characters (256 bits; e.g. \`openssl rand -base64 48\`)`);
  }
  if (jwksUrl && hs256Secret) problems.push('AUTH_JWKS_URL and AUTH_HS256_SECRET are both set: set one of them');

  const issuer = env.AUTH_ISSUER?.trim() || undefined;
  const audience = (env.AUTH_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

  let clockToleranceSec = 5;
  const rawTolerance = env.AUTH_CLOCK_TOLERANCE_SEC?.trim();
  if (rawTolerance) {
    if (!/^\d+$/.test(rawTolerance) || Number(rawTolerance) > 300)
      problems.push(`AUTH_CLOCK_TOLERANCE_SEC must be a whole number from 0 to 300 (got "${env.AUTH_CLOCK_TOLERANCE_SEC}")`);
    else clockToleranceSec = Number(rawTolerance);
  }

  const routerSecret = env.ROUTER_SHARED_SECRET === undefined || env.ROUTER_SHARED_SECRET === '' ? undefined : env.ROUTER_SHARED_SECRET;
  if (routerSecret !== undefined && (routerSecret.length < MIN_ROUTER_SECRET || /\s/.test(routerSecret))) {
    problems.push(`ROUTER_SHARED_SECRET must be at least ${MIN_ROUTER_SECRET} characters without spaces (e.g. \`openssl rand -hex 32\`)`);
  }

  const hasKey = jwksUrl !== undefined || hs256Secret !== undefined;
  let mode: AuthConfig['mode'] = rawMode === 'none' ? 'none' : 'jwt';
  let demo = false;
  if (mode === 'none') {
    if (hasKey) problems.push('AUTH_MODE=none conflicts with AUTH_JWKS_URL/AUTH_HS256_SECRET: remove one or the other');
    if (issuer || audience.length > 0) problems.push('AUTH_ISSUER/AUTH_AUDIENCE have no effect with AUTH_MODE=none: remove them or AUTH_MODE');
    if (production && routerSecret === undefined) {
      problems.push(
        "AUTH_MODE=none in production requires ROUTER_SHARED_SECRET, so that only the router (which enforces the schema's @authenticated/@requiresScopes) can call this subgraph",
      );
    }
  } else if (!hasKey) {
    if (production) {
      problems.push(
        'AUTH_JWKS_URL or AUTH_HS256_SECRET is required when NODE_ENV=production (callers must present a JWT); ' +
          "or set AUTH_MODE=none with ROUTER_SHARED_SECRET when only a router that enforces the schema's authorization directives can reach this subgraph",
      );
      mode = 'jwt';
    } else {
      demo = true;
    }
  }
  return { mode, jwksUrl, hs256Secret, demo, issuer, audience, clockToleranceSec, routerSecret };
}
