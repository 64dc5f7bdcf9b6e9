/**
 * Property: whatever arrives over HTTP (random bytes, random JSON, truncated JSON, bodies over
 * the limit, wrong content types, batched arrays, odd methods and paths, GETs with random query
 * strings), the production subgraph answers a well-formed HTTP response: never a 5xx, never a
 * stack trace, never a secret; on the GraphQL paths a JSON GraphQL body whose errors carry
 * documented codes.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { NO_CALLER_AUTH } from '../../src/auth/jwt.js';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { documentedErrorCodes, responseProblems, secretsIn } from '../helpers/errorCodes.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const MAX_BODY_BYTES = 64 * 1024;
const documented = documentedErrorCodes();

const anyJson = fc.jsonValue({ maxDepth: 3 });
const PLAYER = demoUserId(0);
const VALID = [
  { query: `{ user(id: "${PLAYER}") { displayName achievements { unlocked } } }` },
  { query: `query($id: ID!) { user(id: $id) { displayName } }`, variables: { id: PLAYER } },
  { query: `query Top { leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { nodes { rank score } } } }`, operationName: 'Top' },
  { query: `mutation($u: ID!) { unlockAchievement(userId: $u, apiName: "FIRST_STEPS") { justUnlocked } }`, variables: { u: PLAYER } },
  { query: `{ viewer { id } }` },
  { query: `{ _service { sdl } }` },
];
const validRequest = fc.oneof(
  fc.constantFrom(...VALID),
  fc.record({
    query: fc.constantFrom(...VALID.map((v) => v.query)),
    variables: fc.option(anyJson, { nil: undefined }),
    operationName: fc.option(anyJson, { nil: undefined }),
  }),
  fc.record({ query: fc.oneof(fc.string({ maxLength: 80 }), anyJson), variables: anyJson, operationName: anyJson, extensions: anyJson }, { requiredKeys: [] }),
  fc.record({
    extensions: fc.record({
      persistedQuery: fc.record(
        { version: fc.oneof(fc.constant(1), anyJson), sha256Hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), anyJson) },
        { requiredKeys: [] },
      ),
    }),
  }),
);
const validText = validRequest.map((r) => JSON.stringify(r));

const body: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)), weight: 2 },
  { arbitrary: fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)), weight: 2 },
  { arbitrary: validText.map((t) => Buffer.from(t)), weight: 3 },
  { arbitrary: fc.tuple(validText, fc.nat()).map(([t, n]) => Buffer.from(t.slice(0, n % Math.max(1, t.length)))), weight: 2 },
  { arbitrary: fc.array(validRequest, { maxLength: 4 }).map((batch) => Buffer.from(JSON.stringify(batch))), weight: 1 },
  {
    arbitrary: fc
      .integer({ min: MAX_BODY_BYTES - 200, max: 3 * MAX_BODY_BYTES })
      .map((n) => Buffer.from(JSON.stringify({ query: `{ __typename ${' '.repeat(n)} }` }))),
    weight: 1,
  },
  { arbitrary: fc.string({ maxLength: 300 }).map((t) => Buffer.from(t)), weight: 1 },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/graphql-response+json',
  'application/graphql',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'json',
  '',
];
const ACCEPTS = ['application/json', 'application/graphql-response+json', 'text/html', '*/*', 'multipart/mixed; deferSpec=20220824', 'application/xml', ''];
const PATHS = ['/', '/graphql', '/graphql/', '/GRAPHQL', '//', '/x/../graphql', '/%zz', '/health', '/ready', '/metrics', '/graphiql', '/nope'];

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .record(
      {
        query: fc.oneof(fc.constantFrom(...VALID.map((v) => v.query)), fc.string({ maxLength: 60 })),
        variables: fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 40 }),
        ),
        operationName: fc.string({ maxLength: 10 }),
        extensions: fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 40 }),
        ),
      },
      { requiredKeys: [] },
    )
    .map((params) => `?${new URLSearchParams(params as Record<string, string>).toString()}`),
  fc.string({ maxLength: 80 }).map((s) => `?${encodeURI(s)}`),
);

const httpRequest = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  path: fc.constantFrom(...PATHS),
  search: queryString,
  contentType: fc.constantFrom(...CONTENT_TYPES),
  accept: fc.constantFrom(...ACCEPTS),
  preflight: fc.boolean(),
  userToken: fc.option(fc.oneof(fc.constant(demoUserToken(0)), fc.stringMatching(/^[A-Za-z0-9]{24,40}$/)), { nil: undefined }),
  requestId: fc.option(fc.stringMatching(/^[ -~]{0,40}$/), { nil: undefined }),
  body,
});

const STACK = /\n\s+at .+:\d+:\d+/;

let h: Harness;
let subgraph: RunningSubgraph;
beforeAll(async () => {
  h = await startHarness({ client: { retry: false, breaker: false } });
  subgraph = await startSubgraph(
    { config: { production: true, corsOrigins: [], maxBodyBytes: MAX_BODY_BYTES }, horizon: h.horizon, logger: silentLogger, auth: NO_CALLER_AUTH },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await subgraph.stop();
  await h.close();
});

test('every HTTP request gets a well-formed answer: no 5xx, no stack, no secret, JSON GraphQL errors with documented codes', async () => {
  const origin = subgraph.url.replace(/\/$/, '');
  const appSecrets = [h.emulator.appSecret, `OC|${h.emulator.appId}|${h.emulator.appSecret}`];
  await fc.assert(
    fc.asyncProperty(httpRequest, async (r) => {
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.accept) headers.accept = r.accept;
      if (r.preflight) headers['apollo-require-preflight'] = 'true';
      if (r.userToken) headers['x-horizon-user-token'] = r.userToken;
      if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
      const sendsBody = r.method !== 'GET' && r.method !== 'HEAD';
      const response = await request(`${origin}${r.path}${r.search}`, { method: r.method as 'POST', headers, ...(sendsBody ? { body: r.body } : {}) });
      const text = await response.body.text();
      const status = response.statusCode;
      const headerText = JSON.stringify(response.headers);
      const problems: string[] = [];
      if (status < 200 || status >= 500) problems.push(`status ${status}`);
      if (STACK.test(text)) problems.push('a stack trace');
      const leaked = secretsIn(text + headerText, r.userToken ? [...appSecrets, r.userToken] : appSecrets);
      if (leaked.length > 0) problems.push(`leaked ${leaked.join(', ')}`);
      const graphqlPath = ['/', '/graphql'].includes(new URL(`${origin}${r.path}`).pathname);
      const contentType = String(response.headers['content-type'] ?? '');
      if (graphqlPath && r.method !== 'HEAD' && r.method !== 'OPTIONS' && text !== '') {
        if (!/json/.test(contentType)) problems.push(`content-type ${contentType}`);
        else {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            problems.push('a body that is not JSON');
          }
          if (parsed !== undefined) problems.push(...responseProblems(parsed, documented));
          if (status !== 200 && !(parsed as { errors?: unknown })?.errors) problems.push(`status ${status} without errors`);
        }
      } else if (/json/.test(contentType) && text !== '') {
        JSON.parse(text);
      }
      if (problems.length > 0) {
        throw new Error(
          `${problems.join('; ')}\n${r.method} ${r.path}${r.search} ${JSON.stringify(headers)}\nbody: ${r.body.toString('utf8', 0, 300)}\n→ ${status} ${contentType}\n${text.slice(0, 800)}`,
        );
      }
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20260309) },
  );
}, 60_000);
