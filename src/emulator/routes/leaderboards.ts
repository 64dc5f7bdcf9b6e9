/** Leaderboards (reference §3). */
import type { Route } from '../http.js';
import type { EmulatorState } from '../state.js';
import type { NodeKind } from './nodes.js';

export const leaderboardRoutes: Route[] = [];
export const leaderboardNodes: NodeKind[] = [];
export function seedLeaderboards(_state: EmulatorState): void {}
