/**
 * What production (`NODE_ENV=production` → `production: true`) shows callers: no stack
 * traces, no "Did you mean" suggestions, no Graph text for unexpected upstream errors, no bug
 * text; every error with a documented code. The same operations in development show more,
 * which keeps these tests honest.
 */
import { HorizonApiError } from '../../src/horizon/errors.js';
import { UsersApi } from '../../src/horizon/users.js';
import { documentedErrorCodes, responseProblems } from '../helpers/errorCodes.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const PLAYER = '3559884437424131';
const documented = documentedErrorCodes();

let prod: Harness;
let dev: Harness;
beforeAll(async () => {
  [prod, dev] = await Promise.all([startHarness({ server: { production: true } }), startHarness({ server: { production: false } })]);
});
afterAll(async () => {
  await Promise.all([prod.close(), dev.close()]);
});

const SUGGESTING = [
  ['a misspelled field', `{ user(id: "${PLAYER}") { displayNam } }`, {}],
  ['a misspelled argument', `{ leaderboard(apiName: "HIGH_SCORES") { entries(frist: 10) { totalCount } } }`, {}],
  ['a misspelled type', `query($s: LeaderbordStartAt) { leaderboards { apiName } }`, {}],
  ['a misspelled enum literal', `{ leaderboard(apiName: "HIGH_SCORES") { entries(startAt: TOPP) { totalCount } } }`, {}],
  [
    'a misspelled enum variable',
    `query($s: LeaderboardStartAt!) { leaderboard(apiName: "HIGH_SCORES") { entries(startAt: $s) { totalCount } } }`,
    { s: 'TOPP' },
  ],
  [
    'a misspelled input field',
    `mutation($i: LeaderboardInput!) { upsertLeaderboard(input: $i) { created } }`,
    { i: { apiName: 'X', sortOrdr: 'HIGHER_IS_BETTER' } },
  ],
] as const;

test.each(SUGGESTING)('%s: development suggests, production does not', async (_name, query, variables) => {
  const [inDev, inProd] = await Promise.all([dev.execute(query, variables), prod.execute(query, variables)]);
  expect(JSON.stringify(inDev.errors)).toMatch(/Did you mean/);
  expect(inProd.errors!.length).toBeGreaterThan(0);
  for (const error of inProd.errors!) {
    expect(error.message).not.toMatch(/Did you mean|\?\s*$/);
    expect(error.message.length).toBeGreaterThan(10);
  }
  expect(responseProblems(inProd, documented)).toEqual([]);
});

test('introspection is off in production', async () => {
  const result = await prod.execute(`{ __schema { queryType { name } } }`);
  expect(result.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect((await dev.execute(`{ __schema { queryType { name } } }`)).errors).toBeUndefined();
});

describe('a bug in a resolver', () => {
  const query = `{ user(id: "${PLAYER}") { id displayName } }`;
  async function withBrokenProfiles(h: Harness) {
    // On the class: each operation gets its own (scoped) client view.
    const original = UsersApi.prototype.get;
    UsersApi.prototype.get = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'display_name') at /srv/app/src/horizon/users.ts:41");
    };
    try {
      return await h.execute(query);
    } finally {
      UsersApi.prototype.get = original;
    }
  }

  test('is INTERNAL_SERVER_ERROR with a generic message and no stack in production', async () => {
    const result = await withBrokenProfiles(prod);
    expect(result.errors![0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(result.errors![0].extensions.stacktrace).toBeUndefined();
    expect(JSON.stringify(result)).not.toMatch(/srv|users\.ts|display_name|TypeError/);
  });

  test('shows its text and stack in development', async () => {
    const result = await withBrokenProfiles(dev);
    expect(result.errors![0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(result.errors![0].message).toMatch(/display_name/);
    expect(result.errors![0].extensions.stacktrace.length).toBeGreaterThan(0);
  });
});

describe('an unexpected Horizon error', () => {
  const query = `{ user(id: "${PLAYER}") { displayName } }`;
  async function withUpstreamError(h: Harness) {
    const original = UsersApi.prototype.get;
    UsersApi.prototype.get = async () => {
      throw new HorizonApiError('GET /{user_id}', 400, {
        message: 'Unsupported get request. Object with ID shard-17.internal does not exist',
        code: 1,
        type: 'GraphMethodException',
        fbtrace_id: 'AbCdEf123',
      });
    };
    try {
      return await h.execute(query);
    } finally {
      UsersApi.prototype.get = original;
    }
  }

  test('keeps Graph’s text out of production responses, but not the details Meta support needs', async () => {
    const result = await withUpstreamError(prod);
    expect(result.errors![0]).toMatchObject({
      message: 'The Horizon API answered with an unexpected error',
      extensions: { code: 'UPSTREAM_ERROR', upstream: { endpoint: 'GET /{user_id}', status: 400, code: 1, fbtraceId: 'AbCdEf123' } },
    });
    expect(JSON.stringify(result)).not.toMatch(/shard-17/);
    expect(responseProblems(result, documented)).toEqual([]);
  });

  test('shows it in development', async () => {
    const result = await withUpstreamError(dev);
    expect(result.errors![0].message).toMatch(/shard-17/);
  });
});

test('errors caused by the caller keep their helpful text in production', async () => {
  const result = await prod.execute(`mutation { addAchievementBits(userId: "${PLAYER}", apiName: "VISIT_3_CONTINENTS", bits: "01") { justUnlocked } }`);
  expect(result.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  expect(result.errors![0].message).toMatch(/7 characters long/);
  const missing = await prod.execute(`{ user(id: "1") { displayName } leaderboard(apiName: "NOPE") { apiName } }`);
  expect(missing.errors).toBeUndefined();
  expect(missing.data).toEqual({ user: null, leaderboard: null });
});

test('no production error carries a stack trace, and every code is documented', async () => {
  const operations = [
    `{ user(id: "abc") { id } }`,
    `{ viewer { id } }`,
    `{ user(id: "${PLAYER}") { purchases(first: 1000) { nodes { sku } } } }`,
    `{ leaderboard(apiName: "HIGH_SCORES") { entries(after: "garbage") { totalCount } } }`,
    `{ user(id: `,
    `{ nope }`,
    `subscription { sku }`,
    `mutation { consumePurchase(userId: "${PLAYER}", sku: "gems_100", idempotencyKey: "bad key") { consumed } }`,
    `query A { __typename } query B { __typename }`,
  ];
  for (const query of operations) {
    const result = await prod.execute(query);
    expect({ query, problems: responseProblems(result, documented) }).toEqual({ query, problems: [] });
    expect(result.errors!.length).toBeGreaterThan(0);
  }
});
