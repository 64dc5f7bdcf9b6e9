/**
 * An offline GraphiQL at `/graphiql`, outside production only: Apollo Sandbox (the landing page
 * at `/`) loads from Apollo's CDN and needs the internet; this page needs nothing but this
 * process. @graphql-yoga/render-graphiql inlines everything into one HTML document (GraphiQL
 * and Monaco's JS, CSS, fonts as data: URLs, the editor workers as blob: URLs), and the
 * Content-Security-Policy below makes the browser refuse any request to another origin.
 *
 * The headers typed in GraphiQL's Headers editor (`x-horizon-user-token`, `Authorization`)
 * are sent with every operation, as a gateway would forward them. In demo mode (emulator and
 * demo token) the page opens with them filled in and an operation on the demo data, so the
 * first query is one click (`GraphiQLDemo`, from src/app.ts).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { USER_TOKEN_HEADER } from '../graphql/context.js';

export const GRAPHIQL_PATH = '/graphiql';

/** Same origin only: scripts and styles are inline (no eval), workers are blob: URLs, fonts and images data: URLs. */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  'worker-src blob:',
  "style-src 'unsafe-inline'",
  'font-src data:',
  "img-src data: 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DEFAULT_QUERY = `# Offline GraphiQL for horizon-subgraph: everything on this page comes from this server.
#
# Player-bound fields (viewer, viewer-centred or friends leaderboard pages) act as the player:
# put their Horizon user access token in the Headers tab below, e.g.
#   { "${USER_TOKEN_HEADER}": "<token>" }
# (demo mode: FRLDEMO<user id>EMULATORUSERTOKEN). Headers are sent with every operation.

query Achievements {
  achievementDefinitions {
    apiName
    title
    type
    target
  }
}
`;

/** Demo mode: what GraphiQL opens with. Only for the emulator's made-up data: the token is in the page. */
export interface GraphiQLDemo {
  /** Headers sent with every operation until edited (`Authorization: Bearer <demo token>`, a player's token). */
  headers: Record<string, string>;
  /** The operation in the editor. */
  query: string;
}

/** The demo operation: the README's player query, as player `userId`. */
export function demoOperation(userId: string): string {
  return `# Offline GraphiQL for horizon-subgraph, in DEMO MODE: the built-in emulator's made-up players.
#
# The Headers tab below holds the demo token (Authorization) and this player's Horizon user
# token (${USER_TOKEN_HEADER}, for player-bound fields such as viewer). Press the run button.

query Player {
  viewer {
    displayName
  }
  user(id: "${userId}") {
    displayName
    achievements {
      definition {
        title
        type
      }
      unlocked
      count
    }
  }
}
`;
}

interface Page {
  html: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** Pages rendered, by demo settings ('' without); the last two kept (one per subgraph of a process, tests start several). */
const pages = new Map<string, Promise<Page>>();

/** Renders once per process (and demo token), on first use: production never loads the 9 MB bundle. */
function renderPage(demo: GraphiQLDemo | undefined): Promise<Page> {
  const key = demo ? JSON.stringify(demo) : '';
  const rendered = pages.get(key);
  if (rendered) return rendered;
  const page = (async () => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const html = Buffer.from(
      renderGraphiQL({
        title: 'horizon-subgraph · GraphiQL',
        endpoint: '/graphql',
        method: 'POST',
        defaultQuery: demo?.query ?? DEFAULT_QUERY,
        ...(demo ? { headers: JSON.stringify(demo.headers, null, 2) } : {}),
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: 'headers',
        // Tokens stay in the tab, not in localStorage.
        shouldPersistHeaders: false,
        credentials: 'same-origin',
      }),
      'utf8',
    );
    const gzipped = await promisify(gzip)(html);
    const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
    return { html, gzipped, etag };
  })();
  pages.set(key, page);
  if (pages.size > 2) pages.delete(pages.keys().next().value!);
  page.catch(() => pages.delete(key)); // let a later request try again
  return page;
}

/** Answers a request for `GRAPHIQL_PATH` (the caller checks the path and that this is not production). */
export async function serveGraphiQL(req: IncomingMessage, res: ServerResponse, demo?: GraphiQLDemo): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GraphiQL is a page: GET it\n');
    return;
  }
  const { html, gzipped, etag } = await renderPage(demo);
  const headers: Record<string, string | number> = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': GRAPHIQL_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
    etag,
    vary: [res.getHeader('vary'), 'Accept-Encoding'].filter(Boolean).join(', '),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const useGzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
  const body = useGzip ? gzipped : html;
  if (useGzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(method === 'HEAD' ? undefined : body);
}
