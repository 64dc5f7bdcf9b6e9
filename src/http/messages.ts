/** Reading requests and writing responses on the subgraph's plain node:http server. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { USER_TOKEN_HEADER } from '../graphql/context.js';

/**
 * The request's path and query. Always read as a path: `//host/x` is the path `//host/x`, not
 * a URL of another host (which `new URL(req.url, base)` would make of it, or throw on `//`).
 */
export function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  return URL.parse(`http://localhost${target.startsWith('/') ? target : `/${target}`}`);
}

/** The player's Horizon user token, when the caller forwards one. */
export function userTokenOf(req: IncomingMessage): string | undefined {
  const value = req.headers[USER_TOKEN_HEADER];
  const token = (Array.isArray(value) ? value[0] : value)?.trim();
  return token ? token : undefined;
}

/** The caller's `x-request-id` when it is a sane one, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A GraphQL-shaped error response for refusals made before GraphQL runs. */
export function sendError(res: ServerResponse, status: number, message: string, extensions: Record<string, unknown>): void {
  sendJson(res, status, { errors: [{ message, extensions }] });
}

/** `Vary` with `name` added once. */
export function varyWith(current: ReturnType<ServerResponse['getHeader']>, name: string): string {
  const names = String(current ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!names.some((v) => v.toLowerCase() === name)) names.push(name);
  return names.join(', ');
}
