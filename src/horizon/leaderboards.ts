/** Leaderboards endpoints (reference §3). */
import type { HorizonTransport } from './transport.js';

export class LeaderboardsApi {
  constructor(private readonly transport: HorizonTransport) {}
}
