/**
 * The one place that speaks HTTP to graph.oculus.com: a keep-alive undici Agent with a
 * connection cap and finite timeouts, token handling, parameter encoding, and turning
 * responses into JSON or typed errors. API-area modules build on `request`; nothing
 * above this file sees a URL or a token.
 */
import { Agent, type Dispatcher } from 'undici';
import { HorizonApiError, HorizonNetworkError, HorizonProtocolError, type GraphErrorBody } from './errors.js';
import { registerSecret } from './redact.js';

export interface TransportOptions {
  /** e.g. `https://graph.oculus.com`, or the emulator's URL. */
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** Connections per upstream origin. */
  maxConnections: number;
  connectTimeoutMs: number;
  /** Time to wait for response headers, and for each body chunk. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs?: number;
  /** Largest response body accepted, in bytes. */
  maxResponseBytes?: number;
  /** A dispatcher to use instead of building one (tests, interceptors). */
  dispatcher?: Dispatcher;
}

/** Who a request acts as: the app (server token) or a player (their user access token). */
export type Credential = { kind: 'app' } | { kind: 'user'; token: string };
export const APP: Credential = { kind: 'app' };

export type ParamValue = string | number | boolean | undefined | null;

export interface HorizonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Concrete path, e.g. `/1234/achievements`. Path segments must already be validated ids. */
  path: string;
  /** The endpoint template used in errors, logs and metrics, e.g. `GET /{user_id}/achievements`. */
  endpoint: string;
  params?: Record<string, ParamValue>;
  credential?: Credential;
  signal?: AbortSignal;
  /**
   * Fields whose integer values may exceed 2^53 (e.g. `score`): read as decimal strings so
   * `JSON.parse` cannot round them. Graph sends such values as numbers or strings.
   */
  losslessIntegerFields?: readonly string[];
}

/** What every finished upstream call reports to listeners (metrics, logs, tests). */
export interface UpstreamCallInfo {
  endpoint: string;
  method: string;
  status: number | undefined;
  durationMs: number;
  credential: Credential['kind'];
  error?: Error;
}

export type UpstreamListener = (info: UpstreamCallInfo) => void;

const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class HorizonTransport {
  readonly appId: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly appToken: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly maxResponseBytes: number;
  private readonly listeners = new Set<UpstreamListener>();

  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.appId = options.appId;
    this.appToken = `OC|${options.appId}|${options.appSecret}`;
    registerSecret(options.appSecret);
    registerSecret(this.appToken);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.maxConnections,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        connect: { timeout: options.connectTimeoutMs },
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
      });
  }

  onCall(listener: UpstreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request<T = unknown>(req: HorizonRequest): Promise<T> {
    const started = performance.now();
    const credential = req.credential ?? APP;
    let status: number | undefined;
    try {
      const { path, body, headers } = this.encode(req, credential);
      let response: Dispatcher.ResponseData;
      try {
        response = await this.dispatcher.request({
          origin: this.origin,
          path,
          method: req.method,
          headers,
          body,
          signal: req.signal,
        });
      } catch (cause) {
        throw new HorizonNetworkError(req.endpoint, cause);
      }
      status = response.statusCode;
      const result = await this.decode<T>(req.endpoint, response, credential.kind, req.losslessIntegerFields);
      this.report({ endpoint: req.endpoint, method: req.method, status, durationMs: performance.now() - started, credential: credential.kind });
      return result;
    } catch (error) {
      this.report({
        endpoint: req.endpoint,
        method: req.method,
        status,
        durationMs: performance.now() - started,
        credential: credential.kind,
        error: error as Error,
      });
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /**
   * Strict in what we send: the token goes in the Authorization header, never the URL;
   * GET parameters in the query string; POST parameters as a form body, as Meta's docs show.
   */
  private encode(req: HorizonRequest, credential: Credential) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(req.params ?? {})) {
      if (value === undefined || value === null) continue;
      params.set(name, String(value));
    }
    const token = credential.kind === 'app' ? this.appToken : credential.token;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
    };
    const query = params.toString();
    if (req.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return { path: this.basePath + req.path, body: query, headers };
    }
    return { path: this.basePath + req.path + (query ? `?${query}` : ''), body: undefined, headers };
  }

  private async decode<T>(endpoint: string, response: Dispatcher.ResponseData, credential: Credential['kind'], losslessFields?: readonly string[]): Promise<T> {
    const status = response.statusCode;
    let text: string;
    try {
      text = await readBody(response.body, this.maxResponseBytes, endpoint, status);
    } catch (cause) {
      if (cause instanceof HorizonProtocolError) throw cause;
      // The connection broke or stalled mid-body.
      throw new HorizonNetworkError(endpoint, cause);
    }
    if (text.trim() === '') {
      throw new HorizonProtocolError(endpoint, status, 'empty body');
    }
    let json: unknown;
    try {
      json = JSON.parse(losslessFields?.length ? quoteLargeIntegers(text, losslessFields) : text);
    } catch {
      // No `cause`: V8's SyntaxError quotes the start of the body, which may echo the token.
      const type = String(response.headers['content-type'] ?? 'no content-type');
      throw new HorizonProtocolError(endpoint, status, `body is not JSON (${type}, ${text.length} bytes)`);
    }
    const envelope = json as { error?: GraphErrorBody } | null;
    if (envelope && typeof envelope === 'object' && envelope.error && typeof envelope.error === 'object') {
      throw new HorizonApiError(endpoint, status, envelope.error, credential);
    }
    if (status < 200 || status >= 300) {
      throw new HorizonApiError(endpoint, status, undefined, credential);
    }
    if (!envelope || typeof envelope !== 'object') {
      throw new HorizonProtocolError(endpoint, status, 'body is not a JSON object');
    }
    return json as T;
  }

  private report(info: UpstreamCallInfo): void {
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch {
        // A listener's failure must never fail the call it observes.
      }
    }
  }
}

/** `"score":9007199254740993` → `"score":"9007199254740993"` for the named fields, so no digit is lost. */
export function quoteLargeIntegers(text: string, fields: readonly string[]): string {
  const names = fields.map((f) => f.replace(/[^A-Za-z0-9_]/g, '')).join('|');
  return text.replace(new RegExp(`("(?:${names})"\\s*:\\s*)(-?\\d{16,})(?=\\s*[,}\\]])`, 'g'), '$1"$2"');
}

async function readBody(body: Dispatcher.ResponseData['body'], limit: number, endpoint: string, status: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new HorizonProtocolError(endpoint, status, `body larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
