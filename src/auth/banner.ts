/** What `npm start` prints about caller auth: the demo token (demo mode) and a ready curl command. */
import { DEMO_TOKEN_TTL } from './index.js';

const EXAMPLE_QUERY = `{"query":"{ user(id: \\"3559884437424131\\") { displayName achievements { definition { title } unlocked } } }"}`;

export function callerAuthBanner(graphqlUrl: string, devToken: string | undefined): string {
  const lines: string[] = [];
  if (devToken) {
    lines.push(
      `Caller auth: no AUTH_JWKS_URL/AUTH_HS256_SECRET set, so this is a DEMO TOKEN. It is signed with a random secret`,
      `generated at this start-up, holds every scope, and stops working after ${DEMO_TOKEN_TTL} or when this process stops.`,
      `For local development only; send it as \`Authorization: Bearer <token>\`:`,
      ``,
      `  export TOKEN='${devToken}'`,
      ``,
    );
  }
  const auth = devToken ? ` -H "authorization: Bearer $TOKEN"` : '';
  lines.push(`Try: curl -s ${graphqlUrl} -H 'content-type: application/json'${auth} \\`, `       -d '${EXAMPLE_QUERY}'`, ``, ``);
  return lines.join('\n');
}
