/** The demo leaderboards and their entries, and the players that exist only to fill them. */
import type { EmulatedLeaderboard } from '../data/leaderboards.js';
import { upsertLeaderboard } from '../routes/leaderboards/boards.js';
import type { EmulatorState } from '../state.js';
import { demoUser, demoUserId } from './demo.js';

/** Players that exist only to fill leaderboards, after the 12 demo players (indices 12..39). */
const EXTRA_PLAYERS = 28;
const SEED_TIME = 1_760_000_000;

/**
 * Three boards, one per kind of rule: HIGH_SCORES (higher is better, server-authoritative, 40
 * entries so pages have somewhere to go), SPEEDRUN_LEVEL_1 (lower is better, client-authoritative,
 * ten runs), SEASON_0 (a time window that has closed, and titles in four locales).
 */
export function seedLeaderboards(state: EmulatorState): void {
  for (let i = 12; i < 12 + EXTRA_PLAYERS; i++) state.addUser(demoUser(i, `Challenger${i}`, `Challenger ${i}`));
  const board = (params: Record<string, string>) => upsertLeaderboard(state, params);
  const enter = (b: EmulatedLeaderboard, userIndex: number, score: bigint, timestamp: number, extra = '') => {
    const userId = demoUserId(userIndex);
    state.leaderboards.entriesOf(b.id).set(userId, { id: state.newId(), leaderboard_id: b.id, user_id: userId, score, timestamp, extra_data_base64: extra });
  };

  const highScores = board({
    api_name: 'HIGH_SCORES',
    sort_order: 'HIGHER_IS_BETTER',
    entry_write_policy: 'SERVER_AUTHORITATIVE',
    title_locale_map: JSON.stringify({ en_US: 'High Scores', fr_FR: 'Meilleurs scores' }),
  });
  // A fixed permutation of 40 distinct scores, so ranks do not follow user order...
  const highScore = (i: number) => BigInt(10_000 + ((i * 17) % 40) * 2_500);
  for (let i = 0; i < 12 + EXTRA_PLAYERS; i++) {
    // ...except a tie at the top: player 8 matches player 7's best score but wrote it later, so ranks second.
    const score = i === 8 ? highScore(7) : highScore(i);
    enter(highScores, i, score, SEED_TIME + i * 600, i % 5 === 0 ? Buffer.from(`level:${i % 7}`).toString('base64') : '');
  }

  const speedrun = board({
    api_name: 'SPEEDRUN_LEVEL_1',
    sort_order: 'LOWER_IS_BETTER',
    entry_write_policy: 'CLIENT_AUTHORITATIVE',
    title_locale_map: JSON.stringify({ en_US: 'Level 1 Speedrun' }),
  });
  // Milliseconds; players 10 and 11 never ran it.
  for (let i = 0; i < 10; i++) enter(speedrun, i, BigInt(61_000 + ((i * 7) % 10) * 1_337), SEED_TIME + i * 60);

  const season = board({
    api_name: 'SEASON_0',
    sort_order: 'HIGHER_IS_BETTER',
    entry_write_policy: 'SERVER_AUTHORITATIVE',
    earliest_allowed_entry_time: '1735689600', // 2025-01-01T00:00:00Z
    latest_allowed_entry_time: '1751327999', // 2025-06-30T23:59:59Z
    title_locale_map: JSON.stringify({ en_US: 'Season 0', en_GB: 'Season Nought', fr_FR: 'Saison 0', ja_JP: 'シーズン0' }),
  });
  for (let i = 0; i < 6; i++) enter(season, i, BigInt(500 - i * 40), 1_740_000_000 + i * 86_400);
}
