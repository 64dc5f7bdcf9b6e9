/** Who the demo data is about: the emulator's app, and the players' ids and tokens every domain's seed uses. */
import type { EmulatedUser } from '../state.js';

/** The emulator's app. The secret is deliberately not shaped like a real one (docs/horizon-api.md). */
export const DEMO_APP = { id: '1234567898014273', secret: 'emulator-demo-secret' } as const;

/** App-scoped id of the i-th demo player (0-based). */
export function demoUserId(index: number): string {
  return (3559884437424131n + BigInt(index) * 7919n).toString();
}

/** The user access token of the i-th demo player, as a device would hand it over. */
export function demoUserToken(index: number): string {
  return `FRLDEMO${demoUserId(index)}EMULATORUSERTOKEN`;
}

/** The i-th demo player: id, token, avatar URL and org-scoped id all follow from the index and alias. */
export function demoUser(index: number, alias: string, displayName: string): EmulatedUser {
  return {
    id: demoUserId(index),
    alias,
    display_name: displayName,
    profile_url: `https://scontent.oculuscdn.com/emulator/avatars/${alias.toLowerCase()}.png`,
    org_scoped_id: (5978973908802860n + BigInt(index) * 104729n).toString(),
    token: demoUserToken(index),
  };
}
