/** Who the demo data is about: the emulator's app, and the players' ids and tokens every domain's seed uses. */

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
