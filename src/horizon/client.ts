/** The typed Horizon S2S client: one transport (one connection pool), one object per API area. */
import { AchievementsApi } from './achievements.js';
import { LeaderboardsApi } from './leaderboards.js';
import { PurchasesApi } from './purchases.js';
import { RoomsApi } from './rooms.js';
import { SubscriptionsApi } from './subscriptions.js';
import { HorizonTransport, type TransportOptions } from './transport.js';
import { UsersApi } from './users.js';

export class HorizonClient {
  readonly achievements: AchievementsApi;
  readonly leaderboards: LeaderboardsApi;
  readonly purchases: PurchasesApi;
  readonly subscriptions: SubscriptionsApi;
  readonly rooms: RoomsApi;
  readonly users: UsersApi;

  constructor(readonly transport: HorizonTransport) {
    this.achievements = new AchievementsApi(transport);
    this.leaderboards = new LeaderboardsApi(transport);
    this.purchases = new PurchasesApi(transport);
    this.subscriptions = new SubscriptionsApi(transport);
    this.rooms = new RoomsApi(transport);
    this.users = new UsersApi(transport);
  }

  static create(options: TransportOptions): HorizonClient {
    return new HorizonClient(new HorizonTransport(options));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
