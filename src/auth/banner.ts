/**
 * What `npm start` prints about caller auth: the demo token (demo mode) and a curl command that
 * works as printed in every auth configuration, once its `export` lines are run: the caller's
 * token when callers are checked, and the router's shared secret when only the router may call.
 * Only the demo token is printed as such (it was made for this developer); the configured secrets
 * are never echoed, so their `export` lines ask for the value the developer set.
 */
import type { AuthConfig } from './config.js';
import { DEMO_TOKEN_TTL } from './index.js';
import { ROUTER_SECRET_HEADER } from './routerSecret.js';

const EXAMPLE_QUERY = `{"query":"{ user(id: \\"3559884437424131\\") { displayName achievements { definition { title } unlocked } } }"}`;

export interface BannerAuth {
  /** Demo mode: the token with every scope generated at this start. */
  devToken: string | undefined;
  auth: Pick<AuthConfig, 'mode' | 'jwksUrl' | 'routerSecret'>;
}

/** A value as one single-quoted shell word. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function callerAuthBanner(graphqlUrl: string, { devToken, auth }: BannerAuth): string {
  const lines: string[] = [];
  if (devToken) {
    lines.push(
      `Caller auth: no AUTH_JWKS_URL/AUTH_HS256_SECRET set, so this is a DEMO TOKEN. It is signed with a random secret`,
      `generated at this start-up, holds every scope, and stops working after ${DEMO_TOKEN_TTL} or when this process stops.`,
      `For local development only; send it as \`Authorization: Bearer <token>\`:`,
      ``,
      `  export TOKEN=${shellQuote(devToken)}`,
      ``,
    );
  } else if (auth.mode === 'jwt') {
    const signer = auth.jwksUrl ? `signed by a key of AUTH_JWKS_URL (${auth.jwksUrl})` : 'signed with AUTH_HS256_SECRET';
    lines.push(
      `Caller auth: callers send a JWT ${signer}, with the horizon:read scope for the query below.`,
      `Put one in TOKEN first:`,
      ``,
      `  export TOKEN='<a caller JWT>'`,
      ``,
    );
  }
  if (auth.routerSecret) {
    lines.push(
      `Only the router may call this subgraph (ROUTER_SHARED_SECRET is set): send it in the ${ROUTER_SECRET_HEADER} header.`,
      `In the shell you run curl from, set it to the value this process was given (it is never printed):`,
      ``,
      `  export ROUTER_SHARED_SECRET='<the ROUTER_SHARED_SECRET of this process>'`,
      ``,
    );
  }
  const headers = [
    `-H 'content-type: application/json'`,
    ...(auth.mode === 'jwt' ? [`-H "authorization: Bearer $TOKEN"`] : []),
    ...(auth.routerSecret ? [`-H "${ROUTER_SECRET_HEADER}: $ROUTER_SHARED_SECRET"`] : []),
  ];
  lines.push(`Try: curl -s ${graphqlUrl} ${headers.join(' ')} \\`, `       -d '${EXAMPLE_QUERY}'`, ``, ``);
  return lines.join('\n');
}
