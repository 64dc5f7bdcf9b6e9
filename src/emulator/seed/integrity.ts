/** Attestation demo data: one headset already banned, so `deviceBan` shows a ban on demo data. */
import type { EmulatorState } from '../state.js';

/** The headset name whose `unique_id` the demo bans (for 30 days). */
export const DEMO_BANNED_DEVICE = 'demo-banned-headset';

export function seedIntegrity(state: EmulatorState): void {
  const uniqueId = state.integrity.uniqueIdOf(DEMO_BANNED_DEVICE);
  state.integrity.knownDevices.add(uniqueId);
  state.integrity.ban(uniqueId, 30 * 24 * 60);
}
