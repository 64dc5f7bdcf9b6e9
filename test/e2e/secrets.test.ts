/**
 * Secrets sweep: the whole application (`startApp`, live mode against an emulator that knows a
 * distinctive app secret and distinctive player tokens), logging at `trace` into memory and
 * tracing into memory, driven over HTTP through every query and mutation, failing ones
 * included: bad and missing player tokens, unknown players, malformed input, every fault the
 * emulator injects, and a second app whose secret is wrong (Graph's code 190). Callers present
 * a JWT signed with a known HS256 secret and the router's shared secret (bad ones too), and
 * every other operation asks for a federated trace (ftv1). Then neither the app secret, nor the
 * app token `OC|id|secret` (plain or URL-encoded), nor the wrong secret, nor any player token,
 * nor the callers' secret, JWTs or router secret may appear in any response (body or header),
 * log line or span; and the credentials the emulator issued (SSO codes, linked players' tokens and
 * refresh codes, federated users' tokens) appear only in the `data` of the mutation that answered
 * them (`Cache-Control: no-store`), nowhere else.
 *
 * The secrets are chosen so the pattern-based redaction (`FRL...`, `OC|...`) does not match
 * them: only code that never lets them out passes.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { FaultMode } from '../../src/emulator/faults.js';
import { createLogger } from '../../src/logger.js';
import { secretsIn } from '../helpers/errorCodes.js';
import { signHs256Token } from '../../src/auth/jwt.js';
import { ALL_SCOPES } from '../helpers/harness.js';

/** ftv1 traces are base64 protobuf: decoded, so the strings inside them are searched too. */
function decodedTraces(body: string): string {
  return [...body.matchAll(/"ftv1":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('latin1')).join('\n');
}

const APP_ID = '424242424242';
const APP_SECRET = 'sweepAppSecretQ7x9Kd2mZp4W';
const WRONG_SECRET = 'sweepWrongSecretHc83Jd02Lq';
const PLAYERS = [0, 1, 2, 3].map((i) => demoUserId(i));
const TOKENS = PLAYERS.map((_, i) => `sweepUserToken${i}R8f2Kq9ZxT4`);
const BOGUS_TOKEN = 'sweepBogusTokenU2n8Vb3Xc7Y';

/** What every credential the emulator issues starts with (SSO codes, linked and federated tokens, refresh codes). */
const ISSUED_PREFIX = 'sweepIssued';
/** The mutations whose answer is a credential: only their `data` may hold one, and only for their own caller. */
const TOKEN_ANSWERS = ['linkAccount', 'refreshLinkedAccount', 'createFederatedUserAccessToken'];

const CALLER_SECRET = 'sweepCallerHs256SecretN4v8Qw2Lx6Pz0Rt5Ys3';
const ROUTER_SECRET = 'sweepRouterSecretK9m2Xc4Vb7';
const BAD_ROUTER_SECRET = 'sweepBadRouterSecretJ5h1Fg8';
/** Set in beforeAll: a caller JWT with every scope, and one with its signature broken. */
let callerJwt = '';
let forgedJwt = '';

const secrets = () => [
  APP_SECRET,
  `OC|${APP_ID}|${APP_SECRET}`,
  `${APP_ID}|${APP_SECRET}`,
  WRONG_SECRET,
  `OC|${APP_ID}|${WRONG_SECRET}`,
  ...TOKENS,
  BOGUS_TOKEN,
  CALLER_SECRET,
  ROUTER_SECRET,
  BAD_ROUTER_SECRET,
  callerJwt,
  // A JWT's signature part is what makes it a credential.
  callerJwt.split('.')[2]!,
  forgedJwt,
  // Attestation tokens are credentials too: whole, and their signature part.
  ...attestationTokens,
  ...attestationTokens.map((t) => t.split('.')[1]!),
  // ... and the claims Horizon answers for them (base64url JSON): never logged either.
  ...attestationTokens.map((t) => emulator.state.integrity.verify(t).claims).filter((c): c is string => c !== undefined),
];

/** Every attestation token the sweep minted (filled as it goes). */
const attestationTokens: string[] = [];

interface Exchange {
  what: string;
  status: number;
  headers: string;
  body: string;
}

const logLines: string[] = [];
const exchanges: Exchange[] = [];
const spans = new InMemorySpanExporter();
let emulator: RunningEmulator;
let app: RunningApp;
let wrongApp: RunningApp;

function configFor(secret: string) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    HORIZON_APP_ID: APP_ID,
    HORIZON_APP_SECRET: secret,
    HORIZON_GRAPH_URL: emulator.url,
    LOG_LEVEL: 'trace',
    AUTH_HS256_SECRET: CALLER_SECRET,
    ROUTER_SHARED_SECRET: ROUTER_SECRET,
    HORIZON_RETRY_MAX_ATTEMPTS: '2',
    HORIZON_RETRY_BUDGET_MS: '500',
    HORIZON_BREAKER_THRESHOLD: '10000',
    HORIZON_CALL_TIMEOUT_MS: '800',
    OPERATION_TIMEOUT_MS: '4000',
    IDEMPOTENCY_SETTLE_DELAY_MS: '0',
    CACHE_TTL_MS: '0',
  });
}

beforeAll(async () => {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);

  callerJwt = await signHs256Token(CALLER_SECRET, { subject: 'sweep-backend', scopes: ALL_SCOPES, expiresIn: '1h' });
  const [header, payload] = callerJwt.split('.');
  forgedJwt = `${header}.${payload}.${'Zm9yZ2VkU2lnbmF0dXJlU3dlZXBYWFhYWFhYWFhYWFhYWFhY'}`;
  emulator = await startEmulator({ appId: APP_ID, appSecret: APP_SECRET });
  // The players' tokens become ones no redaction pattern recognises.
  PLAYERS.forEach((id, i) => emulator.state.addUser({ ...emulator.state.users.get(id)!, token: TOKENS[i]! }));
  // SSO codes, linked tokens, refresh codes and federated tokens the emulator issues: unknown to every redaction pattern too.
  emulator.state.accounts.issuePrefix = ISSUED_PREFIX;
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });
  app = await startApp(configFor(APP_SECRET), logger);
  wrongApp = await startApp(configFor(WRONG_SECRET), logger);
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await wrongApp?.stop();
  await emulator?.close();
  trace.disable();
  context.disable();
});

async function send(what: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<any> {
  const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body });
  const body = await response.body.text();
  exchanges.push({ what, status: response.statusCode, headers: JSON.stringify(response.headers), body });
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const callerHeaders = () => ({ authorization: `Bearer ${callerJwt}`, 'x-router-secret': ROUTER_SECRET });

let operations = 0;
function gql(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  target: RunningApp = app,
  caller: Record<string, string> = {},
): Promise<any> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${callerJwt}`,
    'x-router-secret': ROUTER_SECRET,
    // Every other operation as a router with field-level instrumentation asks it.
    ...(++operations % 2 === 0 ? { 'apollo-federation-include-trace': 'ftv1' } : {}),
    ...caller,
  };
  if (token) headers['x-horizon-user-token'] = token;
  return send(query.slice(0, 80), target.subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
}

const codes = () => new Set(exchanges.flatMap((e) => [...e.body.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]!)));

const P0 = PLAYERS[0]!;
const READS = [
  `{ user(id: "${P0}") { id alias displayName profileUrl orgScopedId ownsApp entitlement(sku: "dlc_frozen_peaks") { owned grantedAt } subscriptions { sku isActive } purchases(first: 2) { edges { cursor node { sku } } pageInfo { endCursor hasNextPage } } } }`,
  `{ user(id: "${P0}") { achievements { unlocked count bitfield definition { apiName title } } achievement(apiName: "FIRST_STEPS") { unlocked } leaderboardEntry(leaderboard: "HIGH_SCORES") { rank score } } }`,
  `{ leaderboards { apiName titles { locale title } } achievementDefinitions { apiName } products { sku price { formatted } } product(sku: "gems_100") { name } }`,
  `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { totalCount pageInfo { endCursor } edges { cursor node { rank user { displayName } } } } } }`,
  `query($ids: [ID!]) { leaderboard(apiName: "HIGH_SCORES") { entries(filter: USER_IDS, userIds: $ids) { nodes { rank } } } }`,
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName achievements { unlocked } } ... on AchievementDefinition { title } ... on Leaderboard { apiName } } }`,
];
const VIEWER_READS = [
  `{ viewer { id displayName leaderboardEntry(leaderboard: "HIGH_SCORES") { rank } } }`,
  `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3, startAt: CENTERED_ON_VIEWER) { pageInfo { endCursor } nodes { rank } } } }`,
  `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3, filter: FRIENDS) { pageInfo { endCursor } nodes { rank } } } }`,
  `{ leaderboard(apiName: "SPEEDRUN_LEVEL_1") { entries(first: 2, startAt: CENTERED_ON_VIEWER_OR_TOP) { pageInfo { endCursor } nodes { rank score } } } }`,
];
const variablesFor = {
  ids: PLAYERS,
  r: [
    ...PLAYERS.map((id) => ({ __typename: 'User', id })),
    { __typename: 'AchievementDefinition', apiName: 'FIRST_STEPS' },
    { __typename: 'Leaderboard', apiName: 'HIGH_SCORES' },
  ],
};

async function nonceFor(token: string): Promise<string> {
  const response = await request(`${emulator.url}/user_nonce_generate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return ((await response.body.json()) as { nonce: string }).nonce;
}

async function ssoCodeFor(token: string): Promise<{ code: string; org_scoped_id: string }> {
  const response = await request(`${emulator.url}/sso_code_generate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return (await response.body.json()) as { code: string; org_scoped_id: string };
}

/** Account linking and federated users: every mutation that answers a credential, and their failures. */
async function accountsMix(label: string, { code, org_scoped_id }: { code: string; org_scoped_id: string }): Promise<void> {
  const link = `mutation($c: String!, $o: ID!) { linkAccount(code: $c, orgScopedId: $o) { orgScopedId accessToken refreshCode } }`;
  const linked = await gql(link, { c: code, o: org_scoped_id });
  await gql(link, { c: code, o: org_scoped_id }); // the code again: refused
  const refresh = `mutation($o: ID!, $r: String!) { refreshLinkedAccount(orgScopedId: $o, refreshCode: $r) { accessToken refreshCode } }`;
  await gql(refresh, { o: org_scoped_id, r: linked?.data?.linkAccount?.refreshCode ?? `${ISSUED_PREFIX}none` });
  await gql(refresh, { o: org_scoped_id, r: BOGUS_TOKEN });
  const persistentId = `sweep:${label}`;
  await gql(`mutation($p: String!) { createFederatedUser(persistentId: $p, displayName: "Sweep Player") { settledBy user { id } } }`, { p: persistentId });
  await gql(`mutation($p: String!) { updateFederatedUser(persistentId: $p, displayName: "ab") { id } }`, { p: persistentId });
  await gql(`mutation($p: String!) { createFederatedUserAccessToken(persistentId: $p) { accessToken } }`, { p: persistentId });
  await gql(`{ federatedUsers(first: 2) { nodes { persistentId } } }`);
  await gql(`mutation($p: String!) { deleteFederatedUser(persistentId: $p) { success } }`, { p: persistentId });
}

/** Every credential the emulator issued during the sweep. */
function issuedCredentials(): string[] {
  const accounts = emulator.state.accounts;
  return [
    ...[...emulator.state.usersByToken.keys()],
    ...accounts.refreshCodes.keys(),
    ...accounts.federatedTokens.keys(),
    ...accounts.usedCodes,
    ...accounts.ssoCodes.keys(),
  ].filter((value) => value.startsWith(ISSUED_PREFIX));
}

const VERDICT = `trusted reasons deviceId token { state message } nonce { state } app { state packageId } device { state } ban { state reason }`;

/** Attestation: challenges, genuine, tampered, replayed and forged tokens, bans on the device the claims name. */
async function attestationMix(target: RunningApp = app): Promise<void> {
  const mint = async (userIndex: number, options: Record<string, string> = {}) => {
    const issued = await gql(`mutation { issueAttestationChallenge(userId: "${PLAYERS[userIndex]}") { nonce } }`, {}, undefined, target);
    const nonce = issued?.data?.issueAttestationChallenge?.nonce ?? 'A'.repeat(43);
    // The emulator's faults strike its device stand-in too: ask again until it answers.
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await request(`${emulator.url}/device_integrity_token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS[userIndex]}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ challenge_nonce: nonce, ...options }).toString(),
      }).catch(() => undefined);
      const text = (await response?.body.text().catch(() => '')) ?? '';
      const token = /"attestation_token":"([^"]+)"/.exec(text)?.[1];
      if (token) {
        attestationTokens.push(token);
        return token;
      }
    }
    throw new Error('the emulator minted no attestation token');
  };
  const verify = (userIndex: number, token: string) =>
    gql(`mutation($u: ID!, $t: String!) { verifyAttestation(userId: $u, token: $t) { ${VERDICT} } }`, { u: PLAYERS[userIndex], t: token }, undefined, target);
  const genuine = await mint(0);
  const verdict = await verify(0, genuine);
  await verify(0, genuine);
  await verify(1, await mint(2));
  await verify(1, await mint(1, { app_integrity_state: 'NotRecognized', device_integrity_state: 'NotTrusted' }));
  const forged = `${genuine.split('.')[0]}.${'Zm9yZ2VkQXR0ZXN0YXRpb25TaWduYXR1cmVYWFhYWFhY'}`;
  attestationTokens.push(forged);
  await verify(0, forged);
  await gql(`mutation($t: String!) { verifyAttestation(userId: "nope", token: $t) { trusted } }`, { t: await mint(3) }, undefined, target);
  const deviceId = verdict?.data?.verifyAttestation?.deviceId ?? 'f'.repeat(64);
  const ban = await gql(`mutation { banDevice(deviceId: "${deviceId}", durationMinutes: 5, reason: "sweep") { ban { banId } } }`, {}, undefined, target);
  await verify(0, await mint(0));
  await gql(`{ deviceBan(deviceId: "${deviceId}") { banned reason } }`, {}, undefined, target);
  await gql(`mutation { liftDeviceBan(banId: "${ban?.data?.banDevice?.ban?.banId ?? 'nosuchban'}") { success } }`, {}, undefined, target);
}

let writes = 0;
async function writeMix(label: string): Promise<void> {
  const n = ++writes;
  const p = PLAYERS[n % PLAYERS.length]!;
  await gql(`mutation { unlockAchievement(userId: "${p}", apiName: "FIRST_STEPS") { justUnlocked } }`);
  await gql(
    `mutation($k: String) { addAchievementCount(userId: "${p}", apiName: "COLLECT_100_GEMS", count: 3, idempotencyKey: $k) { justUnlocked settledBy progress { count } } }`,
    { k: `${label}-count-${n}` },
  );
  await gql(
    `mutation($k: String) { addAchievementBits(userId: "${p}", apiName: "VISIT_3_CONTINENTS", bits: "0010000", idempotencyKey: $k) { justUnlocked settledBy } }`,
    { k: `${label}-bits-${n}` },
  );
  await gql(
    `mutation($k: String) { submitLeaderboardScore(userId: "${p}", leaderboard: "HIGH_SCORES", score: "${1000 + n}", extraDataBase64: "AAEC", forceUpdate: true, idempotencyKey: $k) { didUpdate settledBy entry { rank } } }`,
    { k: `${label}-score-${n}` },
  );
  await gql(`mutation($k: String) { consumePurchase(userId: "${p}", sku: "gems_100", idempotencyKey: $k) { consumed settledBy } }`, {
    k: `${label}-consume-${n}`,
  });
  // A client-authoritative board: the player's own token must be forwarded upstream.
  await gql(
    `mutation { submitLeaderboardScore(userId: "${PLAYERS[1]}", leaderboard: "SPEEDRUN_LEVEL_1", score: "${50_000 - n}") { didUpdate } }`,
    {},
    TOKENS[1],
  );
}

test('no secret appears in any response, log line or span, whatever the traffic', async () => {
  // --- Reads, as the app and as players --------------------------------------------------------
  for (const query of READS) await gql(query, variablesFor);
  for (const [i, token] of TOKENS.entries()) for (const query of VIEWER_READS) await gql(query, {}, i % 2 === 0 ? token : TOKENS[i]!);
  // Paging on: viewer-centred pages' `next` links carry the player's token upstream.
  const page = await gql(VIEWER_READS[1]!, {}, TOKENS[0]);
  const after = page?.data?.leaderboard?.entries?.pageInfo?.endCursor;
  if (after)
    await gql(
      `query($a: String) { leaderboard(apiName: "HIGH_SCORES") { entries(first: 3, after: $a, startAt: CENTERED_ON_VIEWER) { nodes { rank } } } }`,
      { a: after },
      TOKENS[0],
    );
  const purchases = await gql(READS[0]!);
  const purchasesAfter = purchases?.data?.user?.purchases?.pageInfo?.endCursor;
  if (purchasesAfter) await gql(`query($a: String) { user(id: "${P0}") { purchases(first: 2, after: $a) { nodes { sku } } } }`, { a: purchasesAfter });

  // --- Bad, missing and wrong tokens; unknown players; malformed input --------------------------
  for (const query of VIEWER_READS) {
    await gql(query, {}, BOGUS_TOKEN);
    await gql(query);
  }
  await gql(`mutation { submitLeaderboardScore(userId: "${PLAYERS[2]}", leaderboard: "SPEEDRUN_LEVEL_1", score: "1") { didUpdate } }`, {}, BOGUS_TOKEN);
  await gql(`mutation { submitLeaderboardScore(userId: "${PLAYERS[2]}", leaderboard: "SPEEDRUN_LEVEL_1", score: "1") { didUpdate } }`, {}, TOKENS[3]);
  await gql(`{ user(id: "1") { displayName achievements { unlocked } } }`);
  await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName } } }`, {
    r: [{ __typename: 'User', id: '2' }, { __typename: 'User', id: BOGUS_TOKEN }, { __typename: 'Nope' }],
  });
  await gql(`{ user(id: "${BOGUS_TOKEN}") { id } }`);
  await gql(`mutation($n: String!) { validateUserNonce(userId: "${P0}", nonce: $n) { valid } }`, { n: await nonceFor(TOKENS[0]!) });
  await gql(`mutation($n: String!) { validateUserNonce(userId: "${P0}", nonce: $n) { valid } }`, { n: 'already-used-or-never-issued' });
  await gql(`{ leaderboard(apiName: "HIGH_SCORES") { entries(after: "lbe:garbage") { totalCount } } }`);
  await gql(`{ user(id: "${P0}") { displayNam } }`);
  await gql(`{ user(id: `);
  await send('bad json', app.subgraph.url, {
    method: 'POST',
    headers: { ...callerHeaders(), 'content-type': 'application/json', 'x-horizon-user-token': TOKENS[0]! },
    body: '{"query":',
  });
  await send('get', `${app.subgraph.url}?query=${encodeURIComponent(`{ viewer { id } }`)}`, {
    headers: { ...callerHeaders(), 'x-horizon-user-token': TOKENS[2]!, 'apollo-require-preflight': 'true' },
  });
  await send('csrf', app.subgraph.url, {
    method: 'POST',
    headers: { ...callerHeaders(), 'content-type': 'text/plain', 'x-horizon-user-token': TOKENS[2]! },
    body: '{ __typename }',
  });
  await send('not found', `${app.subgraph.url}nope?access_token=${encodeURIComponent(TOKENS[0]!)}`);
  for (const path of ['health', 'ready', 'metrics']) await send(path, `${app.subgraph.url}${path}`);

  // --- Every mutation ------------------------------------------------------------------------------
  await writeMix('plain');
  await gql(
    `mutation { upsertAchievementDefinition(input: { apiName: "SWEEP_COUNT", type: COUNT, writePolicy: SERVER_AUTHORITATIVE, target: 3, title: "Sweep" }) { apiName } }`,
  );
  await gql(`mutation { resetAchievements(userId: "${PLAYERS[3]}") { success } }`);
  await gql(
    `mutation { upsertLeaderboard(input: { apiName: "SWEEP_BOARD", sortOrder: HIGHER_IS_BETTER, writePolicy: SERVER_AUTHORITATIVE, titles: [{ locale: "en_US", title: "Sweep" }] }) { created } }`,
  );
  await gql(`mutation { submitLeaderboardScore(userId: "${P0}", leaderboard: "SWEEP_BOARD", score: "5") { entry { id } } }`);
  const entries = await gql(`{ leaderboard(apiName: "SWEEP_BOARD") { entries { nodes { id } } } }`);
  const entryId = entries?.data?.leaderboard?.entries?.nodes?.[0]?.id ?? '1';
  await gql(`mutation { deleteLeaderboardEntry(id: "${entryId}") { success } }`);
  await gql(`mutation { removeAllLeaderboardEntries(leaderboard: "SWEEP_BOARD") { success } }`);
  await gql(`mutation { deleteLeaderboard(apiName: "SWEEP_BOARD") { success } }`);
  await gql(`mutation { refundPurchase(userId: "${P0}", sku: "dlc_frozen_peaks", reason: CUSTOMER_SUPPORT) { refunded } }`);
  await gql(`mutation { extendSubscription(userId: "${P0}", sku: "vip_pass", days: 3) { extended subscription { periodEnd } } }`);
  await gql(`mutation { cancelSubscription(userId: "${P0}", sku: "vip_pass", reason: OTHER) { cancelled } }`);
  const room = await gql(`mutation { createModeratedRoom(maxUsers: 4) { room { id } } }`);
  const roomId = room?.data?.createModeratedRoom?.room?.id ?? '1';
  await gql(`{ moderatedRoom(id: "${roomId}") { id maxUsers } }`);
  await gql(`mutation { updateModeratedRoomDataStore(roomId: "${roomId}", entries: [{ key: "k", value: "${BOGUS_TOKEN}" }]) { success } }`);
  await gql(`mutation { deleteModeratedRoom(roomId: "${roomId}") { success } }`);
  await attestationMix();

  await accountsMix('plain', await ssoCodeFor(TOKENS[0]!));

  // --- Every fault the emulator injects, on reads, player reads and writes -----------------------
  const modes: FaultMode[] = ['error_500', 'error_503_html', 'throttle_429', 'reset_before', 'reset_after', 'truncate_after', 'stall'];
  // Issued before the faults start: the browser's trip to auth.oculus.com is not Graph's.
  const ssoCodes = await Promise.all(modes.map(() => ssoCodeFor(TOKENS[0]!)));
  for (const mode of modes) {
    Object.assign(emulator.faults, { errorRate: 0.7, modes: [mode], routes: [], stallMs: 1_200, retryAfterSeconds: 0, seed: modes.indexOf(mode) + 1 });
    await Promise.all([gql(READS[1]!), gql(VIEWER_READS[0]!, {}, TOKENS[0]), gql(VIEWER_READS[2]!, {}, TOKENS[1])]);
    await writeMix(mode);
    await accountsMix(mode, ssoCodes[modes.indexOf(mode)]!);
    await attestationMix();
  }
  Object.assign(emulator.faults, { errorRate: 0, burst: 0 });
  // Retries after lost replies settle by reading back.
  await writeMix('after-faults');

  // --- Callers refused: a forged JWT, none, a wrong or missing router secret ----------------------
  await gql(READS[0]!, variablesFor, undefined, app, { authorization: `Bearer ${forgedJwt}` });
  await gql(READS[1]!, variablesFor, undefined, app, { authorization: `Basic ${callerJwt}` });
  await gql(READS[2]!, variablesFor, undefined, app, { 'x-router-secret': BAD_ROUTER_SECRET });
  await send('no router secret', app.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${callerJwt}` },
    body: JSON.stringify({ query: READS[3] }),
  });

  // --- A subgraph with the wrong app secret: Graph's 190 on every app call ------------------------
  for (const query of READS) await gql(query, variablesFor, undefined, wrongApp);
  await gql(VIEWER_READS[0]!, {}, TOKENS[0], wrongApp);
  await gql(`mutation { unlockAchievement(userId: "${P0}", apiName: "FIRST_STEPS") { justUnlocked } }`, {}, undefined, wrongApp);
  await gql(`mutation { consumePurchase(userId: "${P0}", sku: "gems_100", idempotencyKey: "wrong-secret-1") { consumed } }`, {}, undefined, wrongApp);
  await attestationMix(wrongApp);

  // --- The traffic really covered the failures -------------------------------------------------------
  const seen = codes();
  for (const code of [
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'UPSTREAM_AUTH_FAILED',
    'UPSTREAM_UNAVAILABLE',
    'NOT_FOUND',
    'BAD_USER_INPUT',
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_REQUEST',
  ]) {
    expect({ code, seen: seen.has(code) }).toEqual({ code, seen: true });
  }
  expect(exchanges.length).toBeGreaterThan(100);
  // Federated traces were asked for and sent: their contents were searched with the rest.
  expect(exchanges.filter((e) => e.body.includes('"ftv1"')).length).toBeGreaterThan(20);
  expect(logLines.length).toBeGreaterThan(100);
  expect(logLines.some((l) => l.includes('upstream call failed'))).toBe(true);
  expect(logLines.some((l) => l.includes('attestation verdict'))).toBe(true);
  expect(attestationTokens.length).toBeGreaterThan(40);
  expect(logLines.some((l) => l.includes('"operation"') || l.includes('"msg":"operation"'))).toBe(true);
  const recorded = spans.getFinishedSpans();
  expect(recorded.length).toBeGreaterThan(100);
  // The players' tokens did go upstream (the emulator authenticated them).
  expect(emulator.requests.filter((r) => r.token === 'user' && r.status === 200).length).toBeGreaterThan(5);

  // --- And no secret anywhere --------------------------------------------------------------------------
  const leaks: string[] = [];
  for (const e of exchanges)
    for (const s of secretsIn(e.headers + e.body + decodedTraces(e.body), secrets()))
      leaks.push(`response to ${e.what} (${e.status}) contains ${s}: ${e.body.slice(0, 300)}`);
  for (const line of logLines) for (const s of secretsIn(line, secrets())) leaks.push(`log line contains ${s}: ${line.slice(0, 400)}`);
  for (const span of recorded) {
    const text = JSON.stringify({
      name: span.name,
      attributes: span.attributes,
      status: span.status,
      events: span.events,
      links: span.links,
      resource: span.resource.attributes,
    });
    for (const s of secretsIn(text, secrets())) leaks.push(`span ${span.name} contains ${s}: ${text.slice(0, 400)}`);
  }
  expect(leaks).toEqual([]);

  // --- The credentials issued to the callers went to them alone -----------------------------------------
  const issued = issuedCredentials();
  expect(issued.filter((c) => c.startsWith(`${ISSUED_PREFIX}OCA`)).length).toBeGreaterThan(3);
  expect(issued.filter((c) => c.startsWith(`${ISSUED_PREFIX}FRL`)).length).toBeGreaterThan(0);
  expect(issued.filter((c) => c.startsWith(`${ISSUED_PREFIX}CODE`)).length).toBeGreaterThan(3);
  const answered: string[] = [];
  for (const e of exchanges) {
    let parsed: any;
    try {
      parsed = JSON.parse(e.body);
    } catch {
      parsed = e.body;
    }
    const answersTokens = TOKEN_ANSWERS.some((name) => parsed?.data?.[name]);
    // Only the data of a mutation that answers a credential may hold one; its traces, errors and headers may not.
    const rest = answersTokens ? JSON.stringify({ ...parsed, data: undefined }) : e.body;
    for (const s of secretsIn(e.headers + rest + decodedTraces(e.body), issued)) leaks.push(`response to ${e.what} (${e.status}) contains ${s}`);
    if (answersTokens) {
      answered.push(...secretsIn(JSON.stringify(parsed.data), issued));
      expect({ what: e.what, cacheControl: JSON.parse(e.headers)['cache-control'] }).toEqual({ what: e.what, cacheControl: 'no-store' });
    }
  }
  // SSO codes never come back at all: they are the caller's input.
  expect(answered.filter((c) => c.startsWith(`${ISSUED_PREFIX}CODE`))).toEqual([]);
  expect(answered.length).toBeGreaterThan(3);
  for (const line of logLines) for (const s of secretsIn(line, issued)) leaks.push(`log line contains ${s}: ${line.slice(0, 400)}`);
  for (const span of recorded) {
    const text = JSON.stringify({ name: span.name, attributes: span.attributes, status: span.status, events: span.events, links: span.links });
    for (const s of secretsIn(text, issued)) leaks.push(`span ${span.name} contains ${s}: ${text.slice(0, 400)}`);
  }
  expect(leaks).toEqual([]);
}, 90_000);
