/**
 * Reading a request as Graph does (the token from the header, query or body; parameters from
 * the query, a form or a JSON body, merged) and writing a JSON reply, int64s exact.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../lib/body.js';
import { errors, parseJson } from './graph.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** `Authorization: Bearer|OAuth <token>`, or `access_token` from the query or body. */
export function extractToken(req: IncomingMessage, params: Record<string, string>): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  return params.access_token || undefined;
}

/** A file uploaded in a `multipart/form-data` body (achievement images). */
export interface UploadedFile {
  bytes: Buffer;
  type: string;
}

/** Parameters from the query and body; the files of a multipart body go into `files` when given. */
export async function readParams(req: IncomingMessage, url: URL, files?: Record<string, UploadedFile>): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  // Most calls are GETs without a body: nothing to wait for.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return params;
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === undefined) throw errors.param('Request body too large');
  if (raw.length === 0) return params;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type === 'application/json') {
    const json = parseJson(raw.toString('utf8'));
    if (json === undefined) throw errors.param('Request body is not valid JSON');
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      for (const [key, value] of Object.entries(json)) {
        if (value === undefined || value === null) continue;
        params[key] = typeof value === 'string' ? value : JSON.stringify(value);
      }
    }
  } else if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      // The platform's own multipart parser.
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
    } catch {
      throw errors.param('Request body is not valid multipart/form-data');
    }
    for (const [key, value] of form) {
      if (typeof value === 'string') params[key] = value;
      else if (files) files[key] = { bytes: Buffer.from(await value.arrayBuffer()), type: value.type };
    }
  } else {
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
  }
  return params;
}

/** A JSON reply; `truncate` sends only its first half (the whole length announced), then drops the connection. */
export function send(res: ServerResponse, status: number, body: unknown, truncate = false): void {
  const text = toJsonText(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  if (truncate) res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
  else res.end(text);
}

/**
 * An integer written into the response as bare JSON number text, exact even beyond 2^53
 * (Graph's int64 leaderboard scores), which `JSON.stringify` cannot do for a bigint.
 */
export class JsonInteger {
  constructor(readonly value: bigint) {}
  toJSON(): string {
    return `${RAW_INTEGER_MARKER}${this.value.toString()}`;
  }
}

// Random per process, so no string a client stored can ever be mistaken for the marker.
const RAW_INTEGER_MARKER = `\u0000int${randomBytes(6).toString('hex')}:`;
const RAW_INTEGER_PATTERN = new RegExp(`"\\\\u0000int${RAW_INTEGER_MARKER.slice(4)}(-?\\d+)"`, 'g');

/** `JSON.stringify`, with each `JsonInteger` unquoted into its exact number text. */
export function toJsonText(body: unknown): string {
  const text = JSON.stringify(body);
  // Most answers hold no JsonInteger: skip the pass over the text.
  return text.includes('\\u0000int') ? text.replace(RAW_INTEGER_PATTERN, '$1') : text;
}
