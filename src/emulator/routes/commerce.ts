/** In-app purchases, entitlements, catalog and subscriptions (reference §1). */
import type { Route } from '../http.js';
import type { EmulatorState } from '../state.js';
import type { NodeKind } from './nodes.js';

export const commerceRoutes: Route[] = [];
export const commerceNodes: NodeKind[] = [];
export function seedCommerce(_state: EmulatorState): void {}
