/**
 * Who is calling this subgraph: the identity and scopes of the caller's JWT (which the router
 * forwards in `Authorization`), or why there is none. Separate from the Horizon user access
 * token in `x-horizon-user-token`, which player-bound fields still need on top.
 */
import { GraphQLError } from 'graphql';

/** Why a caller has no verified identity; sent as `extensions.reason` with UNAUTHENTICATED. */
export type CallerTokenProblem =
  /** No `Authorization: Bearer <jwt>` header. */
  | 'CALLER_TOKEN_MISSING'
  /** Malformed, bad signature, unknown key, wrong algorithm, issuer or audience. */
  | 'CALLER_TOKEN_INVALID'
  /** Past its `exp` (or before its `nbf`). */
  | 'CALLER_TOKEN_EXPIRED'
  /** The key set (JWKS) could not be fetched, so no token can be checked right now. */
  | 'CALLER_TOKEN_UNVERIFIABLE';

export type Caller =
  /** Caller authentication is switched off (`AUTH_MODE=none`, or in-process use such as tests): every field is allowed. */
  | { kind: 'disabled' }
  /** No verified caller: every protected field fails with UNAUTHENTICATED and this reason. */
  | { kind: 'anonymous'; problem: CallerTokenProblem; detail: string }
  /** A verified JWT. */
  | { kind: 'token'; subject: string | undefined; scopes: ReadonlySet<string> };

/** The caller when authentication is off: nothing is checked. */
export const AUTH_DISABLED: Caller = Object.freeze({ kind: 'disabled' });

export function anonymousCaller(problem: CallerTokenProblem, detail: string): Caller {
  return { kind: 'anonymous', problem, detail };
}

export function tokenCaller(subject: string | undefined, scopes: Iterable<string>): Caller {
  return { kind: 'token', subject, scopes: new Set(scopes) };
}

/**
 * What a field (or a type) declares in the SDL: `@authenticated` and/or
 * `@requiresScopes(scopes: [[...]])`, whose outer list is OR and inner lists AND.
 */
export interface AccessRule {
  authenticated: boolean;
  /** Absent: no scope needed. Present: the caller must hold every scope of at least one inner list. */
  anyOf?: ReadonlyArray<ReadonlyArray<string>>;
}

/** Whether `caller` may resolve something guarded by `rule`; the error to report when not. */
export function checkAccess(rule: AccessRule, caller: Caller, coordinate: string): GraphQLError | undefined {
  if (caller.kind === 'disabled') return undefined;
  if (caller.kind === 'anonymous') {
    return new GraphQLError(`${caller.detail} (${coordinate} needs an authenticated caller)`, {
      extensions: { code: 'UNAUTHENTICATED', reason: caller.problem },
    });
  }
  if (rule.anyOf && !rule.anyOf.some((all) => all.every((scope) => caller.scopes.has(scope)))) {
    return new GraphQLError(`${coordinate} needs the scope ${describeScopes(rule.anyOf)}; the caller's token does not grant it`, {
      extensions: { code: 'FORBIDDEN', reason: 'MISSING_SCOPE', requiredScopes: rule.anyOf.map((all) => [...all]) },
    });
  }
  return undefined;
}

function describeScopes(anyOf: ReadonlyArray<ReadonlyArray<string>>): string {
  if (anyOf.length === 0) return '(none can: no scope set is accepted)';
  return anyOf.map((all) => all.join(' + ')).join(' or ');
}
