/** Moderated rooms (reference §5; deprecated by Meta). */
import type { Route } from '../http.js';
import type { NodeKind } from './nodes.js';

export const roomRoutes: Route[] = [];
export const roomNodes: NodeKind[] = [];
