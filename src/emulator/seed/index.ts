/**
 * Demo data, one module per domain: one app, a dozen players with tokens (the leaderboard seed
 * adds more), achievements, leaderboards, a store with purchases and subscriptions, a room,
 * account links and federated users, so `npm start` shows a populated graph. Deterministic: the
 * same world every start (the order below is the order ids are handed out in).
 */
import type { EmulatorState } from '../state.js';
import { seedAccounts } from './accounts.js';
import { seedAchievements } from './achievements.js';
import { seedIntegrity } from './integrity.js';
import { seedLeaderboards } from './leaderboards.js';
import { seedPurchases } from './purchases.js';
import { seedRooms } from './rooms.js';
import { seedSubscriptions } from './subscriptions.js';
import { seedUsers } from './users.js';

export { DEMO_APP, demoUserId, demoUserToken } from './demo.js';
export { DEMO_ROOM_ID } from './rooms.js';
export { DEMO_REFRESH_CODE, DEMO_SSO_CODES } from './accounts.js';
export { DEMO_BANNED_DEVICE } from './integrity.js';

export function seedDemoData(state: EmulatorState): void {
  seedUsers(state);
  seedAchievements(state);
  seedLeaderboards(state);
  seedPurchases(state);
  seedSubscriptions(state);
  seedRooms(state);
  seedIntegrity(state);
  seedAccounts(state);
}
