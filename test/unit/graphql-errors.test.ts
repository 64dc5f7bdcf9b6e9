/**
 * Graph's error codes (docs/horizon-api.md) to `extensions.code`: one stable mapping, whatever
 * the HTTP status Graph sent with them, and `error_data` kept small and redacted.
 */
import { boundedErrorData, HorizonApiError, type GraphErrorBody } from '../../src/horizon/errors.js';
import { formatError } from '../../src/graphql/errors.js';

function formatted(error: HorizonApiError, production = false) {
  return formatError({ message: error.message }, error, { production });
}

const apiError = (status: number, body: GraphErrorBody, credential: 'app' | 'user' = 'app', requestApiName?: string) =>
  new HorizonApiError('POST /leaderboard_submit_entry', status, body, credential, undefined, requestApiName);

describe('Graph error code → extensions.code', () => {
  test.each<[string, string, number, GraphErrorBody, 'app' | 'user']>([
    ['190 with the app token', 'UPSTREAM_AUTH_FAILED', 400, { code: 190, message: 'Error validating application', type: 'OAuthException' }, 'app'],
    ['190 with a user token', 'UNAUTHENTICATED', 400, { code: 190, message: 'Invalid OAuth 2.0 Access Token', type: 'OCApiException' }, 'user'],
    ['100', 'BAD_USER_INPUT', 400, { code: 100, message: '(#100) Param score must be a 64-bit integer' }, 'app'],
    ['100 "invalid user id"', 'NOT_FOUND', 400, { code: 100, message: 'Parameter user_id: invalid user id: 1' }, 'app'],
    ['100 + subcode 33', 'NOT_FOUND', 400, { code: 100, error_subcode: 33, message: 'Unsupported get request.', type: 'GraphMethodException' }, 'app'],
    ['12074', 'NOT_FOUND', 400, { code: 12074, message: "You're not yet ranked on this leaderboard." }, 'user'],
    ['12075', 'NOT_FOUND', 400, { code: 12075, message: 'The requested leaderboard has not been configured for this app', type: 'OCApiException' }, 'app'],
    ['2 (HTTP 500, transient)', 'UPSTREAM_UNAVAILABLE', 500, { code: 2, message: 'An unexpected error has occurred.', is_transient: true }, 'app'],
    [
      '2 without is_transient, HTTP 400',
      'UPSTREAM_UNAVAILABLE',
      400,
      { code: 2, message: 'An unexpected error has occurred. Please retry your request later.' },
      'app',
    ],
    ['4', 'UPSTREAM_RATE_LIMITED', 400, { code: 4, message: '(#4) Application request limit reached' }, 'app'],
    ['17', 'UPSTREAM_RATE_LIMITED', 400, { code: 17, message: '(#17) User request limit reached' }, 'app'],
    ['32', 'UPSTREAM_RATE_LIMITED', 400, { code: 32, message: '(#32) Page request limit reached' }, 'app'],
    ['613', 'UPSTREAM_RATE_LIMITED', 400, { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' }, 'app'],
    ['10', 'FORBIDDEN', 403, { code: 10, message: '(#10) This endpoint requires the app access token' }, 'user'],
    ['10 with HTTP 400', 'FORBIDDEN', 400, { code: 10, message: '(#10) Permission denied' }, 'app'],
    ['an unknown code', 'UPSTREAM_ERROR', 400, { code: 99999, message: 'Something new' }, 'app'],
  ])('%s → %s', (_, code, status, body, credential) => {
    const result = formatted(apiError(status, body, credential));
    expect(result.extensions).toMatchObject({ code, upstream: { status, code: body.code } });
  });

  test('12075 names the board from error_data.api_name, else from the request; the reason says what is missing', () => {
    const fromErrorData = formatted(
      apiError(400, { code: 12075, message: 'The requested leaderboard has not been configured for this app', error_data: { api_name: 'R_FarmVR_A_T3' } }),
    );
    expect(fromErrorData).toMatchObject({
      message: 'No leaderboard with api name R_FarmVR_A_T3 is configured for this app',
      extensions: { code: 'NOT_FOUND', reason: 'UNKNOWN_LEADERBOARD', leaderboard: 'R_FarmVR_A_T3', upstream: { code: 12075 } },
    });
    const fromRequest = formatted(apiError(400, { code: 12075, message: 'The requested leaderboard has not been configured for this app' }, 'app', 'DAILY'));
    expect(fromRequest).toMatchObject({
      message: 'No leaderboard with api name DAILY is configured for this app',
      extensions: { code: 'NOT_FOUND', reason: 'UNKNOWN_LEADERBOARD', leaderboard: 'DAILY' },
    });
    // Production says the same: the caller named the board.
    expect(formatted(apiError(400, { code: 12075, error_data: { api_name: 'X' } }), true).message).toBe(
      'No leaderboard with api name X is configured for this app',
    );
  });

  test('12074 says NOT_RANKED', () => {
    expect(formatted(apiError(400, { code: 12074, message: "You're not yet ranked on this leaderboard." }, 'user', 'HIGH_SCORES')).extensions).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'NOT_RANKED',
      leaderboard: 'HIGH_SCORES',
    });
  });
});

describe('error_data', () => {
  test('kept as flat scalars: redacted, at most 8 keys, strings cut to 200 characters, nested values dropped', () => {
    const userToken = `OCAe${'x'.repeat(40)}`;
    const data = boundedErrorData({
      api_name: 'R_FarmVR_A_T3',
      token: `leaked ${userToken}`,
      long: 'y'.repeat(1000),
      count: 3,
      ok: false,
      nested: { a: 1 },
      list: [1, 2],
      'bad key!': 'x',
      k5: 'a',
      k6: 'b',
      k7: 'c',
      k8: 'd',
      k9: 'e',
    });
    expect(data).toEqual({ api_name: 'R_FarmVR_A_T3', token: 'leaked OC[REDACTED]', long: 'y'.repeat(200), count: 3, ok: false, k5: 'a', k6: 'b', k7: 'c' });
  });

  test('a JSON object sent as a string is read; empty or anything else is undefined', () => {
    expect(boundedErrorData('{"api_name":"A"}')).toEqual({ api_name: 'A' });
    expect(boundedErrorData({})).toBeUndefined();
    expect(boundedErrorData('not json')).toBeUndefined();
    expect(boundedErrorData([1])).toBeUndefined();
    expect(boundedErrorData(null)).toBeUndefined();
  });

  test('HorizonApiError carries it, and its apiName prefers error_data over the request', () => {
    const error = apiError(400, { code: 12075, error_data: { api_name: 'FROM_GRAPH' } }, 'app', 'FROM_REQUEST');
    expect(error.errorData).toEqual({ api_name: 'FROM_GRAPH' });
    expect(error.apiName).toBe('FROM_GRAPH');
    expect(apiError(400, { code: 12075, error_data: {} }, 'app', 'FROM_REQUEST').apiName).toBe('FROM_REQUEST');
  });
});
