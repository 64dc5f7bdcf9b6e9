/**
 * The one mapping from failures to GraphQL errors with a stable `extensions.code`.
 * Resolvers throw what they have (client errors, validation errors); Apollo's
 * `formatError` hook calls `formatError` below, so every error leaves through here.
 */
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import {
  CODE_INVALID_PARAMETER,
  CODE_INVALID_TOKEN,
  CODE_NOT_RANKED,
  CODE_PERMISSION,
  CODE_TRANSIENT,
  CODE_UNKNOWN_LEADERBOARD,
  HorizonApiError,
  HorizonNetworkError,
  HorizonProtocolError,
  HorizonTimeoutError,
  HorizonUnavailableError,
  SUBCODE_BAN_OTHER_APP,
  SUBCODE_BAN_TIME_INVALID,
  SUBCODE_DEVICE_OTHER_APP,
  SUBCODE_UNKNOWN_BAN,
  SUBCODE_UNKNOWN_DEVICE,
  SUBCODE_UNKNOWN_NODE,
} from '../horizon/errors.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { IdempotencyError } from '../idempotency/errors.js';
import { withoutVariableValue } from './variableErrors.js';
import { redactSecrets } from '../lib/redact.js';
import { QUERY_TOO_COMPLEX, queryLimitErrorOf, QueryTooComplexError, tokenLimitOf } from './queryLimitError.js';

/** Every code this subgraph puts in `extensions.code`. Documented in the README. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  UPSTREAM_AUTH_FAILED: 'UPSTREAM_AUTH_FAILED',
  UPSTREAM_RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  WRITE_OUTCOME_UNKNOWN: 'WRITE_OUTCOME_UNKNOWN',
  IDEMPOTENCY_LEDGER_UNAVAILABLE: 'IDEMPOTENCY_LEDGER_UNAVAILABLE',
  /** The webhook event store (Redis) could not be read (src/graphql/webhooks). */
  EVENT_STORE_UNAVAILABLE: 'EVENT_STORE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** Refused before running: over the depth, alias, cost or size limit (src/graphql/limits.ts). */
  QUERY_TOO_COMPLEX,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure a resolver reports on purpose, with its code. */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Ours, and Apollo Server's own for errors raised before resolvers run (parse, validation, ...). */
const KNOWN_CODES = new Set<string>([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)]);

export function formatError(formatted: GraphQLFormattedError, error: unknown, options: { production: boolean }): GraphQLFormattedError {
  const refused = queryLimitOf(formatted, error);
  if (refused)
    return {
      message: refused.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...refused.details },
    };
  if (options.production) formatted = withoutSuggestions(formatted);
  const original = unwrapResolverError(error);
  const mapped = fromCause(original, options.production);
  if (mapped) {
    return {
      ...formatted,
      message: mapped.message,
      extensions: { ...withoutStack(formatted.extensions, options.production), ...mapped.extensions },
    };
  }
  const code = formatted.extensions?.code;
  // Apollo itself labels a resolver's unexpected throw INTERNAL_SERVER_ERROR: that is a bug too.
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && KNOWN_CODES.has(code)) {
    const redacted = redactSecrets(formatted.message);
    const message = withoutVariableValue(redacted);
    // A refused variable's stack trace names its value again, and tells the caller nothing.
    return { ...formatted, message, extensions: withoutStack(formatted.extensions, options.production || message !== redacted) };
  }
  // Apollo's own refusals of a request that carry no code (an unsupported persisted query
  // version, a hash that does not match) come with a 4xx status: the request's fault.
  if (isRefusedRequest(error)) {
    return {
      ...formatted,
      message: redactSecrets(formatted.message),
      extensions: { ...withoutStack(formatted.extensions, options.production), code: 'BAD_REQUEST' },
    };
  }
  // Anything else is a bug: say so without leaking its text in production.
  return {
    ...formatted,
    message: options.production ? 'Internal server error' : redactSecrets(formatted.message),
    extensions: { ...withoutStack(formatted.extensions, options.production), code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

function isRefusedRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path) return false;
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** A limit's refusal, whether raised by a validation rule, the cost plugin or the parser's token limit. */
function queryLimitOf(formatted: GraphQLFormattedError, error: unknown): QueryTooComplexError | undefined {
  const refused = queryLimitErrorOf(error);
  if (refused) return refused;
  const tokens = formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitOf(formatted.message) : undefined;
  return tokens !== undefined ? new QueryTooComplexError('tokens', tokens, undefined) : undefined;
}

/**
 * "Did you mean ...?" hints name fields, arguments, types and enum values the caller did not
 * ask for: production hides them (validation and variable coercion both write them).
 */
function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(/ ?Did you mean [\s\S]*?\?(?=$|\s)/g, '').trim();
  return message === formatted.message ? formatted : { ...formatted, message };
}

function withoutStack(extensions: GraphQLFormattedError['extensions'], production: boolean): Record<string, unknown> {
  if (!extensions) return {};
  if (!production) return { ...extensions, ...('stacktrace' in extensions ? { stacktrace: (extensions.stacktrace as string[]).map(redactSecrets) } : {}) };
  const { stacktrace: _stack, ...rest } = extensions;
  return rest;
}

interface Mapped {
  message: string;
  extensions: Record<string, unknown>;
}

function fromCause(cause: unknown, production: boolean): Mapped | undefined {
  if (cause instanceof IdempotencyError) {
    return { message: cause.message, extensions: { code: ErrorCode[cause.code] } };
  }
  if (cause instanceof InvalidArgumentError) {
    return { message: cause.message, extensions: { code: ErrorCode.BAD_USER_INPUT, argument: cause.argument } };
  }
  if (cause instanceof HorizonApiError) {
    const upstream = {
      endpoint: cause.endpoint,
      status: cause.status,
      ...(cause.code !== undefined ? { code: cause.code } : {}),
      ...(cause.subcode !== undefined ? { subcode: cause.subcode } : {}),
      ...(cause.fbtraceId ? { fbtraceId: cause.fbtraceId } : {}),
    };
    const code = apiErrorCode(cause);
    return { message: apiErrorMessage(cause, code, production), extensions: { code, ...apiErrorDetails(cause, code), upstream } };
  }
  if (cause instanceof HorizonTimeoutError) {
    return {
      message:
        cause.timeoutMs === undefined
          ? "The Horizon API had not answered when the operation's deadline passed"
          : `The Horizon API did not answer within ${cause.timeoutMs} ms`,
      extensions: {
        code: ErrorCode.UPSTREAM_TIMEOUT,
        upstream: {
          endpoint: cause.endpoint,
          mayHaveApplied: cause.mayHaveApplied,
          ...(cause.timeoutMs === undefined ? { reason: 'operation_deadline' } : {}),
        },
      },
    };
  }
  if (cause instanceof HorizonUnavailableError) {
    const message =
      cause.reason === 'circuit_open'
        ? 'The Horizon API is failing; calls are paused briefly (circuit open), retry later'
        : 'Too many Horizon API calls are waiting; retry later';
    return { message, extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream: { endpoint: cause.endpoint, reason: cause.reason } } };
  }
  if (cause instanceof HorizonNetworkError) {
    return {
      message: 'The Horizon API could not be reached',
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream: { endpoint: cause.endpoint, error: cause.errorCode } },
    };
  }
  if (cause instanceof HorizonProtocolError) {
    return {
      message: cause.throttled
        ? 'The Horizon API is throttling this app (HTTP 429); retry later'
        : 'The Horizon API returned a response that could not be read',
      extensions: {
        code: cause.throttled ? ErrorCode.UPSTREAM_RATE_LIMITED : cause.status >= 500 ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.UPSTREAM_ERROR,
        upstream: { endpoint: cause.endpoint, status: cause.status },
      },
    };
  }
  return undefined;
}

/**
 * Graph's error codes (docs/horizon-api.md) to ours, whatever the HTTP status Graph sent with them:
 * 190 → UNAUTHENTICATED (user token) or UPSTREAM_AUTH_FAILED (app token); 4, 17, 32, 613 (or
 * HTTP 429) → UPSTREAM_RATE_LIMITED; 2, `is_transient` or 5xx → UPSTREAM_UNAVAILABLE; 12074
 * (not ranked) and 12075 (no such leaderboard) → NOT_FOUND; 100 with subcode 33 (no such node)
 * or "invalid user id" → NOT_FOUND, other 100s → BAD_USER_INPUT; 10 (or HTTP 403) → FORBIDDEN;
 * HTTP 404 → NOT_FOUND; the device-ban subcodes (no such device or ban → NOT_FOUND, another
 * app's → FORBIDDEN, ban time out of bounds → BAD_USER_INPUT); anything else → UPSTREAM_ERROR.
 */
export function apiErrorCode(error: HorizonApiError): ErrorCode {
  if (error.code === CODE_INVALID_TOKEN) return error.credential === 'user' ? ErrorCode.UNAUTHENTICATED : ErrorCode.UPSTREAM_AUTH_FAILED;
  if (error.throttled) return ErrorCode.UPSTREAM_RATE_LIMITED;
  if (error.status >= 500 || error.isTransient || error.code === CODE_TRANSIENT) return ErrorCode.UPSTREAM_UNAVAILABLE;
  const banCode = error.subcode === undefined ? undefined : BAN_SUBCODES[error.subcode];
  if (banCode) return banCode;
  if (error.code === CODE_NOT_RANKED || error.code === CODE_UNKNOWN_LEADERBOARD) return ErrorCode.NOT_FOUND;
  if (error.code === CODE_INVALID_PARAMETER) {
    if (error.subcode === SUBCODE_UNKNOWN_NODE || /invalid user id/i.test(error.upstreamMessage)) return ErrorCode.NOT_FOUND;
    return ErrorCode.BAD_USER_INPUT;
  }
  if (error.code === CODE_PERMISSION || error.status === 403) return ErrorCode.FORBIDDEN;
  if (error.status === 404) return ErrorCode.NOT_FOUND;
  return ErrorCode.UPSTREAM_ERROR;
}

/** Device-ban refusals by subcode (ps-attestation-api), whatever their code (1 or -1). */
const BAN_SUBCODES: Record<number, ErrorCode> = {
  [SUBCODE_UNKNOWN_DEVICE]: ErrorCode.NOT_FOUND,
  [SUBCODE_UNKNOWN_BAN]: ErrorCode.NOT_FOUND,
  [SUBCODE_DEVICE_OTHER_APP]: ErrorCode.FORBIDDEN,
  [SUBCODE_BAN_OTHER_APP]: ErrorCode.FORBIDDEN,
  [SUBCODE_BAN_TIME_INVALID]: ErrorCode.BAD_USER_INPUT,
};

/** How a missing leaderboard is reported, whether the board list or Horizon's 12075 said so. */
export function unknownLeaderboardMessage(apiName: string | undefined): string {
  return apiName ? `No leaderboard with api name ${apiName} is configured for this app` : 'The leaderboard is not configured for this app';
}

const SSO_REFUSALS: Record<string, { reason: string; argument: string }> = {
  'POST /sso_authorize_code': { reason: 'SSO_CODE_REJECTED', argument: 'code' },
  'POST /sso_authorize_refresh_code': { reason: 'SSO_REFRESH_REJECTED', argument: 'refreshCode' },
};

/** What `extensions` says besides the code: which token was refused, which board is missing. */
function apiErrorDetails(error: HorizonApiError, code: ErrorCode): Record<string, unknown> {
  // UNAUTHENTICATED here is the player's Horizon user token, not the caller's JWT (src/auth): say which.
  if (code === ErrorCode.UNAUTHENTICATED) return { reason: 'USER_TOKEN_REJECTED' };
  // A used, expired or unknown SSO code (or refresh code): the caller's input, named as such.
  if (code === ErrorCode.BAD_USER_INPUT && error.endpoint in SSO_REFUSALS) return SSO_REFUSALS[error.endpoint]!;
  if (code !== ErrorCode.NOT_FOUND) return {};
  if (error.code === CODE_UNKNOWN_LEADERBOARD) return { reason: 'UNKNOWN_LEADERBOARD', ...(error.apiName ? { leaderboard: error.apiName } : {}) };
  if (error.code === CODE_NOT_RANKED) return { reason: 'NOT_RANKED', ...(error.apiName ? { leaderboard: error.apiName } : {}) };
  if (error.subcode === SUBCODE_UNKNOWN_DEVICE) return { reason: 'UNKNOWN_DEVICE' };
  if (error.subcode === SUBCODE_UNKNOWN_BAN) return { reason: 'UNKNOWN_BAN' };
  return {};
}

function apiErrorMessage(error: HorizonApiError, code: ErrorCode, production: boolean): string {
  if (error.code === CODE_UNKNOWN_LEADERBOARD && code === ErrorCode.NOT_FOUND) {
    // Graph's message is generic; its error_data (or our request) names the board.
    return unknownLeaderboardMessage(error.apiName);
  }
  const ours = API_ERROR_MESSAGES[code];
  if (ours) return ours;
  // Graph's own text about a failure that is not the caller's: kept for development only.
  // extensions.upstream (code, subcode, fbtraceId) still identifies it for Meta support.
  if (code === ErrorCode.UPSTREAM_ERROR && production) return 'The Horizon API answered with an unexpected error';
  return `Horizon API: ${error.upstreamMessage}`;
}

/** Our own message for these codes, in place of Graph's text (which the others keep, UPSTREAM_ERROR outside production). */
const API_ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  UPSTREAM_AUTH_FAILED: "The Horizon API rejected this subgraph's app credentials (check HORIZON_APP_ID and HORIZON_APP_SECRET)",
  UNAUTHENTICATED: 'The Horizon API rejected the user access token (invalid or expired)',
  UPSTREAM_RATE_LIMITED: 'The Horizon API is throttling this app; retry later',
  UPSTREAM_UNAVAILABLE: 'The Horizon API is unavailable; retry later',
};
