/**
 * Errors the Horizon client raises. Every message is built by this module from
 * fields we control or from Graph's own `error.message`, passed through
 * `redactSecrets`, so no token can ride along in a message or a stack trace.
 */
import type { CancelSignal } from './signal.js';
import { decodeJson } from '../lib/json.js';
import { redactSecrets } from '../lib/redact.js';

/** Graph's error envelope: `{"error":{"message","type","code","error_subcode","error_data","fbtrace_id","is_transient"}}`. */
export interface GraphErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  error_user_msg?: unknown;
  /** Details of the failure, e.g. `{"api_name":"R_FarmVR_A_T3"}` with code 12075 (docs/horizon-api.md). */
  error_data?: unknown;
  fbtrace_id?: unknown;
  is_transient?: unknown;
}

/** `error_data` as kept: flat scalars only (see `boundedErrorData`). */
export type GraphErrorData = Readonly<Record<string, string | number | boolean>>;

/** Base class, so callers can tell every upstream failure apart from a bug with one `instanceof`. */
export abstract class HorizonError extends Error {
  /** The endpoint template (e.g. `GET /{user_id}/achievements`), never the concrete URL. */
  readonly endpoint: string;
  constructor(message: string, endpoint: string, options?: { cause?: unknown }) {
    super(redactSecrets(message), options);
    this.endpoint = endpoint;
  }
  /** Whether sending the same request again could succeed (5xx, throttling, transient, network). */
  abstract get retryable(): boolean;
  /**
   * Whether the request may have been carried out upstream although it failed (a reply lost
   * after sending, a 5xx mid-write). A write that is not idempotent is never resent when true.
   */
  abstract get mayHaveApplied(): boolean;
}

/** Graph answered with its error envelope (or a non-2xx status with a JSON body). */
export class HorizonApiError extends HorizonError {
  override readonly name = 'HorizonApiError';
  readonly status: number;
  readonly code: number | undefined;
  readonly type: string | undefined;
  readonly subcode: number | undefined;
  readonly fbtraceId: string | undefined;
  readonly isTransient: boolean;
  /** Graph's own message, redacted; kept apart from `message`, which also names the endpoint. */
  readonly upstreamMessage: string;
  /** Which token the failed request carried: a 190 means different things for each. */
  readonly credential: 'app' | 'user';

  /** From a `Retry-After` header, when Graph sent one. */
  readonly retryAfterMs: number | undefined;
  /** Graph's `error_data`, bounded and redacted (`boundedErrorData`); undefined when absent or empty. */
  readonly errorData: GraphErrorData | undefined;
  /**
   * The `api_name` parameter of the failed request, when it had one: which leaderboard (or
   * achievement) it was about, for the cases where Graph's `error_data` does not say.
   */
  readonly requestApiName: string | undefined;

  constructor(
    endpoint: string,
    status: number,
    body: GraphErrorBody | undefined,
    credential: 'app' | 'user' = 'app',
    retryAfterMs?: number,
    requestApiName?: string,
  ) {
    const upstreamMessage = typeof body?.message === 'string' ? redactSecrets(body.message) : `HTTP ${status}`;
    super(`Horizon API ${endpoint} failed (HTTP ${status}${typeof body?.code === 'number' ? `, code ${body.code}` : ''}): ${upstreamMessage}`, endpoint);
    this.status = status;
    this.code = toInt(body?.code);
    this.type = typeof body?.type === 'string' ? body.type : undefined;
    this.subcode = toInt(body?.error_subcode);
    this.fbtraceId = typeof body?.fbtrace_id === 'string' ? body.fbtrace_id : undefined;
    this.isTransient = body?.is_transient === true;
    this.upstreamMessage = upstreamMessage;
    this.credential = credential;
    this.retryAfterMs = retryAfterMs;
    this.errorData = boundedErrorData(body?.error_data);
    this.requestApiName = requestApiName;
  }

  /** The api name the failure is about: Graph's `error_data.api_name`, else the request's. */
  get apiName(): string | undefined {
    const named = this.errorData?.api_name;
    return typeof named === 'string' && named !== '' ? named : this.requestApiName;
  }

  /** Graph's throttling codes (app, user, page, custom rate limits). */
  get throttled(): boolean {
    return this.status === 429 || (this.code !== undefined && THROTTLING_CODES.has(this.code));
  }

  get retryable(): boolean {
    return this.isTransient || this.status >= 500 || this.throttled;
  }

  /** Graph refuses throttled and 4xx requests before acting on them; a 5xx may come mid-write. */
  get mayHaveApplied(): boolean {
    return this.status >= 500 && !this.throttled;
  }
}

/** The response could not be read as Graph JSON: empty, truncated, HTML from a proxy, ... */
export class HorizonProtocolError extends HorizonError {
  override readonly name = 'HorizonProtocolError';
  readonly status: number;
  /** From a `Retry-After` header (a proxy's 429 or 503 page often has one). */
  readonly retryAfterMs: number | undefined;
  constructor(endpoint: string, status: number, detail: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`Horizon API ${endpoint} returned an unreadable response (HTTP ${status}): ${detail}`, endpoint, options);
    this.status = status;
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** HTTP 429 without Graph's envelope (a gateway's own throttling) is still throttling. */
  get throttled(): boolean {
    return this.status === 429;
  }

  get retryable(): boolean {
    return this.status >= 500 || this.throttled;
  }

  /** Something answered, so the request was delivered; whether it was applied is unknown, unless it was throttled. */
  get mayHaveApplied(): boolean {
    return !this.throttled;
  }
}

/** No HTTP response at all: connection refused or reset, DNS, timeouts. */
export class HorizonNetworkError extends HorizonError {
  override readonly name = 'HorizonNetworkError';
  /** undici's error code, e.g. `UND_ERR_CONNECT_TIMEOUT`, `ECONNREFUSED`. */
  readonly errorCode: string | undefined;
  constructor(endpoint: string, cause: unknown) {
    const errorCode = (cause as { code?: unknown } | undefined)?.code;
    const text = cause instanceof Error ? cause.message : String(cause);
    super(`Horizon API ${endpoint} could not be reached: ${text}`, endpoint, { cause });
    this.errorCode = typeof errorCode === 'string' ? errorCode : undefined;
  }
  get retryable(): boolean {
    return true;
  }

  /** Failures while connecting happen before a byte of the request is sent. */
  get mayHaveApplied(): boolean {
    return !NOT_SENT_CODES.has(this.errorCode ?? '');
  }
}

/** The caller's signal aborted the call (operation deadline, client gone). Never retried. */
export function abortedError(endpoint: string, signal: CancelSignal): HorizonNetworkError | HorizonTimeoutError {
  return abortReasonError(endpoint, signal.reason ?? new Error('aborted'));
}

/** An abort's reason as the caller should hear it: the operation's deadline is a timeout, a caller gone is not. */
export function abortReasonError(endpoint: string, reason: unknown): HorizonNetworkError | HorizonTimeoutError {
  if ((reason as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return new HorizonTimeoutError(endpoint, undefined, `Horizon API ${endpoint} had not answered when the operation's deadline passed`);
  }
  return new HorizonNetworkError(endpoint, reason);
}

/** undici / socket error codes that mean the request never left this process. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The call took longer than its deadline; it may still be running upstream. */
export class HorizonTimeoutError extends HorizonError {
  override readonly name = 'HorizonTimeoutError';
  constructor(
    endpoint: string,
    /** The call's own deadline; undefined when it was the operation's that passed. */
    readonly timeoutMs: number | undefined,
    message = `Horizon API ${endpoint} did not answer within ${timeoutMs} ms`,
  ) {
    super(message, endpoint);
  }
  get retryable(): boolean {
    return true;
  }
  get mayHaveApplied(): boolean {
    return true;
  }
}

/**
 * This subgraph did not send the request: the circuit breaker is open because the API is
 * failing, or too many calls are already waiting. Failing fast beats piling up sockets.
 */
export class HorizonUnavailableError extends HorizonError {
  override readonly name = 'HorizonUnavailableError';
  constructor(
    endpoint: string,
    readonly reason: 'circuit_open' | 'overloaded',
    detail: string,
  ) {
    super(`Horizon API ${endpoint} not called: ${detail}`, endpoint);
  }
  get retryable(): boolean {
    return false;
  }
  get mayHaveApplied(): boolean {
    return false;
  }
}

export const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613]);

/** Graph error code for invalid or expired tokens and bad app credentials. */
export const CODE_INVALID_TOKEN = 190;
/** Graph error code for invalid parameters; subcode 33 means the node does not exist. */
export const CODE_INVALID_PARAMETER = 100;
export const SUBCODE_UNKNOWN_NODE = 33;

/** Graph's "no such node" (code 100, subcode 33): an id that names nothing, read as absent. */
export function isUnknownNode(error: unknown): boolean {
  return error instanceof HorizonApiError && error.code === CODE_INVALID_PARAMETER && error.subcode === SUBCODE_UNKNOWN_NODE;
}
/**
 * Device-ban refusals (ps-attestation-api; code 1 or -1, type OCApiException): no record of the
 * `unique_id` / `ban_id`, the id belongs to another app, the ban time is out of bounds.
 */
export const SUBCODE_UNKNOWN_DEVICE = 1614026;
export const SUBCODE_DEVICE_OTHER_APP = 1614027;
export const SUBCODE_BAN_TIME_INVALID = 1614028;
export const SUBCODE_UNKNOWN_BAN = 1614033;
export const SUBCODE_BAN_OTHER_APP = 1614036;
/** "You're not yet ranked on this leaderboard." */
export const CODE_NOT_RANKED = 12074;
/**
 * "The requested leaderboard has not been configured for this app" (type OCApiException,
 * HTTP 400, `error_data.api_name` names the board), docs/horizon-api.md
 */
export const CODE_UNKNOWN_LEADERBOARD = 12075;
/** "An unexpected error has occurred. Please retry your request later." */
export const CODE_TRANSIENT = 2;
/** "(#10) ... permission": the token may not do this. */
export const CODE_PERMISSION = 10;

const MAX_ERROR_DATA_KEYS = 8;
const MAX_ERROR_DATA_STRING = 200;

/**
 * Graph's `error_data`, kept small and safe to print: an object (or a JSON object in a
 * string, as Graph sometimes sends it) reduced to at most 8 keys with scalar values,
 * strings redacted (before they are cut, so no part of a secret survives) and cut to 200
 * characters. Nested values are dropped.
 */
export function boundedErrorData(value: unknown): GraphErrorData | undefined {
  const object =
    typeof value === 'string' && value.length <= 4096 && value.trimStart().startsWith('{') ? decodeJson(value, (parsed: unknown) => parsed) : value;
  if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
  const kept: Record<string, string | number | boolean> = {};
  let count = 0;
  for (const [key, item] of Object.entries(object as Record<string, unknown>)) {
    if (count >= MAX_ERROR_DATA_KEYS) break;
    if (!/^[A-Za-z0-9_]{1,64}$/.test(key)) continue;
    if (typeof item === 'string') kept[key] = redactSecrets(item.slice(0, 4096)).slice(0, MAX_ERROR_DATA_STRING);
    else if ((typeof item === 'number' && Number.isFinite(item)) || typeof item === 'boolean') kept[key] = item;
    else continue;
    count++;
  }
  return count > 0 ? kept : undefined;
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
