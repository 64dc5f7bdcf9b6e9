/**
 * How a request goes on the wire, strict in what we send: the token in the Authorization header,
 * never the URL; GET and DELETE parameters in the query string; POST parameters as a form body, as
 * Meta's docs show, or as `multipart/form-data` when the request uploads files (achievement
 * images, which Meta's docs send with `curl -F`).
 */
import type { Credential, HorizonRequest } from './request.js';

export interface EncodedRequest {
  path: string;
  body: Buffer | string | undefined;
  headers: Record<string, string>;
}

/** Synchronous unless the request uploads files: the hot path (every read) awaits nothing. */
export function encodeRequest(req: HorizonRequest, basePath: string, credential: Credential, appToken: string): EncodedRequest | Promise<EncodedRequest> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.params ?? {})) {
    if (value === undefined || value === null) continue;
    params.set(name, String(value));
  }
  const token = credential.kind === 'app' ? appToken : credential.token;
  const headers: Record<string, string> = {
    ...req.headers,
    authorization: `Bearer ${token}`,
    accept: 'application/json',
  };
  const query = params.toString();
  if (req.method === 'POST' && req.files && Object.keys(req.files).length > 0) return multipart(basePath + req.path, params, req.files, headers);
  if (req.method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { path: basePath + req.path, body: query, headers };
  }
  return { path: basePath + req.path + (query ? `?${query}` : ''), body: undefined, headers };
}

async function multipart(
  path: string,
  params: URLSearchParams,
  files: NonNullable<HorizonRequest['files']>,
  headers: Record<string, string>,
): Promise<EncodedRequest> {
  const form = new FormData();
  for (const [name, value] of params) form.append(name, value);
  for (const [name, file] of Object.entries(files)) form.append(name, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.filename);
  // The platform's own multipart encoder (boundary and escaping included), serialized once.
  const encoded = new Response(form);
  headers['content-type'] = encoded.headers.get('content-type')!;
  return { path, body: Buffer.from(await encoded.arrayBuffer()), headers };
}
