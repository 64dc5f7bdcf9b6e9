/**
 * Property: whatever values a caller puts in an operation's variables (well-formed, nearly
 * well-formed, or any JSON at all), the answer is a well-formed GraphQL response: data and/or
 * errors, each error with a message and a code from docs/errors.md's table; never a bug
 * (INTERNAL_SERVER_ERROR), never a stack trace, never a secret. Runs in production mode, with
 * and without a player token, against the emulator.
 */
import fc from 'fast-check';
import { DEMO_REFRESH_CODE, DEMO_SSO_CODES, demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { createContext } from '../../src/graphql/context.js';
import { DEFAULTS } from '../../src/config.js';
import { createSharedCaches } from '../../src/graphql/sharedCache.js';
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';
import { documentedErrorCodes, responseProblems, secretsIn } from '../helpers/errorCodes.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';
import { png } from '../helpers/images.js';

const documented = documentedErrorCodes();

// --- Values ------------------------------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });
/** Mostly the right kind of value, sometimes a near miss, sometimes anything. */
const mix = <T>(typed: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: typed, weight: 4 }, { arbitrary: anyJson, weight: 1 }, { arbitrary: fc.constant(null), weight: 1 });

const knownIds = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => demoUserId(i)));
const id = mix(fc.oneof(knownIds, knownIds, fc.bigInt({ min: 0n, max: 2n ** 65n }).map(String), fc.string({ maxLength: 30 }), fc.integer()));
const apiName = mix(
  fc.oneof(
    fc.constantFrom('FIRST_STEPS', 'COLLECT_100_GEMS', 'VISIT_3_CONTINENTS', 'FIND_ALL_RELICS', 'SPEED_DEMON', 'HIGH_SCORES', 'FASTEST_LAP'),
    fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
    fc.string({ maxLength: 140 }),
  ),
);
const apiNames = mix(fc.array(apiName, { maxLength: 120 }));
const sku = mix(
  fc.oneof(
    fc.constantFrom('gems_100', 'dlc_frozen_peaks', 'vip_pass', 'vip_pass:SUBSCRIPTION__MONTHLY'),
    fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/),
    fc.string({ maxLength: 140 }),
  ),
);
const count = mix(fc.oneof(fc.integer({ min: -3, max: 200 }), fc.integer(), fc.double(), fc.constant(2 ** 31)));
/** Achievement counts and targets are Longs: small numbers, 64-bit strings and beyond, and junk. */
const longCount = mix(fc.oneof(count, fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String), fc.string({ maxLength: 25 })));
const bits = mix(fc.oneof(fc.stringMatching(/^[01]{0,9}$/), fc.string({ maxLength: 12 }), fc.constant('1'.repeat(1025))));
const score = mix(fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String), fc.integer(), fc.double(), fc.string({ maxLength: 25 })));
const first = mix(fc.oneof(fc.integer({ min: -2, max: 120 }), fc.integer()));
const cursor = mix(
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.jsonValue({ maxDepth: 2 }).map((v) => `lbe:${Buffer.from(JSON.stringify(v)).toString('base64url')}`),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: -1, max: 300 })).map(([a, s]) => Buffer.from(JSON.stringify([a, s])).toString('base64url')),
    fc
      .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: -1, max: 120 }))
      .map(([a, s]) => `lbe:${Buffer.from(JSON.stringify({ a, s })).toString('base64url')}`),
  ),
);
const key = mix(fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/), fc.string({ maxLength: 140 })));
const base64 = mix(
  fc.oneof(
    fc.uint8Array({ maxLength: 2100 }).map((b) => Buffer.from(b).toString('base64')),
    fc.string({ maxLength: 40 }),
  ),
);
const days = mix(fc.integer({ min: -5, max: 400 }));
const nonce = mix(fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), fc.string({ maxLength: 600 })));
/** SSO codes: the demo's own (single-use), near misses, and any text. */
const ssoCode = mix(fc.oneof(fc.constantFrom(...DEMO_SSO_CODES, 'never-issued'), fc.stringMatching(/^[\x21-\x7e]{1,30}$/), fc.string({ maxLength: 5000 })));
const persistentId = mix(
  fc.oneof(
    fc.constantFrom('steam:76561198000000001', 'psn:demo-player-2', 'epic:demo-player-3'),
    fc.stringMatching(/^[a-z:0-9-]{1,20}$/),
    fc.string({ maxLength: 300 }),
  ),
);
/** Display names around the 3-30 character bounds, in any script, and beyond. */
const displayName = mix(
  fc.oneof(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 40 }), fc.string({ maxLength: 35 }), fc.stringMatching(/^[A-Za-z ]{1,35}$/)),
);
/** Achievement images: a valid PNG, other bytes as base64, junk text, and text past the size cap. */
const image = mix(
  fc.oneof(
    fc.constant(png().toString('base64')),
    fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b).toString('base64')),
    fc.string({ maxLength: 100 }),
    fc.integer({ min: 349_000, max: 400_000 }).map((n) => 'A'.repeat(n)),
  ),
);
/** Attestation tokens: base64url-looking two- and three-part strings (never genuine), near misses, anything. */
const attestationToken = mix(
  fc.oneof(
    fc
      .tuple(fc.uint8Array({ minLength: 8, maxLength: 300 }), fc.uint8Array({ minLength: 8, maxLength: 40 }))
      .map(([a, b]) => `${Buffer.from(a).toString('base64url')}.${Buffer.from(b).toString('base64url')}`),
    fc.stringMatching(/^[A-Za-z0-9_.=-]{0,40}$/),
    fc.string({ maxLength: 300 }),
    fc.constant('A'.repeat(17_000)),
  ),
);
/** Device and ban ids: 64-hex ids the emulator has no record of, near misses, anything. */
const banTargetId = mix(fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[A-Za-z0-9_=-]{1,30}$/), fc.string({ maxLength: 300 })));
const enumOf = (...values: string[]) => mix(fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 })));
const bool = mix(fc.boolean());
const dateTime = mix(
  fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.string({ maxLength: 30 }),
  ),
);
const titles = mix(
  fc.array(fc.record({ locale: mix(fc.oneof(fc.constantFrom('en_US', 'fr_FR'), fc.string({ maxLength: 8 }))), title: mix(fc.string({ maxLength: 300 })) }), {
    maxLength: 4,
  }),
);
const entries = mix(fc.array(fc.record({ key: mix(fc.string({ maxLength: 10 })), value: mix(fc.string({ maxLength: 10 })) }), { maxLength: 4 }));
const representations = mix(
  fc.array(
    fc.oneof(
      fc.record({ __typename: fc.constant('User'), id }),
      fc.record({ __typename: fc.constant('AchievementDefinition'), apiName }),
      fc.record({ __typename: fc.constant('Leaderboard'), apiName }),
      fc.record({ __typename: fc.constant('LeaderboardEntry'), id }),
      fc.record({ __typename: fc.string({ maxLength: 10 }), id }),
      anyJson,
    ),
    { maxLength: 30 },
  ),
);

// --- Operations ----------------------------------------------------------------------------------

interface Operation {
  query: string;
  variables: Record<string, fc.Arbitrary<unknown>>;
}

const PROFILE = 'id displayName alias profileUrl orgScopedId';
const OPERATIONS: Operation[] = [
  { query: `query($id: ID!) { user(id: $id) { ${PROFILE} ownsApp } }`, variables: { id } },
  { query: `{ viewer { ${PROFILE} leaderboardEntry(leaderboard: "HIGH_SCORES") { rank score } } }`, variables: {} },
  {
    query: `query($names: [String!], $all: Boolean) { achievementDefinitions(apiNames: $names, includeArchived: $all) { apiName title type target bitfieldLength } }`,
    variables: { names: apiNames, all: bool },
  },
  { query: `query($name: String!) { achievementDefinition(apiName: $name) { apiName title } }`, variables: { name: apiName } },
  {
    query: `query($id: ID!, $names: [String!], $name: String!) { user(id: $id) { achievements(apiNames: $names) { unlocked count bitfield definition { apiName } } achievement(apiName: $name) { unlocked unlockedAt } } }`,
    variables: { id, names: apiNames, name: apiName },
  },
  { query: `{ leaderboards { apiName sortOrder entryCount titles { locale title } } }`, variables: {} },
  {
    query: `query($name: String!, $first: Int!, $after: String, $startAt: LeaderboardStartAt!, $offset: Int, $filter: LeaderboardFilter!, $ids: [ID!], $locale: String!) {
      leaderboard(apiName: $name) { title(locale: $locale) entries(first: $first, after: $after, startAt: $startAt, offset: $offset, filter: $filter, userIds: $ids) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id rank score timestamp extraDataBase64 extraDataSize user { id displayName } } } } } }`,
    variables: {
      name: apiName,
      first,
      after: cursor,
      startAt: enumOf('TOP', 'CENTERED_ON_VIEWER', 'CENTERED_ON_VIEWER_OR_TOP', 'OFFSET'),
      offset: first,
      filter: enumOf('NONE', 'FRIENDS', 'USER_IDS'),
      ids: mix(fc.array(id, { maxLength: 110 })),
      locale: mix(fc.string({ maxLength: 10 })),
    },
  },
  {
    query: `query($id: ID!, $board: String!) { user(id: $id) { leaderboardEntry(leaderboard: $board) { id rank score leaderboard { apiName } } } }`,
    variables: { id, board: apiName },
  },
  {
    query: `query($id: ID!, $first: Int, $after: String) { user(id: $id) { purchases(first: $first, after: $after) { edges { cursor node { id sku grantedAt expiresAt item { id sku } } } pageInfo { hasNextPage endCursor } } } }`,
    variables: { id, first, after: cursor },
  },
  {
    query: `query($id: ID!, $sku: String!, $active: Boolean, $skus: [String!]) { user(id: $id) { entitlement(sku: $sku) { owned grantedAt } subscriptions(active: $active, skus: $skus) { sku isActive nextRenewal currentPriceTerm { price } } } }`,
    variables: { id, sku, active: bool, skus: mix(fc.array(sku, { maxLength: 110 })) },
  },
  {
    query: `query($sku: String!) { products { sku name price { formatted } billingPlans { paidOffer { term } } } product(sku: $sku) { sku } }`,
    variables: { sku },
  },
  { query: `query($id: ID!) { moderatedRoom(id: $id) { id maxUsers users { id } dataStore { key value } } }`, variables: { id } },
  {
    query: `query($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on User { id displayName achievements { unlocked } leaderboardEntry(leaderboard: "HIGH_SCORES") { rank } }
      ... on AchievementDefinition { apiName title }
      ... on Leaderboard { apiName entryCount }
      ... on LeaderboardEntry { id rank score }
    } }`,
    variables: { representations },
  },
  {
    query: `mutation($userId: ID!, $apiName: String!) { unlockAchievement(userId: $userId, apiName: $apiName) { justUnlocked progress { unlocked } } }`,
    variables: { userId: id, apiName },
  },
  {
    query: `mutation($userId: ID!, $apiName: String!, $count: Long!, $key: String) { addAchievementCount(userId: $userId, apiName: $apiName, count: $count, idempotencyKey: $key) { justUnlocked settledBy progress { count } } }`,
    variables: { userId: id, apiName, count: longCount, key },
  },
  {
    query: `mutation($userId: ID!, $apiName: String!, $bits: String!, $key: String) { addAchievementBits(userId: $userId, apiName: $apiName, bits: $bits, idempotencyKey: $key) { justUnlocked progress { bitfield } } }`,
    variables: { userId: id, apiName, bits, key },
  },
  {
    query: `mutation($input: AchievementDefinitionInput!) { upsertAchievementDefinition(input: $input) { apiName type target } }`,
    variables: {
      input: mix(
        fc.record(
          {
            apiName,
            type: enumOf('SIMPLE', 'COUNT', 'BITFIELD'),
            writePolicy: enumOf('CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'),
            target: longCount,
            bitfieldLength: count,
            title: mix(fc.string({ maxLength: 20 })),
          },
          { requiredKeys: ['apiName', 'type', 'writePolicy'] },
        ),
      ),
    },
  },
  { query: `mutation($userId: ID!) { resetAchievements(userId: $userId) { success user { id } } }`, variables: { userId: id } },
  { query: `mutation($userId: ID!, $nonce: String!) { validateUserNonce(userId: $userId, nonce: $nonce) { valid } }`, variables: { userId: id, nonce } },
  { query: `mutation($userId: ID!) { issueAttestationChallenge(userId: $userId) { nonce userId expiresAt } }`, variables: { userId: id } },
  {
    query: `mutation($userId: ID!, $token: String!) { verifyAttestation(userId: $userId, token: $token) {
      trusted reasons deviceId claimsIssuedAt token { state message } nonce { state } app { state packageId certificateDigests } device { state } ban { state remainingMinutes } } }`,
    variables: { userId: id, token: attestationToken },
  },
  {
    query: `mutation($deviceId: ID!, $minutes: Int!, $reason: String!) { banDevice(deviceId: $deviceId, durationMinutes: $minutes, reason: $reason) { success ban { banId banned reason } } }`,
    variables: { deviceId: banTargetId, minutes: mix(fc.oneof(fc.integer({ min: -2, max: 600 }), fc.integer())), reason: mix(fc.string({ maxLength: 600 })) },
  },
  {
    query: `mutation($deviceId: ID, $banId: ID) { liftDeviceBan(deviceId: $deviceId, banId: $banId) { success ban { banned } } }`,
    variables: { deviceId: banTargetId, banId: banTargetId },
  },
  {
    query: `query($deviceId: ID, $banId: ID) { deviceBan(deviceId: $deviceId, banId: $banId) { banned remainingMinutes reason } }`,
    variables: { deviceId: banTargetId, banId: banTargetId },
  },
  {
    query: `mutation($userId: ID!, $board: String!, $score: Long!, $extra: String, $force: Boolean, $key: String) {
      submitLeaderboardScore(userId: $userId, leaderboard: $board, score: $score, extraDataBase64: $extra, forceUpdate: $force, idempotencyKey: $key) { didUpdate settledBy entry { rank score } } }`,
    variables: { userId: id, board: apiName, score, extra: base64, force: bool, key },
  },
  {
    query: `mutation($input: LeaderboardInput!) { upsertLeaderboard(input: $input) { created leaderboard { apiName } } }`,
    variables: {
      input: mix(
        fc.record(
          {
            apiName,
            sortOrder: enumOf('HIGHER_IS_BETTER', 'LOWER_IS_BETTER'),
            writePolicy: enumOf('CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'),
            earliestAllowedEntryTime: dateTime,
            latestAllowedEntryTime: dateTime,
            titles,
          },
          { requiredKeys: ['apiName'] },
        ),
      ),
    },
  },
  { query: `mutation($id: ID!) { deleteLeaderboardEntry(id: $id) { success } }`, variables: { id } },
  {
    query: `mutation($name: String!) { removeAllLeaderboardEntries(leaderboard: $name) { success } }`,
    variables: { name: mix(fc.oneof(fc.constant('NO_SUCH_BOARD'), fc.string({ maxLength: 20 }))) },
  },
  {
    query: `mutation($name: String!) { deleteLeaderboard(apiName: $name) { success } }`,
    variables: { name: mix(fc.oneof(fc.constant('NO_SUCH_BOARD'), fc.string({ maxLength: 20 }))) },
  },
  {
    query: `mutation($userId: ID!, $sku: String!, $key: String) { consumePurchase(userId: $userId, sku: $sku, idempotencyKey: $key) { consumed status settledBy } }`,
    variables: { userId: id, sku, key },
  },
  {
    query: `mutation($userId: ID!, $sku: String!, $reason: RefundReason!) { refundPurchase(userId: $userId, sku: $sku, reason: $reason) { refunded status } }`,
    variables: { userId: id, sku, reason: enumOf('CUSTOMER_SUPPORT', 'UNABLE_TO_FULFILL', 'OTHER') },
  },
  {
    query: `mutation($userId: ID!, $sku: String!, $reason: CancelReason!) { cancelSubscription(userId: $userId, sku: $sku, reason: $reason) { cancelled subscription { isActive } } }`,
    variables: { userId: id, sku, reason: enumOf('OTHER', 'PRICING', 'TECHNICAL') },
  },
  {
    query: `mutation($userId: ID!, $sku: String!, $days: Int!) { extendSubscription(userId: $userId, sku: $sku, days: $days) { extended subscription { periodEnd } } }`,
    variables: { userId: id, sku, days },
  },
  { query: `mutation($max: Int!) { createModeratedRoom(maxUsers: $max) { success room { id maxUsers } } }`, variables: { max: count } },
  {
    query: `mutation($id: ID!, $entries: [RoomDataEntryInput!]!) { updateModeratedRoomDataStore(roomId: $id, entries: $entries) { success } }`,
    variables: { id, entries },
  },
  { query: `mutation($id: ID!) { deleteModeratedRoom(roomId: $id) { success } }`, variables: { id } },
  {
    query: `mutation($code: String!, $org: ID!) { linkAccount(code: $code, orgScopedId: $org) { orgScopedId accessToken refreshCode } }`,
    variables: { code: ssoCode, org: mix(fc.oneof(fc.constant('5978973908802860'), id)) },
  },
  {
    query: `mutation($org: ID!, $r: String!) { refreshLinkedAccount(orgScopedId: $org, refreshCode: $r) { accessToken } }`,
    variables: { org: mix(fc.oneof(fc.constant('5978973908802860'), id)), r: mix(fc.oneof(fc.constant(DEMO_REFRESH_CODE), fc.string({ maxLength: 5000 }))) },
  },
  {
    query: `query($id: ID, $p: String) { federatedUser(id: $id, persistentId: $p) { id persistentId uniqueName displayName } }`,
    variables: { id, p: persistentId },
  },
  {
    query: `query($first: Int, $after: String) { federatedUsers(first: $first, after: $after) { nodes { id persistentId } pageInfo { hasNextPage endCursor } } }`,
    variables: {
      first,
      after: mix(
        fc.oneof(
          cursor,
          cursor.map((c) => (typeof c === 'string' ? `fu:${c}` : c)),
        ),
      ),
    },
  },
  {
    query: `mutation($p: String!, $n: String!, $key: String) { createFederatedUser(persistentId: $p, displayName: $n, idempotencyKey: $key) { settledBy user { id uniqueName } } }`,
    variables: { p: persistentId, n: displayName, key },
  },
  {
    query: `mutation($p: String!, $n: String!) { updateFederatedUser(persistentId: $p, displayName: $n) { id displayName } }`,
    variables: { p: persistentId, n: displayName },
  },
  { query: `mutation($p: String!) { deleteFederatedUser(persistentId: $p) { success settledBy } }`, variables: { p: persistentId } },
  { query: `mutation($p: String!) { createFederatedUserAccessToken(persistentId: $p) { accessToken } }`, variables: { p: persistentId } },
  {
    query: `mutation($name: String!, $l: String, $u: String) { setAchievementImages(apiName: $name, lockedImage: $l, unlockedImage: $u) { apiName lockedImageUrl } }`,
    variables: { name: apiName, l: image, u: image },
  },
];

/** Each variable sometimes left out, sometimes given a value its operation does not declare. */
const request = fc.constantFrom(...OPERATIONS).chain((operation) =>
  fc.record({
    query: fc.constant(operation.query),
    variables: fc.record(operation.variables, { requiredKeys: [] }),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }), { nil: undefined }),
    userToken: fc.option(fc.oneof(fc.constantFrom(demoUserToken(0), demoUserToken(3)), fc.stringMatching(/^[A-Za-z0-9]{24,40}$/)), { nil: undefined }),
  }),
);

let h: Harness;
const caches = createSharedCaches(DEFAULTS.cache);
const ledger = new IdempotencyLedger(new MemoryIdempotencyStore());
beforeAll(async () => {
  h = await startHarness({ server: { production: true }, client: { retry: false, breaker: false } });
});
afterAll(async () => {
  await h.close();
});

test('every operation, with random variables, answers a well-formed response with documented codes and no secret', async () => {
  const appSecrets = [h.emulator.appSecret, `OC|${h.emulator.appId}|${h.emulator.appSecret}`];
  let n = 0;
  await fc.assert(
    fc.asyncProperty(request, async ({ query, variables, extra, userToken }) => {
      const response = await h.server.executeOperation(
        { query, variables: { ...variables, ...extra } },
        { contextValue: createContext({ horizon: h.horizon, logger: silentLogger, caches, ledger, requestId: `property-${++n}`, userToken }) },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const result = response.body.singleResult;
      const problems = responseProblems(result, documented);
      const text = JSON.stringify(result);
      const leaked = secretsIn(text, userToken ? [...appSecrets, userToken] : appSecrets);
      if (problems.length > 0 || leaked.length > 0) {
        throw new Error(`${problems.join('; ')}${leaked.length ? `; leaked ${leaked.join(', ')}` : ''}\n${text.slice(0, 1500)}`);
      }
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20260309), endOnFailure: true },
  );
}, 60_000);
