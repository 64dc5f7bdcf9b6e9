/**
 * Demo data: one app, a dozen players with tokens (the leaderboard seed adds more), achievement definitions of every type
 * and both write policies (one archived, one secret), and some progress, so `npm start`
 * shows a populated graph. Deterministic: the same world every start.
 */
import { seedCommerce } from './routes/commerce.js';
import { seedLeaderboards } from './routes/leaderboards.js';
import { seedRooms } from './routes/rooms.js';
import type { EmulatorState } from './state.js';

/** The emulator's app. The secret is deliberately not shaped like a real one (docs/horizon-api.md). */
export const DEMO_APP = { id: '1234567898014273', secret: 'emulator-demo-secret' } as const;

const PLAYERS: Array<[alias: string, displayName: string]> = [
  ['NovaRider', 'Nova Rider'],
  ['PixelMage', 'Pixel Mage'],
  ['QuietStorm', 'Quiet Storm'],
  ['LunaByte', 'Luna Byte'],
  ['IronFern', 'Iron Fern'],
  ['CobaltFox', 'Cobalt Fox'],
  ['EmberJay', 'Ember Jay'],
  ['GlitchOwl', 'Glitch Owl'],
  ['SolarKite', 'Solar Kite'],
  ['MossGiant', 'Moss Giant'],
  ['VelvetAxe', 'Velvet Axe'],
  ['ZeroGravity', 'Zero Gravity'],
];

/** App-scoped id of the i-th demo player (0-based). */
export function demoUserId(index: number): string {
  return (3559884437424131n + BigInt(index) * 7919n).toString();
}

/** The user access token of the i-th demo player, as a device would hand it over. */
export function demoUserToken(index: number): string {
  return `FRLDEMO${demoUserId(index)}EMULATORUSERTOKEN`;
}

const IMAGE_BASE = 'https://scontent.oculuscdn.com/emulator/achievements';

export function seedDemoData(state: EmulatorState): void {
  PLAYERS.forEach(([alias, displayName], index) => {
    const id = demoUserId(index);
    state.addUser({
      id,
      alias,
      display_name: displayName,
      profile_url: `https://scontent.oculuscdn.com/emulator/avatars/${alias.toLowerCase()}.png`,
      org_scoped_id: (5978973908802860n + BigInt(index) * 104729n).toString(),
      // Every player but the last has an avatar image, so "none" can be seen too.
      ...(index < PLAYERS.length - 1
        ? { avatar_v2: { avatar_image: { uri: `https://scontent.oculuscdn.com/emulator/avatars/v2/${alias.toLowerCase()}.png` } } }
        : {}),
      token: demoUserToken(index),
    });
  });

  const definitions: Array<Parameters<typeof define>[1]> = [
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
      target: 100,
      title: 'Gem Hoarder',
      description: 'Collect 100 gems.',
      unlocked_description_override: 'You collected 100 gems.',
    },
    {
      api_name: 'WIN_10_MATCHES',
      achievement_type: 'COUNT',
      achievement_write_policy: 'CLIENT_AUTHORITATIVE',
      target: 10,
      title: 'Contender',
      description: 'Win 10 matches.',
    },
    {
      api_name: 'VISIT_3_CONTINENTS',
      achievement_type: 'BITFIELD',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      target: 3,
      bitfield_length: 7,
      title: 'Globetrotter',
      description: 'Visit 3 of the 7 continents.',
    },
    {
      api_name: 'FIND_ALL_RELICS',
      achievement_type: 'BITFIELD',
      achievement_write_policy: 'CLIENT_AUTHORITATIVE',
      target: 5,
      bitfield_length: 5,
      title: 'Relic Hunter',
      description: 'Find all 5 relics.',
    },
    {
      api_name: 'SECRET_ROOM',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      title: 'Behind the Waterfall',
      description: 'Find the secret room.',
      is_secret: true,
    },
    {
      api_name: 'BETA_TESTER',
      achievement_type: 'SIMPLE',
      achievement_write_policy: 'SERVER_AUTHORITATIVE',
      title: 'Beta Tester',
      description: 'Played during the beta.',
      is_archived: true,
    },
  ];
  for (const definition of definitions) define(state, definition);

  // Friends: each player is friends with the next two, so FRIENDS views have something to show.
  for (let i = 0; i < PLAYERS.length; i++) {
    state.befriend(demoUserId(i), demoUserId((i + 1) % PLAYERS.length));
    state.befriend(demoUserId(i), demoUserId((i + 2) % PLAYERS.length));
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

  seedLeaderboards(state);
  seedCommerce(state);
  seedRooms(state, demoUserId(0));
}

function define(
  state: EmulatorState,
  definition: {
    api_name: string;
    achievement_type: 'SIMPLE' | 'COUNT' | 'BITFIELD';
    achievement_write_policy: 'CLIENT_AUTHORITATIVE' | 'SERVER_AUTHORITATIVE';
    target?: number;
    bitfield_length?: number;
    title: string;
    description: string;
    unlocked_description_override?: string;
    is_secret?: boolean;
    is_archived?: boolean;
  },
): void {
  const slug = definition.api_name.toLowerCase();
  const { target, ...rest } = definition;
  state.achievementDefinitions.set(definition.api_name, {
    id: state.newId(),
    is_archived: false,
    is_secret: false,
    locked_image_uri: `${IMAGE_BASE}/${slug}_locked.png`,
    unlocked_image_uri: `${IMAGE_BASE}/${slug}_unlocked.png`,
    ...rest,
    ...(target !== undefined ? { target: BigInt(target) } : {}),
  });
}
