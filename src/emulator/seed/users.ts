/** The demo players, each with a token, and their friendships. */
import type { EmulatorState } from '../state.js';
import { demoUser, demoUserId } from './demo.js';

/** The named demo players, at indices 0..11 (the leaderboard seed adds challengers after them). */
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

export function seedUsers(state: EmulatorState): void {
  PLAYERS.forEach(([alias, displayName], index) => {
    state.addUser({
      ...demoUser(index, alias, displayName),
      // Every player but the last has an avatar image, so "none" can be seen too.
      ...(index < PLAYERS.length - 1
        ? { avatar_v2: { avatar_image: { uri: `https://scontent.oculuscdn.com/emulator/avatars/v2/${alias.toLowerCase()}.png` } } }
        : {}),
    });
  });

  // Friends: each player is friends with the next two, so FRIENDS views have something to show.
  for (let i = 0; i < PLAYERS.length; i++) {
    state.befriend(demoUserId(i), demoUserId((i + 1) % PLAYERS.length));
    state.befriend(demoUserId(i), demoUserId((i + 2) % PLAYERS.length));
  }
}
