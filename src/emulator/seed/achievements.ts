/**
 * Achievement definitions of every type and both write policies (one archived, one secret),
 * and some progress for the first eight players, varied but fixed.
 */
import { upsertDefinition } from '../routes/achievements.js';
import type { EmulatorState } from '../state.js';
import { demoUserId } from './demo.js';

const IMAGE_BASE = 'https://scontent.oculuscdn.com/emulator/achievements';

export function seedAchievements(state: EmulatorState): void {
  // Through the upsert the API serves, so the demo definitions pass its checks.
  const definitions: Array<Record<string, string>> = [
    {
      api_name: 'FIRST_STEPS',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      title: 'First Steps',
      description: 'Finish the tutorial.',
    },
    {
      api_name: 'SPEED_DEMON',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'CLIENT_AUTHORITATIVE',
      title: 'Speed Demon',
      description: 'Finish a race in under a minute.',
    },
    {
      api_name: 'COLLECT_100_GEMS',
      achievement_type: 'COUNT',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      target: '100',
      title: 'Gem Hoarder',
      description: 'Collect 100 gems.',
      unlocked_description_override: 'You collected 100 gems.',
    },
    {
      api_name: 'WIN_10_MATCHES',
      achievement_type: 'COUNT',
      achievement_write_policy: 'CLIENT_AUTHORITATIVE',
      target: '10',
      title: 'Contender',
      description: 'Win 10 matches.',
    },
    {
      api_name: 'VISIT_3_CONTINENTS',
      achievement_type: 'BITFIELD',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      target: '3',
      bitfield_length: '7',
      title: 'Globetrotter',
      description: 'Visit 3 of the 7 continents.',
    },
    {
      api_name: 'FIND_ALL_RELICS',
      achievement_type: 'BITFIELD',
      achievement_write_policy: 'CLIENT_AUTHORITATIVE',
      target: '5',
      bitfield_length: '5',
      title: 'Relic Hunter',
      description: 'Find all 5 relics.',
    },
    {
      api_name: 'SECRET_ROOM',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      title: 'Behind the Waterfall',
      description: 'Find the secret room.',
      is_secret: 'true',
    },
    {
      api_name: 'BETA_TESTER',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      title: 'Beta Tester',
      description: 'Played during the beta.',
      is_archived: 'true',
    },
  ];
  for (const definition of definitions) {
    const slug = definition.api_name!.toLowerCase();
    upsertDefinition(state, definition, { locked_image_uri: `${IMAGE_BASE}/${slug}_locked.png`, unlocked_image_uri: `${IMAGE_BASE}/${slug}_unlocked.png` });
  }

  // Some progress for the first eight players, varied but fixed.
  const unlockTime = 1_760_000_000;
  for (let i = 0; i < 8; i++) {
    const userId = demoUserId(i);
    const progress = state.progressOf(userId);
    const add = (apiName: string, count: number, bits: string, unlocked: boolean) =>
      progress.set(apiName, {
        id: state.achievementDefinitions.get(apiName)!.id,
        user_id: userId,
        api_name: apiName,
        count_progress: BigInt(count),
        bitfield_progress: bits,
        is_unlocked: unlocked,
        unlock_time: unlocked ? unlockTime + i * 3600 : 0,
      });
    add('FIRST_STEPS', 0, '', true);
    add('COLLECT_100_GEMS', Math.min(100, 15 * (i + 1)), '', 15 * (i + 1) >= 100);
    if (i % 2 === 0) add('VISIT_3_CONTINENTS', 0, i < 4 ? '1000100' : '1010100', i >= 4);
    if (i % 3 === 0) add('BETA_TESTER', 0, '', true);
  }
}
