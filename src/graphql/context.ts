/** What every resolver receives: the caller's request identity and per-request loaders. */
import type { CancelSignal } from '../horizon/signal.js';
import type { Logger } from 'pino';
import { AUTH_DISABLED, type Caller } from '../auth/caller.js';
import type { HorizonClient } from '../horizon/client.js';
import type { CallScope } from '../horizon/request.js';
import type { BatchObserver, LoaderOptions } from './loaderOptions.js';
import { IdempotencyLedger } from '../idempotency/ledger.js';
import { MemoryIdempotencyStore } from '../idempotency/store.js';
import { createAccountLoaders, type AccountLoaders } from './accounts/loaders.js';
import { DEFAULTS } from '../config.js';
import { MemoryIntegrityStore } from '../store/integrity.js';
import type { IntegrityDeps } from './integrity/models.js';
import { createAchievementLoaders, type AchievementLoaders } from './achievements/loaders.js';
import { ErrorCode, userError } from './errors.js';
import { createLeaderboardLoaders, type LeaderboardLoaders } from './leaderboards/loaders.js';
import { createPurchaseLoaders, type PurchaseLoaders } from './purchases/loaders.js';
import { noSharedCaches, type SharedCaches } from './sharedCache.js';
import { createSubscriptionLoaders, type SubscriptionLoaders } from './subscriptions/loaders.js';
import { createUserLoaders, type UserLoaders } from './users/loaders.js';
import { MemoryWebhookEventStore, type WebhookEventStore } from '../webhooks/store.js';
import { DEFAULT_WEBHOOK_RETENTION_MS } from '../webhooks/events.js';

/**
 * The header in which the gateway forwards the calling player's Horizon user access token
 * (from `ovr_User_GetAccessToken()` on the device). Used for viewer-bound reads only; never logged.
 */
export const USER_TOKEN_HEADER = 'x-horizon-user-token';

export interface Loaders {
  accounts: AccountLoaders;
  achievements: AchievementLoaders;
  leaderboards: LeaderboardLoaders;
  purchases: PurchaseLoaders;
  subscriptions: SubscriptionLoaders;
  users: UserLoaders;
}

export interface Context {
  requestId: string;
  /** This operation's tally of upstream calls (its log line reports it). */
  scope: CallScope;
  caches: SharedCaches;
  ledger: IdempotencyLedger;
  /** Recorded Horizon webhook events (src/webhooks), for reconciliation. */
  webhookEvents: WebhookEventStore;
  /** Attestation's nonce and ban-note store (shared by replicas with Redis) and its policy. */
  integrity: IntegrityDeps;
  horizon: HorizonClient;
  loaders: Loaders;
  logger: Logger;
  /** The calling player's user access token, when the gateway forwarded one. */
  userToken: string | undefined;
  /** Aborted when the caller goes away: pass it to reads, never to writes. */
  signal: CancelSignal | undefined;
  /** Who is calling (their verified JWT's scopes), checked against the schema's @authenticated/@requiresScopes (src/auth). */
  caller: Caller;
}

export function createContext(options: {
  horizon: HorizonClient;
  logger: Logger;
  requestId: string;
  /** Reports DataLoader batch sizes (metrics). */
  onBatch?: BatchObserver;
  /** Called as the operation's first upstream call starts (admission control). */
  onFirstUpstreamCall?: () => void;
  /** The process's shared caches; without them nothing is shared between requests. */
  caches?: SharedCaches;
  /** The idempotency ledger shared by the process (and, with Redis, by every replica). */
  ledger?: IdempotencyLedger;
  /** The webhook events shared by the process (and, with Redis, by every replica); default: none recorded. */
  webhookEvents?: WebhookEventStore;
  /** Attestation's store and policy; default: in memory, the default policy. */
  integrity?: IntegrityDeps;
  signal?: CancelSignal;
  userToken?: string;
  /**
   * The verified caller. The HTTP server always passes the one its authenticator built from the
   * `Authorization` header; without it (in-process use: tests, scripts) caller checks are off.
   */
  caller?: Caller;
}): Context {
  const { signal, userToken } = options;
  const caches = options.caches ?? noSharedCaches();
  const ledger = options.ledger ?? new IdempotencyLedger(new MemoryIdempotencyStore());
  const scope: CallScope = { requestId: options.requestId, upstreamCalls: 0, upstreamErrors: 0, onFirstCall: options.onFirstUpstreamCall };
  // This operation's view of the client: its calls are tallied in `scope`, and logged with its id.
  const horizon = options.horizon.scoped(scope);
  const loaderOptions: LoaderOptions = { signal, userToken, onBatch: options.onBatch };
  // Users first: other domains prime it with the profiles nested in their responses.
  const users = createUserLoaders(horizon, loaderOptions);
  return {
    requestId: options.requestId,
    scope,
    caches,
    ledger,
    webhookEvents: options.webhookEvents ?? new MemoryWebhookEventStore(DEFAULT_WEBHOOK_RETENTION_MS),
    integrity: options.integrity ?? { store: new MemoryIntegrityStore(), policy: DEFAULTS.attestation },
    horizon,
    logger: options.logger,
    userToken,
    signal,
    caller: options.caller ?? AUTH_DISABLED,
    loaders: {
      accounts: createAccountLoaders(horizon, loaderOptions),
      achievements: createAchievementLoaders(horizon, loaderOptions, caches),
      leaderboards: createLeaderboardLoaders(horizon, loaderOptions, users, caches),
      purchases: createPurchaseLoaders(horizon, loaderOptions, caches),
      subscriptions: createSubscriptionLoaders(horizon, loaderOptions),
      users,
    },
  };
}

/** The caller's user token, or an UNAUTHENTICATED error for the field that needs it. */
export function requireUserToken(ctx: Context): string {
  if (!ctx.userToken) {
    throw userError(
      ErrorCode.UNAUTHENTICATED,
      `This field acts as the calling player: send their Horizon user access token in the ${USER_TOKEN_HEADER} header`,
      {
        reason: 'USER_TOKEN_MISSING',
      },
    );
  }
  return ctx.userToken;
}

/**
 * The user token of the player `userId`, for a write Horizon takes only with that player's own
 * token: UNAUTHENTICATED without one, FORBIDDEN (`refusal`) when it is another player's.
 */
export async function requirePlayerToken(ctx: Context, userId: string, refusal: string): Promise<string> {
  const userToken = requireUserToken(ctx);
  if ((await ctx.loaders.users.viewer()).id !== userId) throw userError(ErrorCode.FORBIDDEN, refusal);
  return userToken;
}
