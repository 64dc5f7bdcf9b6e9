/**
 * The typed Horizon S2S client: one transport (one connection pool), one object per API area.
 * `scoped` gives one operation its own view, whose calls are tallied against that operation.
 */
import { AccountsApi } from './accounts.js';
import { AchievementsApi } from './achievements.js';
import { IntegrityApi } from './integrity.js';
import { LeaderboardsApi } from './leaderboards.js';
import { PurchasesApi } from './purchases.js';
import { RoomsApi } from './rooms.js';
import { SubscriptionsApi } from './subscriptions.js';
import type { CallScope, RequestSender } from './request.js';
import { HorizonTransport, type TransportOptions } from './transport.js';
import { UsersApi } from './users.js';

export class HorizonClient {
  readonly accounts: AccountsApi;
  readonly achievements: AchievementsApi;
  readonly leaderboards: LeaderboardsApi;
  readonly purchases: PurchasesApi;
  readonly subscriptions: SubscriptionsApi;
  readonly rooms: RoomsApi;
  readonly users: UsersApi;
  readonly integrity: IntegrityApi;

  constructor(
    readonly transport: HorizonTransport,
    sender: RequestSender = transport,
  ) {
    this.accounts = new AccountsApi(sender, transport.federatedAppId);
    this.achievements = new AchievementsApi(sender, transport.maxImageBytes);
    this.leaderboards = new LeaderboardsApi(sender);
    this.purchases = new PurchasesApi(sender);
    this.subscriptions = new SubscriptionsApi(sender);
    this.rooms = new RoomsApi(sender);
    this.users = new UsersApi(sender);
    this.integrity = new IntegrityApi(sender);
  }

  /** This client for one operation: the same pool and interceptors, every call counted in `scope`. */
  scoped(scope: CallScope): HorizonClient {
    return new HorizonClient(this.transport, this.transport.scoped(scope));
  }

  static create(options: TransportOptions): HorizonClient {
    return new HorizonClient(new HorizonTransport(options));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
