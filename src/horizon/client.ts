/** The typed Horizon S2S client: one transport (one connection pool), one object per API area. */
import { AchievementsApi } from './achievements.js';
import { HorizonTransport, type TransportOptions } from './transport.js';
import { UsersApi } from './users.js';

export class HorizonClient {
  readonly achievements: AchievementsApi;
  readonly users: UsersApi;

  constructor(readonly transport: HorizonTransport) {
    this.achievements = new AchievementsApi(transport);
    this.users = new UsersApi(transport);
  }

  static create(options: TransportOptions): HorizonClient {
    return new HorizonClient(new HorizonTransport(options));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
