/**
 * Every mutation refuses malformed arguments with BAD_USER_INPUT before anything is written
 * upstream; arguments that can be judged alone are refused before any upstream call at all.
 * The list of mutations is read from the schema: a new mutation without cases fails here.
 */
import { isNonNullType } from 'graphql';
import { demoUserId } from '../../src/emulator/index.js';
import type { RequestLogEntry } from '../../src/emulator/index.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';
import { png } from '../helpers/images.js';

const U0 = demoUserId(0); // owns dlc_frozen_peaks and gems_100, active vip_pass
const U5 = demoUserId(5);
/** The demo data's banned headset (docs/emulator.md). */
const DEMO_DEVICE = '497862b8116b7b7da0e6f84cd335a4b27237441fdd777d04d985943e1f72c72e';

/** Writes are every non-GET call but verify_entitlement (a read sent as POST). */
const isWrite = (entry: RequestLogEntry) => entry.method !== 'GET' && entry.route !== ROUTES.verifyEntitlement;

interface MutationSpec {
  /** The operation, taking every argument as a variable. */
  query: string;
  /** Arguments that are valid (the last test checks none of them is refused). */
  valid: Record<string, unknown>;
  /** Bad values, each replacing one variable of `valid`. `read` allows reads before the refusal. */
  bad: Array<{ name: string; set: Record<string, unknown>; read?: boolean }>;
}

const BAD_IDS = [
  ['a word', 'abc'],
  ['a path', '123/achievements'],
  ['a query string', '123?fields=id'],
  ['empty', ''],
  ['negative', '-5'],
  ['zero-padded', '0123'],
  ['above 2^64', '18446744073709551616'],
  ['a float', '1.5'],
  ['with spaces', ' 123 '],
] as const;
// Horizon's api names are any printable text (`@achievement_01` is real): only what cannot be
// printable is refused here. Names like `../x` or `A&b=c` are valid and travel encoded.
const BAD_API_NAMES = [
  ['empty', ''],
  ['513 characters', 'A'.repeat(513)],
  ['a line break', 'FIRST\nSTEPS'],
  ['a NUL', 'FIRST\u0000'],
  ['a tab', 'FIRST\tSTEPS'],
  ['a lone surrogate', 'FIRST\ud800'],
] as const;
const BAD_SKUS = [
  ['with a space', 'gems 100'],
  ['a path', 'gems/100'],
  ['empty', ''],
  ['129 characters', 's'.repeat(129)],
  ['a query string', 'gems_100&user_id=1'],
] as const;
const BAD_KEYS = [
  ['empty', ''],
  ['with a space', 'key one'],
  ['129 characters', 'k'.repeat(129)],
  ['a slash', 'a/b'],
  ['unicode', 'clé'],
] as const;

const ids = (variable: string) => BAD_IDS.map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
const apiNames = (variable: string) => BAD_API_NAMES.map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
const skus = (variable: string) => BAD_SKUS.map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
const keys = () => BAD_KEYS.map(([name, value]) => ({ name: `idempotencyKey ${name}`, set: { key: value } }));
/** cancel/extend name the subscriber by exactly one of userId and ownerAlias (a 1-64 character alias, no spaces). */
const subscribers = () => [
  { name: 'neither userId nor ownerAlias', set: { userId: null } },
  { name: 'both userId and ownerAlias', set: { ownerAlias: 'NovaRider' } },
  ...(
    [
      ['empty', ''],
      ['with a space', 'Nova Rider'],
      ['65 characters', 'a'.repeat(65)],
      ['with a newline', 'Nova\nRider'],
    ] as const
  ).map(([name, value]) => ({ name: `ownerAlias ${name}`, set: { userId: null, ownerAlias: value } })),
];
const ORG_0 = '5978973908802860';
const ssoCodes = (variable: string) =>
  (
    [
      ['empty', ''],
      ['with a space', 'code one'],
      ['4097 characters', 'c'.repeat(4097)],
      ['non-ASCII', 'códe'],
    ] as const
  ).map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
const persistentIds = (variable: string) =>
  (
    [
      ['empty', ''],
      ['257 characters', 'p'.repeat(257)],
      ['a line break', 'steam:1\n2'],
      ['a NUL', 'steam:\u0000'],
    ] as const
  ).map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
/** Display names must be 3-30 characters (code points). */
const displayNames = (variable: string) =>
  (
    [
      ['of 2 characters', 'ab'],
      ['of 31 characters', 'x'.repeat(31)],
      ['of 31 emoji', '🎮'.repeat(31)],
      ['empty', ''],
      ['with a lone surrogate', 'ab\ud800'],
    ] as const
  ).map(([name, value]) => ({ name: `${variable} ${name}`, set: { [variable]: value } }));
const base64OfBytes = (n: number) => Buffer.alloc(n, 7).toString('base64');

const MUTATIONS: Record<string, MutationSpec> = {
  unlockAchievement: {
    query: `mutation($userId: ID!, $apiName: String!) { unlockAchievement(userId: $userId, apiName: $apiName) { justUnlocked } }`,
    valid: { userId: U0, apiName: 'FIRST_STEPS' },
    bad: [...ids('userId'), ...apiNames('apiName')],
  },
  addAchievementCount: {
    query: `mutation($userId: ID!, $apiName: String!, $count: Long!, $key: String) { addAchievementCount(userId: $userId, apiName: $apiName, count: $count, idempotencyKey: $key) { justUnlocked } }`,
    valid: { userId: U0, apiName: 'COLLECT_100_GEMS', count: 1, key: 'valid-count-key' },
    bad: [
      ...ids('userId'),
      ...apiNames('apiName'),
      ...keys(),
      { name: 'count 0', set: { count: 0 } },
      { name: 'count negative', set: { count: -3 } },
      { name: 'count above int64', set: { count: '9223372036854775808' } },
      { name: 'count a number past 2^53 (digits already lost)', set: { count: 2 ** 53 + 2 } },
      { name: 'count a float', set: { count: 1.5 } },
      { name: 'count not digits', set: { count: 'five' } },
      { name: 'a SIMPLE achievement', set: { apiName: 'FIRST_STEPS' }, read: true },
    ],
  },
  addAchievementBits: {
    query: `mutation($userId: ID!, $apiName: String!, $bits: String!, $key: String) { addAchievementBits(userId: $userId, apiName: $apiName, bits: $bits, idempotencyKey: $key) { justUnlocked } }`,
    valid: { userId: U0, apiName: 'VISIT_3_CONTINENTS', bits: '0100000', key: 'valid-bits-key' },
    bad: [
      ...ids('userId'),
      ...apiNames('apiName'),
      ...keys(),
      { name: 'bits not binary', set: { bits: '0102000' } },
      { name: 'bits empty', set: { bits: '' } },
      { name: 'bits with spaces', set: { bits: '0100 00' } },
      { name: 'bits of 1025 characters', set: { bits: '1'.repeat(1025) } },
      { name: 'bits shorter than the definition', set: { bits: '01' }, read: true },
      { name: 'bits longer than the definition', set: { bits: '01000000' }, read: true },
      { name: 'a COUNT achievement', set: { apiName: 'COLLECT_100_GEMS' }, read: true },
    ],
  },
  upsertAchievementDefinition: {
    query: `mutation($input: AchievementDefinitionInput!) { upsertAchievementDefinition(input: $input) { apiName } }`,
    valid: { input: { apiName: 'NEW_COUNT', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: 5, title: 'New' } },
    bad: [
      ...BAD_API_NAMES.map(([name, value]) => ({
        name: `input.apiName ${name}`,
        set: { input: { apiName: value, type: 'SIMPLE', writePolicy: 'SERVER_AUTHORITATIVE' } },
      })),
      { name: 'COUNT without target', set: { input: { apiName: 'X', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE' } } },
      { name: 'target 0', set: { input: { apiName: 'X', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: 0 } } },
      { name: 'target negative', set: { input: { apiName: 'X', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: '-5' } } },
      { name: 'target above int64', set: { input: { apiName: 'X', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: '9223372036854775808' } } },
      {
        name: 'BITFIELD shorter than its target',
        set: { input: { apiName: 'X', type: 'BITFIELD', writePolicy: 'SERVER_AUTHORITATIVE', target: 5, bitfieldLength: 3 } },
      },
      { name: 'an unknown type', set: { input: { apiName: 'X', type: 'SOMETIMES', writePolicy: 'SERVER_AUTHORITATIVE' } } },
    ],
  },
  resetAchievements: {
    query: `mutation($userId: ID!) { resetAchievements(userId: $userId) { success } }`,
    valid: { userId: U5 },
    bad: ids('userId'),
  },
  validateUserNonce: {
    query: `mutation($userId: ID!, $nonce: String!) { validateUserNonce(userId: $userId, nonce: $nonce) { valid } }`,
    valid: { userId: U0, nonce: 'not-a-real-nonce' },
    bad: [
      ...ids('userId'),
      { name: 'nonce empty', set: { nonce: '' } },
      { name: 'nonce with a space', set: { nonce: 'a b' } },
      { name: 'nonce of 513 characters', set: { nonce: 'n'.repeat(513) } },
    ],
  },
  submitLeaderboardScore: {
    query: `mutation($userId: ID!, $leaderboard: String!, $score: Long!, $extra: String, $force: Boolean, $key: String) {
      submitLeaderboardScore(userId: $userId, leaderboard: $leaderboard, score: $score, extraDataBase64: $extra, forceUpdate: $force, idempotencyKey: $key) { didUpdate } }`,
    valid: { userId: U0, leaderboard: 'HIGH_SCORES', score: '100', extra: base64OfBytes(2048), force: false, key: 'valid-score-key' },
    bad: [
      ...ids('userId'),
      ...apiNames('leaderboard'),
      ...keys(),
      { name: 'score above int64', set: { score: '9223372036854775808' } },
      { name: 'score below int64', set: { score: '-9223372036854775809' } },
      { name: 'score a word', set: { score: 'lots' } },
      { name: 'score a float', set: { score: 1.5 } },
      { name: 'score an unsafe JSON number', set: { score: 2 ** 60 } },
      { name: 'score in exponent form', set: { score: '1e5' } },
      { name: 'extraDataBase64 of 2049 bytes', set: { extra: base64OfBytes(2049) } },
      { name: 'extraDataBase64 not base64', set: { extra: 'not base64!' } },
      { name: 'extraDataBase64 unpadded', set: { extra: 'AAA' } },
      { name: 'extraDataBase64 url-safe alphabet', set: { extra: '-_-_' } },
    ],
  },
  upsertLeaderboard: {
    query: `mutation($input: LeaderboardInput!) { upsertLeaderboard(input: $input) { created } }`,
    valid: { input: { apiName: 'NEW_BOARD', sortOrder: 'HIGHER_IS_BETTER', writePolicy: 'SERVER_AUTHORITATIVE', titles: [{ locale: 'en_US', title: 'New' }] } },
    bad: [
      ...BAD_API_NAMES.map(([name, value]) => ({
        name: `input.apiName ${name}`,
        set: { input: { apiName: value, sortOrder: 'HIGHER_IS_BETTER', writePolicy: 'SERVER_AUTHORITATIVE' } },
      })),
      {
        name: 'bounds in the wrong order',
        set: { input: { apiName: 'NEW_BOARD', earliestAllowedEntryTime: '2030-01-01T00:00:00Z', latestAllowedEntryTime: '2029-01-01T00:00:00Z' } },
      },
      { name: 'a bound before 1970', set: { input: { apiName: 'NEW_BOARD', earliestAllowedEntryTime: '1960-01-01T00:00:00Z' } } },
      { name: 'a bound without a time zone', set: { input: { apiName: 'NEW_BOARD', earliestAllowedEntryTime: '2030-01-01T00:00:00' } } },
      { name: 'a malformed locale', set: { input: { apiName: 'NEW_BOARD', titles: [{ locale: 'english', title: 'x' }] } } },
      { name: 'an empty title', set: { input: { apiName: 'NEW_BOARD', titles: [{ locale: 'en_US', title: ' ' }] } } },
      { name: 'a 257-character title', set: { input: { apiName: 'NEW_BOARD', titles: [{ locale: 'en_US', title: 't'.repeat(257) }] } } },
      {
        name: 'a locale twice',
        set: {
          input: {
            apiName: 'NEW_BOARD',
            titles: [
              { locale: 'en_US', title: 'a' },
              { locale: 'en_US', title: 'b' },
            ],
          },
        },
      },
      {
        name: '101 titles',
        set: {
          input: {
            apiName: 'NEW_BOARD',
            titles: Array.from({ length: 101 }, (_, i) => ({
              locale: `x${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
              title: 't',
            })),
          },
        },
      },
      { name: 'an unknown sort order', set: { input: { apiName: 'NEW_BOARD', sortOrder: 'RANDOM', writePolicy: 'SERVER_AUTHORITATIVE' } } },
      { name: 'a new board without sortOrder', set: { input: { apiName: 'BRAND_NEW', writePolicy: 'SERVER_AUTHORITATIVE' } }, read: true },
    ],
  },
  deleteLeaderboard: {
    query: `mutation($apiName: String!) { deleteLeaderboard(apiName: $apiName) { success } }`,
    valid: { apiName: 'NO_SUCH_BOARD' },
    bad: apiNames('apiName'),
  },
  deleteLeaderboardEntry: {
    query: `mutation($id: ID!) { deleteLeaderboardEntry(id: $id) { success } }`,
    valid: { id: '1234567' },
    bad: ids('id'),
  },
  removeAllLeaderboardEntries: {
    query: `mutation($leaderboard: String!) { removeAllLeaderboardEntries(leaderboard: $leaderboard) { success } }`,
    valid: { leaderboard: 'NO_SUCH_BOARD' },
    bad: apiNames('leaderboard'),
  },
  consumePurchase: {
    query: `mutation($userId: ID!, $sku: String!, $key: String) { consumePurchase(userId: $userId, sku: $sku, idempotencyKey: $key) { consumed } }`,
    valid: { userId: U0, sku: 'gems_100', key: 'valid-consume-key' },
    bad: [...ids('userId'), ...skus('sku'), ...keys()],
  },
  refundPurchase: {
    query: `mutation($userId: ID!, $sku: String!, $reason: RefundReason!, $asPlayer: Boolean) { refundPurchase(userId: $userId, sku: $sku, reason: $reason, asPlayer: $asPlayer) { refunded } }`,
    valid: { userId: U0, sku: 'dlc_frozen_peaks', reason: 'CUSTOMER_SUPPORT', asPlayer: false },
    bad: [
      ...ids('userId'),
      ...skus('sku'),
      { name: 'an unknown reason', set: { reason: 'BORED' } },
      { name: 'a reason in lower case', set: { reason: 'other' } },
      { name: 'asPlayer as a string', set: { asPlayer: 'yes' } },
    ],
  },
  cancelSubscription: {
    query: `mutation($userId: ID, $ownerAlias: String, $sku: String!, $reason: CancelReason!) { cancelSubscription(userId: $userId, ownerAlias: $ownerAlias, sku: $sku, reason: $reason) { cancelled } }`,
    valid: { userId: U0, ownerAlias: null, sku: 'vip_pass', reason: 'OTHER' },
    bad: [...ids('userId'), ...subscribers(), ...skus('sku'), { name: 'a reason code', set: { reason: 3 } }],
  },
  extendSubscription: {
    query: `mutation($userId: ID, $ownerAlias: String, $sku: String!, $days: Int!, $key: String) { extendSubscription(userId: $userId, ownerAlias: $ownerAlias, sku: $sku, days: $days, idempotencyKey: $key) { extended } }`,
    valid: { userId: U0, ownerAlias: null, sku: 'vip_pass', days: 7, key: 'valid-extend-key' },
    bad: [
      ...ids('userId'),
      ...subscribers(),
      ...skus('sku'),
      ...keys(),
      { name: 'days 0', set: { days: 0 } },
      { name: 'days 366', set: { days: 366 } },
      { name: 'days negative', set: { days: -1 } },
      { name: 'days as a string', set: { days: '7' } },
    ],
  },
  createModeratedRoom: {
    query: `mutation($maxUsers: Int!, $key: String) { createModeratedRoom(maxUsers: $maxUsers, idempotencyKey: $key) { success } }`,
    valid: { maxUsers: 4, key: 'valid-room-key' },
    bad: [
      ...keys(),
      { name: 'maxUsers 0', set: { maxUsers: 0 } },
      { name: 'maxUsers 1025', set: { maxUsers: 1025 } },
      { name: 'maxUsers null', set: { maxUsers: null } },
    ],
  },
  updateModeratedRoomDataStore: {
    query: `mutation($roomId: ID!, $entries: [RoomDataEntryInput!]!) { updateModeratedRoomDataStore(roomId: $roomId, entries: $entries) { success } }`,
    valid: { roomId: '1234567', entries: [{ key: 'map', value: 'dunes' }] },
    bad: [
      ...ids('roomId'),
      { name: 'no entries', set: { entries: [] } },
      { name: '2001 entries', set: { entries: Array.from({ length: 2001 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } },
      { name: 'an entry without value', set: { entries: [{ key: 'k' }] } },
    ],
  },
  deleteModeratedRoom: {
    query: `mutation($roomId: ID!) { deleteModeratedRoom(roomId: $roomId) { success } }`,
    valid: { roomId: '1234567' },
    bad: ids('roomId'),
  },
  linkAccount: {
    query: `mutation($code: String!, $org: ID!) { linkAccount(code: $code, orgScopedId: $org) { accessToken } }`,
    valid: { code: 'demo-sso-code-3', org: ORG_0 },
    bad: [...ssoCodes('code'), ...ids('org')],
  },
  refreshLinkedAccount: {
    query: `mutation($org: ID!, $refresh: String!) { refreshLinkedAccount(orgScopedId: $org, refreshCode: $refresh) { accessToken } }`,
    valid: { org: ORG_0, refresh: 'demo-refresh-code' },
    bad: [...ssoCodes('refresh'), ...ids('org')],
  },
  createFederatedUser: {
    query: `mutation($p: String!, $n: String!, $key: String) { createFederatedUser(persistentId: $p, displayName: $n, idempotencyKey: $key) { settledBy } }`,
    valid: { p: 'valid:new-user', n: 'Valid Name', key: 'valid-federated-key' },
    bad: [...persistentIds('p'), ...displayNames('n'), ...keys()],
  },
  updateFederatedUser: {
    query: `mutation($p: String!, $n: String!) { updateFederatedUser(persistentId: $p, displayName: $n) { id } }`,
    valid: { p: 'psn:demo-player-2', n: 'Valid Rename' },
    bad: [...persistentIds('p'), ...displayNames('n')],
  },
  deleteFederatedUser: {
    query: `mutation($p: String!) { deleteFederatedUser(persistentId: $p) { success } }`,
    valid: { p: 'epic:demo-player-3' },
    bad: persistentIds('p'),
  },
  createFederatedUserAccessToken: {
    query: `mutation($p: String!) { createFederatedUserAccessToken(persistentId: $p) { accessToken } }`,
    valid: { p: 'steam:76561198000000001' },
    bad: persistentIds('p'),
  },
  setAchievementImages: {
    query: `mutation($apiName: String!, $locked: String, $unlocked: String) { setAchievementImages(apiName: $apiName, lockedImage: $locked, unlockedImage: $unlocked) { apiName } }`,
    valid: { apiName: 'FIRST_STEPS', locked: png().toString('base64'), unlocked: null },
    bad: [
      ...apiNames('apiName'),
      { name: 'no image at all', set: { locked: null } },
      { name: 'an image past the size cap', set: { locked: png(256, 256, 300 * 1024).toString('base64') } },
      { name: 'base64 text past the cap (not decoded)', set: { unlocked: 'A'.repeat(400_000) } },
      { name: 'not a PNG', set: { locked: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64') } },
      { name: 'a PNG of 512x512', set: { unlocked: png(512, 512).toString('base64') } },
      { name: 'not base64', set: { locked: 'data:image/gif;base64,R0lGOD lh' } },
      { name: 'an empty image and nothing else', set: { locked: '' } },
      { name: 'a truncated PNG', set: { unlocked: png().toString('base64').slice(0, 40) } },
    ],
  },
  issueAttestationChallenge: {
    query: `mutation($userId: ID!) { issueAttestationChallenge(userId: $userId) { nonce } }`,
    valid: { userId: U0 },
    bad: ids('userId'),
  },
  verifyAttestation: {
    query: `mutation($userId: ID!, $token: String!) { verifyAttestation(userId: $userId, token: $token) { trusted } }`,
    // Not a token Horizon issued: a verdict (untrusted), not a refusal.
    valid: { userId: U0, token: 'bm90LWEtcmVhbC10b2tlbg.c2lnbmF0dXJl' },
    bad: [
      ...ids('userId'),
      { name: 'token empty', set: { token: '' } },
      { name: 'token too short to be one', set: { token: 'abc.def' } },
      { name: 'token with spaces', set: { token: 'bm90LWEtcmVhbC10b2tlbg c2lnbmF0dXJl' } },
      { name: 'token with a query string', set: { token: 'bm90LWEtcmVhbC10b2tlbg&access_token=x' } },
      { name: 'token of 16385 characters', set: { token: 'A'.repeat(16_385) } },
    ],
  },
  banDevice: {
    query: `mutation($deviceId: ID!, $minutes: Int!, $reason: String!) { banDevice(deviceId: $deviceId, durationMinutes: $minutes, reason: $reason) { success } }`,
    valid: { deviceId: DEMO_DEVICE, minutes: 60, reason: 'aimbot' },
    bad: [
      { name: 'deviceId empty', set: { deviceId: '' } },
      { name: 'deviceId with a path', set: { deviceId: 'abc/../me' } },
      { name: 'deviceId of 257 characters', set: { deviceId: 'a'.repeat(257) } },
      { name: 'minutes 0', set: { minutes: 0 } },
      { name: 'minutes negative', set: { minutes: -5 } },
      { name: 'minutes past 100 years', set: { minutes: 52_560_001 } },
      { name: 'reason empty', set: { reason: '' } },
      { name: 'reason blank', set: { reason: '   ' } },
      { name: 'reason of 501 characters', set: { reason: 'r'.repeat(501) } },
      { name: 'reason with a control character', set: { reason: 'bad\u0000reason' } },
    ],
  },
  liftDeviceBan: {
    query: `mutation($deviceId: ID, $banId: ID) { liftDeviceBan(deviceId: $deviceId, banId: $banId) { success } }`,
    valid: { deviceId: DEMO_DEVICE, banId: null },
    bad: [
      { name: 'neither deviceId nor banId', set: { deviceId: null } },
      { name: 'both deviceId and banId', set: { banId: 'MTI0MjQ3MTc0MDk2NTYwNg' } },
      { name: 'deviceId with spaces', set: { deviceId: 'a b' } },
      { name: 'banId with a slash', set: { deviceId: null, banId: 'a/b' } },
    ],
  },
};

const CASES = Object.entries(MUTATIONS).flatMap(([mutation, spec]) => spec.bad.map((c) => [mutation, c.name, spec, c] as const));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.resetUpstream());

test('every mutation of the schema has bad-input cases, and every argument is exercised', () => {
  const mutationType = buildSchema().getMutationType()!;
  expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(mutationType.getFields()).sort());
  for (const [name, field] of Object.entries(mutationType.getFields())) {
    const spec = MUTATIONS[name]!;
    for (const arg of field.args) {
      // Every argument is in the operation; every required one is refused when malformed.
      expect(spec.query).toContain(`${arg.name}: $`);
      if (isNonNullType(arg.type) || arg.name === 'idempotencyKey' || arg.name === 'extraDataBase64') {
        const variable = new RegExp(`${arg.name}: \\$(\\w+)`).exec(spec.query)![1]!;
        expect(spec.bad.some((c) => variable in c.set)).toBe(true);
      }
    }
  }
});

test.each(CASES)('%s with %s: BAD_USER_INPUT and nothing written', async (_mutation, _name, spec, bad) => {
  const result = await h.execute(spec.query, { ...spec.valid, ...bad.set });
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  expect(result.errors![0].message).not.toMatch(/Internal|undefined|TypeError/);
  expect(h.upstream().filter(isWrite)).toEqual([]);
  if (!bad.read) expect(h.upstream()).toEqual([]);
});

test('the valid arguments each case starts from are not refused', async () => {
  // A fresh emulator: these do write.
  const fresh = await startHarness();
  try {
    for (const [mutation, spec] of Object.entries(MUTATIONS)) {
      const result = await fresh.execute(spec.query, spec.valid);
      const codes = (result.errors ?? []).map((e) => e.extensions.code);
      expect({ mutation, codes: codes.filter((c) => c === 'BAD_USER_INPUT' || c === 'INTERNAL_SERVER_ERROR') }).toEqual({ mutation, codes: [] });
    }
  } finally {
    await fresh.close();
  }
});

test('_entities: a malformed representation fails alone with BAD_USER_INPUT, the others resolve', async () => {
  const representations = [
    { __typename: 'User', id: U0 },
    5,
    { __typename: 'Nope', id: '1' },
    { __typename: 'Query' },
    { __typename: 'User', id: 42 },
    { __typename: 'Leaderboard', apiName: ['HIGH_SCORES'] },
    { __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' },
  ];
  const result = await h.execute(
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } ... on AchievementDefinition { title } ... on Leaderboard { apiName } } }`,
    { r: representations },
  );
  expect(result.data!._entities).toEqual([{ id: U0, displayName: 'Nova Rider' }, null, null, null, null, null, { title: 'First Steps' }]);
  expect(result.errors!.map((e) => [e.path, e.extensions.code])).toEqual([1, 2, 3, 4, 5].map((i) => [['_entities', i], 'BAD_USER_INPUT']));
  expect(h.upstream().filter((r) => r.route === ROUTES.node)).toHaveLength(1);
});
