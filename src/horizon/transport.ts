/**
 * The one place that speaks HTTP to graph.oculus.com: a keep-alive undici Agent with a
 * connection cap and finite timeouts, token handling, parameter encoding, and turning
 * responses into JSON or typed errors. API-area modules build on `request`; nothing
 * above this file sees a URL or a token.
 */
import { Agent, type Dispatcher } from 'undici';
import { DEFAULTS } from '../config.js';
import { encodeRequest } from './encode.js';
import { abortReasonError, HorizonApiError, HorizonNetworkError, HorizonProtocolError, HorizonTimeoutError, type GraphErrorBody } from './errors.js';
import { BodyTooLargeError, collect, type CollectedResponse } from './handlers/collect.js';
import { CircuitBreaker, type BreakerOptions } from './interceptors/breaker.js';
import { coalesce } from './interceptors/coalesce.js';
import { deadline } from './interceptors/deadline.js';
import { ConcurrencyLimiter, type LimiterOptions } from './interceptors/limiter.js';
import { retry, type RetryEvent, type RetryOptions } from './interceptors/retry.js';
import { recordAttemptStatus, traceAttempts } from './interceptors/trace.js';
import { compose, type Call, type Interceptor } from './interceptors/types.js';
import { registerSecret } from '../lib/redact.js';
import { APP, type CallScope, type Credential, type HorizonRequest, type RequestSender, type UpstreamCallInfo, type UpstreamListener } from './request.js';

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
  /** Deadline of one upstream attempt, body included. Default: `requestTimeoutMs`. */
  callTimeoutMs?: number;
  /** Retry policy; `false` sends each request once. */
  retry?: Partial<RetryOptions> | false;
  /** Circuit breaker; `false` disables it. */
  breaker?: Partial<BreakerOptions> | false;
  /** Cap on calls in flight for the app and on calls waiting for a slot. */
  limits?: Partial<LimiterOptions>;
  /** Share identical concurrent GETs (default true). */
  coalesce?: boolean;
  /** The federated (cross-play) app's id, when it is not `appId` (src/horizon/accounts.ts). */
  federatedAppId?: string | undefined;
  /** Largest achievement image uploaded, in bytes (src/horizon/achievements/images.ts). */
  maxImageBytes?: number;
}

export const DEFAULT_RETRY: RetryOptions = { ...DEFAULTS.horizon.retry, baseDelayMs: 100, maxDelayMs: 2_000 };

const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class HorizonTransport implements RequestSender {
  readonly appId: string;
  readonly federatedAppId: string;
  readonly maxImageBytes: number;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly appToken: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closing: Promise<void> | undefined;
  private readonly maxResponseBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly listeners = new Set<UpstreamListener>();
  private readonly retryListeners = new Set<(event: RetryEvent) => void>();
  private readonly call: Call;
  /** Undefined when disabled. */
  readonly breaker: CircuitBreaker | undefined;
  readonly limiter: ConcurrencyLimiter;
  readonly refusedFields = new Set<string>();

  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.appId = options.appId;
    this.federatedAppId = options.federatedAppId || options.appId;
    this.maxImageBytes = options.maxImageBytes ?? DEFAULTS.horizon.maxImageBytes;
    this.appToken = `OC|${options.appId}|${options.appSecret}`;
    registerSecret(options.appSecret);
    registerSecret(this.appToken);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.requestTimeoutMs = options.requestTimeoutMs;
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
    // Outermost first: coalesced callers share the retries; each retry passes the breaker
    // and waits for a slot anew; the deadline bounds one attempt only.
    this.breaker = options.breaker === false ? undefined : new CircuitBreaker({ ...DEFAULTS.horizon.breaker, ...options.breaker });
    this.limiter = new ConcurrencyLimiter({ ...DEFAULTS.horizon.limits, ...options.limits });
    const interceptors: Interceptor[] = [];
    if (options.coalesce !== false) interceptors.push(coalesce());
    if (options.retry !== false) interceptors.push(retry({ ...DEFAULT_RETRY, ...options.retry }, (event) => notify(this.retryListeners, event)));
    if (this.breaker) interceptors.push(this.breaker.interceptor());
    interceptors.push(this.limiter.interceptor());
    interceptors.push(deadline(options.callTimeoutMs ?? options.requestTimeoutMs));
    // Innermost: one span per HTTP attempt (a no-op while tracing is off).
    interceptors.push(traceAttempts());
    this.listeners.add(recordAttemptStatus);
    this.call = compose(interceptors, (req) => this.send(req));
  }

  onCall(listener: UpstreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRetry(listener: (event: RetryEvent) => void): () => void {
    this.retryListeners.add(listener);
    return () => this.retryListeners.delete(listener);
  }

  /**
   * One logical call: coalesced, retried, breaker- and limit-guarded. The result may be
   * shared with concurrent identical GETs: treat it as read-only.
   */
  request<T = unknown>(req: HorizonRequest): Promise<T> {
    return this.call(req) as Promise<T>;
  }

  /** The same transport, with every call counted against (and logged with) `scope`. */
  scoped(scope: CallScope): RequestSender {
    return {
      appId: this.appId,
      refusedFields: this.refusedFields,
      request: <T>(req: HorizonRequest) => {
        const first = scope.onFirstCall;
        if (first) {
          scope.onFirstCall = undefined;
          first();
        }
        return this.call({ ...req, scope }) as Promise<T>;
      },
    };
  }

  /** One HTTP attempt. */
  private async send<T>(req: HorizonRequest): Promise<T> {
    const started = performance.now();
    const credential = req.credential ?? APP;
    let status: number | undefined;
    let failure: Error | undefined;
    try {
      const encoded = encodeRequest(req, this.basePath, credential, this.appToken);
      const { path, body, headers } = encoded instanceof Promise ? await encoded : encoded;
      let response: CollectedResponse;
      try {
        response = await collect(
          this.dispatcher,
          { origin: this.origin, path, method: req.method, headers, body },
          { maxBytes: this.maxResponseBytes, signal: req.signal },
        );
      } catch (cause) {
        if (cause instanceof BodyTooLargeError) {
          status = cause.statusCode;
          throw new HorizonProtocolError(req.endpoint, cause.statusCode, cause.message);
        }
        // No answer, or the connection broke or stalled mid-body.
        throw networkFailure(req.endpoint, cause, this.requestTimeoutMs);
      }
      status = response.statusCode;
      return this.decode<T>(req, response, credential.kind);
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      this.report({
        endpoint: req.endpoint,
        method: req.method,
        status,
        durationMs: performance.now() - started,
        credential: credential.kind,
        attempt: req.attempt ?? 1,
        error: failure,
        scope: req.scope,
      });
    }
  }

  /** Closes the dispatcher it made (not one it was given); a second call waits for the first. */
  async close(): Promise<void> {
    this.closing ??= this.ownsDispatcher ? this.dispatcher.close() : Promise.resolve();
    await this.closing;
  }

  private decode<T>(req: HorizonRequest, response: CollectedResponse, credential: Credential['kind']): T {
    const { endpoint, losslessIntegerFields: losslessFields } = req;
    const status = response.statusCode;
    const text = response.body.toString('utf8');
    const retryAfter = retryAfterMs(response.headers['retry-after']);
    if (!/\S/.test(text)) {
      throw new HorizonProtocolError(endpoint, status, 'empty body', { retryAfterMs: retryAfter });
    }
    let json: unknown;
    try {
      json = JSON.parse(losslessFields?.length ? quoteLargeIntegers(text, losslessFields) : text);
    } catch {
      // No `cause`: V8's SyntaxError quotes the start of the body, which may echo the token.
      const type = String(response.headers['content-type'] ?? 'no content-type');
      throw new HorizonProtocolError(endpoint, status, `body is not JSON (${type}, ${text.length} bytes)`, { retryAfterMs: retryAfter });
    }
    const envelope = json as { error?: GraphErrorBody } | null;
    if (envelope && typeof envelope === 'object' && envelope.error && typeof envelope.error === 'object') {
      throw new HorizonApiError(endpoint, status, envelope.error, credential, retryAfter, requestApiName(req));
    }
    if (status < 200 || status >= 300) {
      throw new HorizonApiError(endpoint, status, undefined, credential, retryAfter, requestApiName(req));
    }
    if (!envelope || typeof envelope !== 'object') {
      throw new HorizonProtocolError(endpoint, status, 'body is not a JSON object');
    }
    return json as T;
  }

  private report(info: UpstreamCallInfo): void {
    if (info.scope) {
      info.scope.upstreamCalls++;
      if (info.error) info.scope.upstreamErrors++;
    }
    notify(this.listeners, info);
  }
}

/** Tells each observer of a call or a retry, in turn. */
function notify<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch {
      // An observer's failure must never fail the call it observes.
    }
  }
}

/** The request's `api_name` parameter, which errors name when Graph's own `error_data` does not. */
function requestApiName(req: HorizonRequest): string | undefined {
  const value = req.params?.api_name;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `"score":9007199254740993` → `"score":"9007199254740993"` for the named fields, so no digit is lost. */
export function quoteLargeIntegers(text: string, fields: readonly string[]): string {
  const names = fields.map((f) => f.replace(/[^A-Za-z0-9_]/g, '')).join('|');
  return text.replace(new RegExp(`("(?:${names})"\\s*:\\s*)(-?\\d{16,})(?=\\s*[,}\\]])`, 'g'), '$1"$2"');
}

const HTTP_DATE_TIME = /\b\d{2}:\d{2}:\d{2}\b/;

/** `Retry-After` as seconds or an HTTP date, capped so a hostile value cannot park a call. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  // An HTTP date always has its hh:mm:ss; Date.parse alone would read junk such as "in 5" as a past year, i.e. retry now.
  // Always GMT: the asctime form says so by rule, not by a zone Date.parse would see.
  const ms = seconds ? Number(seconds[1]) * 1000 : HTTP_DATE_TIME.test(value) ? Date.parse(`${value} GMT`) - now : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), 60_000);
}

/** undici's own header and body timeouts are timeouts like our deadline, not mere network noise. */
function networkFailure(endpoint: string, cause: unknown, timeoutMs: number): HorizonNetworkError | HorizonTimeoutError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new HorizonTimeoutError(endpoint, timeoutMs);
  // Aborted by the caller's signal: its reason says whether a deadline passed or the caller left.
  return abortReasonError(endpoint, cause);
}
