/**
 * Logs: one JSON line per operation (request id, operation name and type, duration,
 * upstream calls and errors), one per upstream failure, and secrets removed by the
 * logger's own redaction, whatever the call site logged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningApp } from '../../src/app.js';
import { HorizonApiError } from '../../src/horizon/errors.js';
import { captureLogs, post, PLAYER, startDemoApp } from './helpers.js';

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

test('one line per operation with request id, operation name and type, duration, upstream calls and errors', async () => {
  const logs = captureLogs();
  app = await startDemoApp({}, logs.logger);
  const ok = await post(app.subgraph.url, `query Player { user(id: "${PLAYER}") { displayName achievements { unlocked } } }`, { 'x-request-id': 'req-ops-1' });
  expect(ok.status).toBe(200);
  expect(ok.headers['x-request-id']).toBe('req-ops-1');
  const badToken = 'FRLnotavalidtokenatallxxxxxxxxxxxx';
  const failing = await post(app.subgraph.url, `query Me { viewer { id } }`, { 'x-request-id': 'req-ops-2', 'x-horizon-user-token': badToken });
  expect(failing.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

  const operations = logs.lines.filter((l) => l.msg === 'operation');
  expect(operations).toHaveLength(2);
  const [first, second] = operations;
  expect(first).toMatchObject({
    level: 30,
    service: 'horizon-subgraph',
    requestId: 'req-ops-1',
    operationName: 'Player',
    operationType: 'query',
    upstreamErrors: 0,
    errors: [],
  });
  expect(first!.upstreamCalls).toBeGreaterThanOrEqual(2); // profile + progress
  expect(typeof first!.durationMs).toBe('number');
  expect(first!.durationMs).toBeGreaterThan(0);
  expect(typeof first!.time).toBe('string');
  expect(second).toMatchObject({ requestId: 'req-ops-2', operationName: 'Me', operationType: 'query', upstreamCalls: 1, upstreamErrors: 1 });
  expect(second!.errors).toEqual([{ message: expect.any(String), code: 'UNAUTHENTICATED', path: ['viewer'] }]);

  // The upstream failure has its own line, tied to the operation by its request id.
  const failures = logs.lines.filter((l) => l.msg === 'upstream call failed');
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatchObject({
    level: 40,
    requestId: 'req-ops-2',
    endpoint: 'GET /me',
    status: 400,
    attempt: 1,
    err: { type: 'HorizonApiError', code: 190 },
  });
  expect(logs.raw.join('')).not.toContain(badToken);
});

test('a value sent under the wrong type is named, never repeated, in the response and the log line', async () => {
  const logs = captureLogs();
  app = await startDemoApp({}, logs.logger);
  // A backend that sends the code in a list by mistake: graphql-js would echo the value.
  const secret = 'sso-code-9f2c1d7e4b' + 'x'.repeat(20);
  const response = await post(
    app.subgraph.url,
    'mutation Link($code: String!) { linkAccount(code: $code, orgScopedId: "1") { accessToken } }',
    {},
    { code: [secret] },
  );
  expect(response.body.errors.map((e: any) => [e.message, e.extensions.code])).toEqual([
    ['Variable "$code" got invalid value; String cannot represent a non string value', 'BAD_USER_INPUT'],
  ]);
  const line = logs.lines.find((l) => l.msg === 'operation');
  expect(line!.errors).toEqual([
    { message: 'Variable "$code" got invalid value; String cannot represent a non string value', code: 'BAD_USER_INPUT', path: null },
  ]);
  expect(JSON.stringify(response.body) + logs.raw.join('')).not.toContain(secret);
});

test('an operation that does not parse still gets its line', async () => {
  const logs = captureLogs();
  app = await startDemoApp({}, logs.logger);
  await post(app.subgraph.url, '{ user(id: ', { 'x-request-id': 'req-bad' });
  const line = logs.lines.find((l) => l.msg === 'operation');
  expect(line).toMatchObject({ requestId: 'req-bad', operationName: null, operationType: null, upstreamCalls: 0 });
  expect(line!.errors[0].code).toBe('GRAPHQL_PARSE_FAILED');
});

test('LOG_LEVEL decides what is written', async () => {
  const logs = captureLogs('warn');
  app = await startDemoApp({ LOG_LEVEL: 'warn' }, logs.logger);
  await post(app.subgraph.url, `{ user(id: "${PLAYER}") { displayName } }`);
  await post(app.subgraph.url, `{ viewer { id } }`, { 'x-horizon-user-token': 'FRLnotavalidtokenatallxxxxxxxxxxxx' });
  expect(logs.lines.some((l) => l.msg === 'operation')).toBe(false);
  expect(logs.lines.some((l) => l.msg === 'upstream call failed')).toBe(true);
});

describe("the logger's own redaction", () => {
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnYW1lIn0.c2lnbmF0dXJl';
  const USER_TOKEN = 'FRLDEMO3559884437424131EMULATORUSERTOKEN';
  const ROUTER_SECRET = 'router-shared-secret-value-42';
  const APP_SECRET = 'app-secret-never-printed-99';

  function written(log: (logger: ReturnType<typeof captureLogs>['logger']) => void): string {
    const logs = captureLogs('trace');
    log(logs.logger);
    return logs.raw.join('');
  }

  test('request headers carrying credentials', () => {
    const headers = {
      authorization: `Bearer ${JWT}`,
      'x-horizon-user-token': USER_TOKEN,
      'x-router-secret': ROUTER_SECRET,
      cookie: `session=${JWT}`,
      'content-type': 'application/json',
    };
    const out = written((logger) => {
      logger.info({ req: { method: 'POST', headers } }, 'incoming');
      logger.info({ headers }, 'bare headers');
      logger.info({ request: { headers } }, 'request');
    });
    for (const secret of [JWT, USER_TOKEN, ROUTER_SECRET]) expect(out).not.toContain(secret);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].req.headers).toEqual({
      authorization: '[REDACTED]',
      'x-horizon-user-token': '[REDACTED]',
      'x-router-secret': '[REDACTED]',
      cookie: '[REDACTED]',
      'content-type': 'application/json',
    });
    expect(lines[1].headers['content-type']).toBe('application/json');
  });

  test('tokens and secrets at the top level, one level down, and in error objects', () => {
    const error = Object.assign(new Error('upstream refused the call'), {
      token: USER_TOKEN,
      headers: { authorization: `Bearer ${JWT}` },
      request: { headers: { 'x-router-secret': ROUTER_SECRET } },
      cause: Object.assign(new Error('inner'), { accessToken: USER_TOKEN }),
    });
    const out = written((logger) => {
      logger.warn({ token: USER_TOKEN, userToken: USER_TOKEN }, 'top level');
      logger.warn({ credential: { kind: 'user', token: USER_TOKEN }, config: { horizon: { appSecret: APP_SECRET } } }, 'nested');
      logger.error({ err: error }, 'failed');
    });
    for (const secret of [JWT, USER_TOKEN, ROUTER_SECRET, APP_SECRET]) expect(out).not.toContain(secret);
    const failed = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'failed');
    expect(failed.err).toMatchObject({
      message: expect.stringContaining('upstream refused the call'),
      token: '[REDACTED]',
      headers: { authorization: '[REDACTED]' },
    });
  });

  test('a Horizon error logged by the app keeps its useful fields', () => {
    const error = new HorizonApiError('GET /{user_id}', 400, { message: 'Unsupported get request', code: 100, error_subcode: 33, fbtrace_id: 'AbC' });
    const out = written((logger) => logger.warn({ endpoint: error.endpoint, err: error }, 'upstream call failed'));
    expect(JSON.parse(out).err).toMatchObject({ type: 'HorizonApiError', status: 400, code: 100, subcode: 33, fbtraceId: 'AbC' });
  });
});

test("docs/operating.md's sample operation line has the fields a real one has, no more and no fewer", async () => {
  const operating = readFileSync(join(__dirname, '..', '..', 'docs', 'operating.md'), 'utf8');
  const sample = /```json\n(\{"level":30.*"msg":"operation"\})\n```/.exec(operating);
  expect(sample).not.toBeNull();
  const logs = captureLogs();
  app = await startDemoApp({}, logs.logger);
  await post(app.subgraph.url, `query Player { user(id: "${PLAYER}") { displayName } }`, {
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });
  const real = logs.lines.find((l) => l.msg === 'operation')!;
  expect(Object.keys(JSON.parse(sample![1]!)).sort()).toEqual(
    Object.keys(real)
      .filter((k) => k !== 'pid' && k !== 'hostname')
      .sort(),
  );
});
