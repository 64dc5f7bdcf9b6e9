/**
 * Test harness: a fresh emulator on loopback, a Horizon client pointed at it, and the
 * subgraph's ApolloServer, so tests run operations with `executeOperation` and count the
 * upstream calls each one made from the emulator's request log.
 */
import type { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import pino from 'pino';
import { request } from 'undici';
import { demoUserToken, startEmulator, type EmulatorOptions, type RequestLogEntry, type RunningEmulator } from '../../src/emulator/index.js';
import { tokenCaller, type Caller } from '../../src/auth/caller.js';
import { createContext, type Context } from '../../src/graphql/context.js';
import { DEFAULTS } from '../../src/config.js';
import { createSharedCaches, type SharedCacheOptions, type SharedCaches } from '../../src/graphql/sharedCache.js';
import { HorizonClient } from '../../src/horizon/client.js';
import { IdempotencyLedger } from '../../src/idempotency/ledger.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';
import type { TransportOptions } from '../../src/horizon/transport.js';
import type { Logger } from '../../src/logger.js';
import { scopesDeclared } from '../../src/auth/directives.js';
import { loadTypeDefs } from '../../src/schema.js';
import { createApolloServer } from '../../src/graphql/apolloServer.js';
import type { ServerConfig } from '../../src/subgraphDeps.js';
import type { IntegrityDeps } from '../../src/graphql/integrity/models.js';
import { MemoryIntegrityStore, type IntegrityStore } from '../../src/store/integrity.js';

export const silentLogger: Logger = pino({ level: 'silent' });

/** Every scope the schema's @requiresScopes name. */
export const ALL_SCOPES: string[] = scopesDeclared(parse(loadTypeDefs()));

export function clientFor(emulator: RunningEmulator, overrides: Partial<TransportOptions> = {}): HorizonClient {
  return HorizonClient.create({
    baseUrl: emulator.url,
    appId: emulator.appId,
    appSecret: emulator.appSecret,
    maxConnections: 16,
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    ...overrides,
  });
}

export interface Harness {
  emulator: RunningEmulator;
  caches: SharedCaches;
  horizon: HorizonClient;
  server: ApolloServer<Context>;
  /** Runs one operation as a fresh request (fresh loaders) and returns its single result; with `userToken`, as the gateway forwarding that player's token. */
  execute(
    query: string,
    variables?: Record<string, unknown>,
    as?: { userToken?: string | undefined },
  ): Promise<{ data?: Record<string, any> | null; errors?: ReadonlyArray<any> }>;
  /** Upstream requests logged since the last `resetUpstream`, optionally only those of one route. */
  upstream(route?: string): RequestLogEntry[];
  resetUpstream(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  server?: Partial<ServerConfig>;
  cache?: SharedCacheOptions;
  /** Transport settings of the subgraph's Horizon client (deadlines, retries, breaker). */
  client?: Partial<TransportOptions>;
  /** The idempotency ledger; default: a fresh in-memory one. */
  ledger?: IdempotencyLedger;
  /** Attestation's store and policy; default: in memory, trusting the emulator's demo package and certificate. */
  integrity?: IntegrityDeps;
  /** Who `execute` runs as; default: a verified caller holding every scope the schema declares. */
  caller?: Caller;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startEmulator(options.emulator);
  const horizon = clientFor(emulator, options.client);
  const ledger = options.ledger ?? new IdempotencyLedger(new MemoryIdempotencyStore());
  const integrity = options.integrity ?? demoIntegrity(emulator);
  const config: ServerConfig = { production: false, corsOrigins: [], maxBodyBytes: 1024 * 1024, ...options.server };
  const server = createApolloServer({ config, logger: silentLogger });
  // Shared by the harness's requests, as the server shares them in production.
  const caches = createSharedCaches(options.cache ?? DEFAULTS.cache);
  await server.start();
  let requestNumber = 0;
  // Every field's @authenticated/@requiresScopes check runs, and passes, unless a test picks another caller.
  const caller = options.caller ?? tokenCaller('harness', ALL_SCOPES);
  return {
    emulator,
    caches,
    horizon,
    server,
    async execute(query, variables, as = {}) {
      const context = createContext({
        horizon,
        logger: silentLogger,
        caches,
        ledger,
        integrity,
        requestId: `test-${++requestNumber}`,
        caller,
        userToken: as.userToken,
      });
      const response = await server.executeOperation({ query, variables }, { contextValue: context });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as { data?: Record<string, any> | null; errors?: ReadonlyArray<any> };
    },
    upstream(route) {
      return emulator.requests.filter((r) => route === undefined || r.route === route);
    },
    resetUpstream() {
      emulator.clearRequests();
    },
    async close() {
      await server.stop();
      await horizon.close();
      await emulator.close();
    },
  };
}

/** Attestation as demo mode runs it: in memory, the emulator's demo package and certificate are ours. */
export function demoIntegrity(emulator: Pick<RunningEmulator, 'attestation'>, store: IntegrityStore = new MemoryIntegrityStore()): IntegrityDeps {
  return {
    store,
    policy: { ...DEFAULTS.attestation, packageIds: [emulator.attestation.packageId], certificateDigests: [emulator.attestation.certificateDigest] },
  };
}

/** Emulator route names, for counting upstream calls. */
export const ROUTES = {
  definitions: 'GET /:app_id/achievement_definitions',
  upsertDefinition: 'POST /:app_id/achievement_definitions',
  progress: 'GET /:user_id/achievements',
  writeProgress: 'POST /:user_id/achievements',
  removeAll: 'POST /achievement_remove_all',
  node: 'GET /:node_id',
  deleteNode: 'DELETE /:node_id',
  me: 'GET /me',
  // Leaderboards (docs/horizon-api.md)
  leaderboards: 'GET /:app_id/leaderboards',
  upsertLeaderboard: 'POST /:app_id/leaderboards',
  leaderboardEntries: 'GET /leaderboard_entries',
  submitEntry: 'POST /leaderboard_submit_entry',
  removeAllEntries: 'POST /leaderboard_remove_all_entries',
  // Purchases and subscriptions (docs/horizon-api.md)
  verifyEntitlement: 'POST /:app_id/verify_entitlement',
  consumeEntitlement: 'POST /:app_id/consume_entitlement',
  viewerPurchases: 'GET /:app_id/viewer_purchases',
  availablePurchases: 'GET /application/available_purchases',
  refundEntitlement: 'POST /:app_id/refund_iap_entitlement',
  subscriptions: 'GET /application/subscriptions',
  cancelSubscription: 'POST /application/cancel_subscription',
  extendSubscription: 'POST /application/extend_subscription',
  // Accounts: SSO linking and federated users (docs/horizon-api.md)
  ssoCodeGenerate: 'POST /sso_code_generate',
  ssoAuthorizeCode: 'POST /sso_authorize_code',
  ssoRefresh: 'POST /sso_authorize_refresh_code',
  federatedCreate: 'POST /:app_id/federated_user_create',
  federatedUpdate: 'POST /:app_id/federated_user_update',
  federatedDelete: 'DELETE /:app_id/federated_user',
  federatedToken: 'POST /:app_id/federated_user_gen_access_token',
  federatedUsers: 'GET /:app_id/federated_users',
} as const;

/** What the browser brings back from `auth.oculus.com/sso` for a demo player: a fresh single-use SSO code. */
export async function issueSsoCode(emulatorUrl: string, userIndex: number): Promise<{ code: string; org_scoped_id: string }> {
  const response = await request(`${emulatorUrl}/sso_code_generate`, { method: 'POST', headers: { authorization: `Bearer ${demoUserToken(userIndex)}` } });
  return (await response.body.json()) as { code: string; org_scoped_id: string };
}

/** What the Platform SDK does on the device for `Users.GetUserProof()`: a fresh single-use nonce. */
export async function issueNonce(emulatorUrl: string, userIndex: number): Promise<string> {
  const response = await request(`${emulatorUrl}/user_nonce_generate`, { method: 'POST', headers: { authorization: `Bearer ${demoUserToken(userIndex)}` } });
  const body = (await response.body.json()) as { nonce: string };
  return body.nonce;
}

/**
 * An attestation token for `nonce` as player `userIndex`'s headset would get it, through the
 * emulator's stand-in for the device SDK (`POST /device_integrity_token`); the options pick a
 * tampered app or device, another package, another headset.
 */
export async function mintAttestationToken(
  emulatorUrl: string,
  userIndex: number,
  nonce: string,
  options: { app_integrity_state?: string; device_integrity_state?: string; package_id?: string; device?: string } = {},
): Promise<string> {
  const response = await request(`${emulatorUrl}/device_integrity_token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${demoUserToken(userIndex)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ challenge_nonce: nonce, ...options }).toString(),
  });
  const body = (await response.body.json()) as { attestation_token?: string; error?: { message: string } };
  if (!body.attestation_token) throw new Error(`no attestation token: ${body.error?.message}`);
  return body.attestation_token;
}
