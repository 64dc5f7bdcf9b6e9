/**
 * A faithful local emulator of graph.oculus.com (docs/horizon-api.md):
 * real HTTP on loopback, Graph envelopes and token rules, seeded demo data, and a request
 * log that tests and benchmarks read to count upstream calls.
 */
import { EmulatorHttp, type Faults, type RequestLogEntry } from './http.js';
import { accountRoutes, federatedUserNodes } from './routes/accounts.js';
import { achievementRoutes } from './routes/achievements.js';
import { integrityRoutes } from './routes/integrity.js';
import { leaderboardNodes, leaderboardRoutes } from './routes/leaderboards.js';
import { roomNodes, roomRoutes } from './routes/rooms.js';
import { nodeRoutes } from './routes/nodes.js';
import { purchaseNodes, purchaseRoutes } from './routes/purchases.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { userNodes, userRoutes } from './routes/users.js';
import { DEMO_APP, seedDemoData } from './seed/index.js';
import { DEFAULT_BEHAVIOR, EmulatorState, type EmulatorBehavior } from './state.js';
import { webhookControls, WebhookSender, type SenderOptions } from './webhooks.js';
import { DEMO_CERTIFICATE_DIGEST, DEMO_PACKAGE_ID } from './data/integrity.js';

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Load the demo data (default true); otherwise the app exists with no users or records. */
  seed?: boolean;
  appId?: string;
  appSecret?: string;
  behavior?: Partial<EmulatorBehavior>;
  faults?: Partial<Faults>;
  /** Where to POST signed webhooks of purchases, refunds and subscription changes; settable later on `webhooks.target`. */
  webhookUrl?: string;
  /** Retries of webhook deliveries (default: 6 attempts, from 100 ms doubling). */
  webhookRetry?: Partial<SenderOptions>;
}

export interface RunningEmulator {
  url: string;
  appId: string;
  appSecret: string;
  state: EmulatorState;
  /** Requests served so far, oldest first. */
  readonly requests: RequestLogEntry[];
  clearRequests(): void;
  /** Requests being handled right now; stalled ones may still apply their write. */
  readonly inFlight: number;
  faults: Faults;
  /** The webhook sender: its `target`, and the deliveries made. */
  webhooks: WebhookSender;
  /** What a genuine build of the demo app reports in its attestation claims. */
  attestation: { packageId: string; certificateDigest: string };
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const appId = options.appId ?? DEMO_APP.id;
  const appSecret = options.appSecret ?? DEMO_APP.secret;
  const state = new EmulatorState(appId, appSecret, { ...DEFAULT_BEHAVIOR, ...options.behavior });
  if (options.seed ?? true) seedDemoData(state);
  const webhooks = new WebhookSender(appId, appSecret, options.webhookUrl, { maxAttempts: 6, baseDelayMs: 100, timeoutMs: 5_000, ...options.webhookRetry });
  state.webhooks = webhooks;
  const http = new EmulatorHttp(state, [
    ...userRoutes,
    ...accountRoutes,
    ...achievementRoutes,
    ...leaderboardRoutes,
    ...purchaseRoutes,
    ...subscriptionRoutes,
    ...roomRoutes,
    ...integrityRoutes,
    ...nodeRoutes([userNodes, federatedUserNodes, ...leaderboardNodes, ...purchaseNodes, ...roomNodes]),
  ]);
  Object.assign(http.faults, options.faults);
  for (const [path, control] of webhookControls(state)) http.controls.set(path, control);
  const url = await http.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    appId,
    appSecret,
    state,
    get requests() {
      return http.log;
    },
    clearRequests: () => {
      http.log.length = 0;
    },
    faults: http.faults,
    attestation: { packageId: DEMO_PACKAGE_ID, certificateDigest: DEMO_CERTIFICATE_DIGEST },
    get inFlight() {
      return http.inFlight;
    },
    webhooks,
    close: async () => {
      webhooks.close();
      await http.close();
    },
  };
}

export { DEMO_APP, DEMO_BANNED_DEVICE, DEMO_REFRESH_CODE, DEMO_ROOM_ID, DEMO_SSO_CODES, demoUserId, demoUserToken } from './seed/index.js';
export { DEMO_CERTIFICATE_DIGEST, DEMO_PACKAGE_ID, type MintOptions } from './data/integrity.js';
export type { RequestLogEntry } from './http.js';
