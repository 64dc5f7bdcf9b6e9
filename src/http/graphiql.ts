/**
 * An offline GraphiQL at `/graphiql`, outside production only: Apollo Sandbox (the landing page
 * at `/`) loads from Apollo's CDN and needs the internet; this page needs nothing but this
 * process. @graphql-yoga/render-graphiql inlines everything into one HTML document (GraphiQL
 * and Monaco's JS, CSS, fonts as data: URLs, the editor workers as blob: URLs), and the
 * Content-Security-Policy below makes the browser refuse any request to another origin.
 *
 * The headers typed in GraphiQL's Headers editor (`x-horizon-user-token`, `Authorization`)
 * are sent with every operation, as a gateway would forward them.
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

interface Page {
  html: Buffer;
  gzipped: Buffer;
  etag: string;
}

let page: Promise<Page> | undefined;

/** Renders once per process, on first use: production never loads the 9 MB bundle. */
function renderPage(): Promise<Page> {
  page ??= (async () => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const html = Buffer.from(
      renderGraphiQL({
        title: 'horizon-subgraph · GraphiQL',
        endpoint: '/graphql',
        method: 'POST',
        defaultQuery: DEFAULT_QUERY,
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
  page.catch(() => {
    page = undefined; // let a later request try again
  });
  return page;
}

/** Answers a request for `GRAPHIQL_PATH` (the caller checks the path and that this is not production). */
export async function serveGraphiQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GraphiQL is a page: GET it\n');
    return;
  }
  const { html, gzipped, etag } = await renderPage();
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
