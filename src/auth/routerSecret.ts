/**
 * The optional shared secret between the router and this subgraph (`ROUTER_SHARED_SECRET`,
 * header `x-router-secret`): with it, nothing but the router can run operations here, so
 * nobody can reach `_entities` or any field around the router's own checks. Compared in
 * constant time; checked before Apollo Server sees the request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const ROUTER_SECRET_HEADER = 'x-router-secret';

export interface RouterSecretRefusal {
  status: 401 | 403;
  body: { errors: Array<{ message: string; extensions: { code: string; reason: string } }> };
}

/** Undefined when `given` matches `expected`; otherwise the HTTP status and GraphQL-shaped body to answer with. */
export function checkRouterSecret(expected: string, given: string | string[] | undefined): RouterSecretRefusal | undefined {
  const value = Array.isArray(given) ? given[0] : given;
  if (value === undefined || value === '') {
    return refusal(401, 'UNAUTHENTICATED', 'ROUTER_SECRET_MISSING', `Only the router may call this subgraph: the ${ROUTER_SECRET_HEADER} header is missing`);
  }
  if (!constantTimeEqual(value, expected)) {
    return refusal(403, 'FORBIDDEN', 'ROUTER_SECRET_INVALID', `Only the router may call this subgraph: the ${ROUTER_SECRET_HEADER} header is wrong`);
  }
  return undefined;
}

/** Equal-length digests, so neither the content nor the length of the secret leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}

function refusal(status: 401 | 403, code: string, reason: string, message: string): RouterSecretRefusal {
  return { status, body: { errors: [{ message, extensions: { code, reason } }] } };
}
