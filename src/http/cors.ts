/**
 * CORS for browser callers (the browser-hosted Apollo Sandbox, a studio's own tools). Callers
 * authenticate with an `Authorization` header, not cookies: a listed origin is echoed and may
 * send credentials; `*` allows any origin but never with credentials, as the Fetch standard
 * requires (echoing every origin together with `allow-credentials: true` would let any site
 * make credentialed calls).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function applyCors(allowed: readonly string[], req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin) return;
  if (allowed.includes(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-credentials', 'true');
  } else if (allowed.includes('*')) {
    res.setHeader('access-control-allow-origin', '*');
  } else {
    return;
  }
  if ((req.method ?? '').toUpperCase() === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', String(req.headers['access-control-request-headers'] ?? 'content-type'));
    res.setHeader('access-control-max-age', '600');
  }
}
