/**
 * Demo account links and federated users: SSO codes the demo's examples exchange (each once:
 * they are single-use), a refresh code of a player already linked, and a few cross-play players.
 */
import type { EmulatorState } from '../state.js';
import { demoUserId } from './demo.js';

/** SSO codes of demo player 0 (org-scoped id `DEMO_ORG_SCOPED_ID`), good once each and never expiring. */
export const DEMO_SSO_CODES = ['demo-sso-code-1', 'demo-sso-code-2', 'demo-sso-code-3', 'demo-sso-code-4'] as const;
/** The refresh code of demo player 0's link; it stays good. */
export const DEMO_REFRESH_CODE = 'demo-refresh-code';

const FEDERATED: Array<[persistentId: string, displayName: string]> = [
  ['steam:76561198000000001', 'Crossplay Kai'],
  ['psn:demo-player-2', 'Crossplay Mira'],
  ['epic:demo-player-3', 'Crossplay Kai'],
];

export function seedAccounts(state: EmulatorState): void {
  const player = state.users.get(demoUserId(0))!;
  for (const code of DEMO_SSO_CODES) state.accounts.ssoCodes.set(code, { userId: player.id, orgScopedId: player.org_scoped_id, expiresAt: Infinity });
  state.accounts.refreshCodes.set(DEMO_REFRESH_CODE, { userId: player.id, orgScopedId: player.org_scoped_id });
  for (const [persistentId, displayName] of FEDERATED) {
    state.accounts.federatedUsers.set(persistentId, {
      id: state.newId(),
      persistent_id: persistentId,
      display_name: displayName,
      unique_name: state.accounts.uniqueName(displayName, persistentId),
    });
  }
}
