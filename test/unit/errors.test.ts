/**
 * The upstream error classes as a table: for each kind of failure, whether a retry may help
 * (`retryable`), whether the request may have been carried out (`mayHaveApplied`, which decides
 * whether a write is ever sent again) and whether it was throttling. The retry interceptor and
 * the idempotency ledger act on nothing else, so each row is a promise about writes.
 */
import {
  abortedError,
  abortReasonError,
  CODE_INVALID_PARAMETER,
  CODE_INVALID_TOKEN,
  CODE_NOT_RANKED,
  HorizonApiError,
  HorizonError,
  HorizonNetworkError,
  HorizonProtocolError,
  HorizonTimeoutError,
  HorizonUnavailableError,
  SUBCODE_UNKNOWN_NODE,
  THROTTLING_CODES,
  type GraphErrorBody,
} from '../../src/horizon/errors.js';
import { registerSecret } from '../../src/lib/redact.js';

const E = 'POST /{user_id}/achievements';
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

interface Row {
  retryable: boolean;
  mayHaveApplied: boolean;
  throttled?: boolean;
}

function classOf(error: HorizonError): Row {
  const row: Row = { retryable: error.retryable, mayHaveApplied: error.mayHaveApplied };
  if ('throttled' in error) row.throttled = (error as HorizonApiError | HorizonProtocolError).throttled;
  return row;
}

const api = (status: number, body?: GraphErrorBody) => new HorizonApiError(E, status, body);

describe('Graph answered with an error (HorizonApiError)', () => {
  test.each<[string, HorizonApiError, Row]>([
    ['a 400 refusal', api(400, { message: 'bad', code: 100 }), { retryable: false, mayHaveApplied: false, throttled: false }],
    ['a 400 marked transient', api(400, { message: 'try again', code: 1, is_transient: true }), { retryable: true, mayHaveApplied: false, throttled: false }],
    [
      'a 400 with is_transient other than true',
      api(400, { message: 'x', code: 1, is_transient: 'true' }),
      { retryable: false, mayHaveApplied: false, throttled: false },
    ],
    ['a 499', api(499, { message: 'x', code: 1 }), { retryable: false, mayHaveApplied: false, throttled: false }],
    ['a 500 with a Graph body', api(500, { message: 'unexpected', code: 2 }), { retryable: true, mayHaveApplied: true, throttled: false }],
    ['a 503 without a body', api(503), { retryable: true, mayHaveApplied: true, throttled: false }],
    ['a 429 without a throttling code', api(429, { message: 'slow down', code: 1 }), { retryable: true, mayHaveApplied: false, throttled: true }],
    ['a 429 without a body', api(429), { retryable: true, mayHaveApplied: false, throttled: true }],
    ['a 500 with a throttling code', api(500, { message: 'limit', code: 613 }), { retryable: true, mayHaveApplied: false, throttled: true }],
    ['a 401 invalid token', api(401, { message: 'expired', code: CODE_INVALID_TOKEN }), { retryable: false, mayHaveApplied: false, throttled: false }],
    ['a 200 carrying an error envelope', api(200, { message: 'x', code: 100 }), { retryable: false, mayHaveApplied: false, throttled: false }],
  ])('%s', (_label, error, expected) => {
    expect(classOf(error)).toEqual(expected);
  });

  test.each([4, 17, 32, 613])("Graph's throttling code %i, as a number or a string, is throttling on a 400: retryable, never applied", (code) => {
    for (const sent of [code, String(code)]) {
      expect(classOf(api(400, { message: 'limit', code: sent }))).toEqual({ retryable: true, mayHaveApplied: false, throttled: true });
    }
  });

  test('no other code is throttling', () => {
    expect([...THROTTLING_CODES].sort((a, b) => a - b)).toEqual([4, 17, 32, 613]);
    for (const code of [1, 2, 3, 5, 16, 18, 31, 33, 100, 190, 612, 614, 12074]) expect(api(400, { message: 'x', code }).throttled).toBe(false);
  });

  test("reads Graph's envelope: integer code and subcode (numbers or digit strings), type, trace id, transience", () => {
    const error = new HorizonApiError(E, 400, {
      message: 'Unsupported get request.',
      type: 'GraphMethodException',
      code: '100',
      error_subcode: 33,
      fbtrace_id: 'AbC123',
      is_transient: false,
    });
    expect(error).toMatchObject({
      name: 'HorizonApiError',
      endpoint: E,
      status: 400,
      code: CODE_INVALID_PARAMETER,
      subcode: SUBCODE_UNKNOWN_NODE,
      type: 'GraphMethodException',
      fbtraceId: 'AbC123',
      isTransient: false,
      upstreamMessage: 'Unsupported get request.',
      credential: 'app',
      retryAfterMs: undefined,
    });
    expect(error.message).toBe(`Horizon API ${E} failed (HTTP 400): Unsupported get request.`);
    expect(error).toBeInstanceOf(HorizonError);
    expect(error).toBeInstanceOf(Error);
  });

  test('a numeric code is named in the message', () => {
    expect(api(400, { message: 'Invalid parameter', code: 100 }).message).toBe(`Horizon API ${E} failed (HTTP 400, code 100): Invalid parameter`);
  });

  test.each<[string, unknown]>([
    ['a fraction', 1.5],
    ['a negative digit string', '-4'],
    ['a string with letters', '100a'],
    ['an empty string', ''],
    ['a boolean', true],
    ['an object', { value: 4 }],
    ['a list holding a number', ['4']],
  ])('a code or subcode that is %s is not read as a number, and is not throttling', (_label, code) => {
    const error = api(400, { message: 'x', code, error_subcode: code });
    expect(error.code).toBeUndefined();
    expect(error.subcode).toBeUndefined();
    expect(error.throttled).toBe(false);
  });

  test('fields of the wrong type are left out; without a message the status stands in', () => {
    const error = api(502, { message: 42, type: 7, fbtrace_id: 9 });
    expect(error).toMatchObject({ type: undefined, fbtraceId: undefined, upstreamMessage: 'HTTP 502', isTransient: false });
    expect(error.message).toBe(`Horizon API ${E} failed (HTTP 502): HTTP 502`);
  });

  test('keeps the credential the request carried and the Retry-After it was sent', () => {
    const error = new HorizonApiError(E, 429, { message: 'slow', code: 4 }, 'user', 2_000);
    expect(error).toMatchObject({ credential: 'user', retryAfterMs: 2_000 });
  });

  test('a registered secret echoed by Graph is redacted from the upstream message and the message', () => {
    const secret = 'e1ee7c0ffee5ecre7';
    registerSecret(secret);
    const error = api(400, { message: `bad token ${secret}`, code: 190 });
    expect(error.upstreamMessage).toBe('bad token [REDACTED]');
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('bad token [REDACTED]');
  });

  test('the exported codes are the ones Graph documents', () => {
    expect({ CODE_INVALID_TOKEN, CODE_INVALID_PARAMETER, SUBCODE_UNKNOWN_NODE, CODE_NOT_RANKED }).toEqual({
      CODE_INVALID_TOKEN: 190,
      CODE_INVALID_PARAMETER: 100,
      SUBCODE_UNKNOWN_NODE: 33,
      CODE_NOT_RANKED: 12074,
    });
  });
});

describe('the reply could not be read (HorizonProtocolError)', () => {
  test.each<[string, number, Row]>([
    ['an empty 200', 200, { retryable: false, mayHaveApplied: true, throttled: false }],
    ["a proxy's 499 page", 499, { retryable: false, mayHaveApplied: true, throttled: false }],
    ["a proxy's 500 page", 500, { retryable: true, mayHaveApplied: true, throttled: false }],
    ["a proxy's 502 page", 502, { retryable: true, mayHaveApplied: true, throttled: false }],
    ["a gateway's 429 page", 429, { retryable: true, mayHaveApplied: false, throttled: true }],
  ])('%s', (_label, status, expected) => {
    expect(classOf(new HorizonProtocolError(E, status, 'html'))).toEqual(expected);
  });

  test('says what was unreadable, with the status, its cause and its Retry-After', () => {
    const cause = new Error('truncated');
    const error = new HorizonProtocolError(E, 503, 'body is not JSON (text/html, 10 bytes)', { cause, retryAfterMs: 1_500 });
    expect(error).toMatchObject({ name: 'HorizonProtocolError', endpoint: E, status: 503, retryAfterMs: 1_500, cause });
    expect(error.message).toBe(`Horizon API ${E} returned an unreadable response (HTTP 503): body is not JSON (text/html, 10 bytes)`);
    expect(new HorizonProtocolError(E, 200, 'empty body').retryAfterMs).toBeUndefined();
  });
});

describe('no reply at all (HorizonNetworkError)', () => {
  test.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s: the request never left, so it was not applied; retryable',
    (code) => {
      expect(classOf(new HorizonNetworkError(E, withCode('failed', code)))).toEqual({ retryable: true, mayHaveApplied: false });
    },
  );

  test.each(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_ABORTED', 'UND_ERR_HEADERS_TIMEOUT'])(
    '%s: the connection broke after sending, so it may have been applied; retryable',
    (code) => {
      expect(classOf(new HorizonNetworkError(E, withCode('failed', code)))).toEqual({ retryable: true, mayHaveApplied: true });
    },
  );

  test('without a code, it may have been applied', () => {
    expect(classOf(new HorizonNetworkError(E, new Error('socket hang up')))).toEqual({ retryable: true, mayHaveApplied: true });
    expect(classOf(new HorizonNetworkError(E, 'a string'))).toEqual({ retryable: true, mayHaveApplied: true });
    expect(classOf(new HorizonNetworkError(E, undefined))).toEqual({ retryable: true, mayHaveApplied: true });
  });

  test("keeps undici's code, the cause and its message; a non-string code is dropped", () => {
    const cause = withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED');
    const error = new HorizonNetworkError(E, cause);
    expect(error).toMatchObject({ name: 'HorizonNetworkError', endpoint: E, errorCode: 'ECONNREFUSED', cause });
    expect(error.message).toBe(`Horizon API ${E} could not be reached: connect ECONNREFUSED 127.0.0.1:1`);
    expect(new HorizonNetworkError(E, 'gone').message).toBe(`Horizon API ${E} could not be reached: gone`);
    expect(new HorizonNetworkError(E, Object.assign(new Error('x'), { code: 111 })).errorCode).toBeUndefined();
  });
});

describe('deadlines (HorizonTimeoutError)', () => {
  test('retryable, and may have been applied: the request may still be running upstream', () => {
    expect(classOf(new HorizonTimeoutError(E, 250))).toEqual({ retryable: true, mayHaveApplied: true });
  });

  test("names the call's own deadline", () => {
    const error = new HorizonTimeoutError(E, 250);
    expect(error).toMatchObject({ name: 'HorizonTimeoutError', endpoint: E, timeoutMs: 250 });
    expect(error.message).toBe(`Horizon API ${E} did not answer within 250 ms`);
  });
});

describe('not sent (HorizonUnavailableError)', () => {
  test.each(['circuit_open', 'overloaded'] as const)('%s: not retried here, and never applied', (reason) => {
    const error = new HorizonUnavailableError(E, reason, 'breaker open for 5000 ms');
    expect(classOf(error)).toEqual({ retryable: false, mayHaveApplied: false });
    expect(error).toMatchObject({ name: 'HorizonUnavailableError', endpoint: E, reason });
    expect(error.message).toBe(`Horizon API ${E} not called: breaker open for 5000 ms`);
  });
});

describe('an aborted call', () => {
  test("the operation's deadline (a TimeoutError reason) is a timeout of the operation, which may have been applied", () => {
    const reason = new DOMException('The operation timed out', 'TimeoutError');
    for (const error of [abortReasonError(E, reason), abortedError(E, AbortSignal.abort(reason))]) {
      expect(error).toBeInstanceOf(HorizonTimeoutError);
      expect(error).toMatchObject({ timeoutMs: undefined, message: `Horizon API ${E} had not answered when the operation's deadline passed` });
      expect(classOf(error)).toEqual({ retryable: true, mayHaveApplied: true });
    }
  });

  test('a caller gone (any other reason) is a network error carrying that reason', () => {
    const reason = new DOMException('This operation was aborted', 'AbortError');
    const error = abortedError(E, AbortSignal.abort(reason));
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error).not.toBeInstanceOf(HorizonTimeoutError);
    expect(error.cause).toBe(reason);
    expect(abortReasonError(E, { name: 'AbortError' })).toBeInstanceOf(HorizonNetworkError);
    expect(abortReasonError(E, undefined)).toBeInstanceOf(HorizonNetworkError);
  });

  test('a signal aborted without a reason is reported as aborted', () => {
    const error = abortedError(E, { aborted: true, reason: undefined, addEventListener: () => undefined, removeEventListener: () => undefined });
    expect(error).toBeInstanceOf(HorizonNetworkError);
    expect(error.message).toBe(`Horizon API ${E} could not be reached: aborted`);
  });
});
