/**
 * The optional shared secret between the router and this subgraph (`ROUTER_SHARED_SECRET`,
 * header `x-router-secret`): with it, nothing but the router can run operations here, so
 * nobody can reach `_entities` or any field around the router's own checks. Compared in
 * constant time; checked before Apollo Server sees the request.
 */
import { constantTimeEqual } from '../lib/compare.js';

export const ROUTER_SECRET_HEADER = 'x-router-secret';

export interface RouterSecretRefusal {
  status: 401 | 403;
  /** Sent as a GraphQL-shaped error (src/http/messages.ts `sendError`). */
  message: string;
  extensions: { code: string; reason: string };
}

/** Undefined when `given` matches `expected`; otherwise the HTTP status and error to answer with. */
export function checkRouterSecret(expected: string, given: string | string[] | undefined): RouterSecretRefusal | undefined {
  const value = Array.isArray(given) ? given[0] : given;
  if (value === undefined || value === '') {
    const message = `Only the router may call this subgraph: the ${ROUTER_SECRET_HEADER} header is missing`;
    return { status: 401, message, extensions: { code: 'UNAUTHENTICATED', reason: 'ROUTER_SECRET_MISSING' } };
  }
  if (!constantTimeEqual(value, expected)) {
    const message = `Only the router may call this subgraph: the ${ROUTER_SECRET_HEADER} header is wrong`;
    return { status: 403, message, extensions: { code: 'FORBIDDEN', reason: 'ROUTER_SECRET_INVALID' } };
  }
  return undefined;
}
