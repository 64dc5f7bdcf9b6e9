/**
 * What one upstream call is: the request the API-area modules hand the transport, who it acts
 * as, the operation it is made for, and what it reports when it ends. Apart from
 * `transport.ts` so the interceptors that wrap the transport can name these without importing it.
 */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';

/** Who a request acts as: the app (server token) or a player (their user access token). */
export type Credential = { kind: 'app' } | { kind: 'user'; token: string };
export const APP: Credential = { kind: 'app' };

/** A player's credential; an empty token is refused before anything is sent. */
export function userCredential(token: string): Credential {
  if (typeof token !== 'string' || token.trim() === '') throw new InvalidArgumentError('userToken', 'userToken must not be empty');
  return { kind: 'user', token };
}

export type ParamValue = string | number | boolean | undefined | null;

/** A file a request uploads (an achievement image). */
export interface UploadFile {
  bytes: Uint8Array;
  /** Its media type, e.g. `image/png`. */
  type: string;
  filename: string;
}

export interface HorizonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Concrete path, e.g. `/1234/achievements`. Path segments must already be validated ids. */
  path: string;
  /** The endpoint template used in errors, logs and metrics, e.g. `GET /{user_id}/achievements`. */
  endpoint: string;
  params?: Record<string, ParamValue>;
  /** Files uploaded with a POST (sent as `multipart/form-data` with `params`), by parameter name. */
  files?: Record<string, UploadFile>;
  credential?: Credential;
  signal?: CancelSignal;
  /**
   * Fields whose integer values may exceed 2^53 (e.g. `score`): read as decimal strings so
   * `JSON.parse` cannot round them. Graph sends such values as numbers or strings.
   */
  losslessIntegerFields?: readonly string[];
  /**
   * Whether sending the request twice has the same effect as once. Default: true for GET,
   * false otherwise; writes that are idempotent by nature (unlock, non-forced score) say so.
   */
  idempotent?: boolean;
  /** Set by the retry interceptor: 1 for the first attempt. */
  attempt?: number;
  /** Extra headers (the trace interceptor's `traceparent`); they can never replace the token or `accept`. */
  headers?: Record<string, string>;
  /** The operation this call is made for (set by `HorizonTransport.scoped`); it tallies its calls. */
  scope?: CallScope;
}

/**
 * One GraphQL operation's view of its upstream calls: its request id for log lines, and
 * the tally the operation's log line reports. Carried on each request rather than looked
 * up from an AsyncLocalStorage, whose promise hooks would tax every promise of the process.
 */
export interface CallScope {
  readonly requestId: string;
  upstreamCalls: number;
  upstreamErrors: number;
  /** Called once, as the operation's first upstream call starts (admission control); then cleared. */
  onFirstCall?: (() => void) | undefined;
}

/** What the API-area modules need of a transport: the app id and one way to make a call. */
export interface RequestSender {
  readonly appId: string;
  request<T = unknown>(req: HorizonRequest): Promise<T>;
  /**
   * What Graph refused and what was sent instead, shared by every view of one transport: field
   * selections (see `withDocumentedFields` in params.ts) and parameter spellings (e.g. the
   * viewer-centred `start_at`, src/horizon/leaderboards.ts).
   */
  readonly refusedFields: Set<string>;
}

/** What every finished upstream call reports to listeners (metrics, logs, tests). */
export interface UpstreamCallInfo {
  endpoint: string;
  method: string;
  status: number | undefined;
  durationMs: number;
  credential: Credential['kind'];
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  error?: Error;
  /** The operation the call was made for; undefined outside operations (probes, start-up). */
  scope: CallScope | undefined;
}

export type UpstreamListener = (info: UpstreamCallInfo) => void;
