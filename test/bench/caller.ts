/**
 * Who the bench calls the subgraph as. In production the subgraph requires callers to
 * present a JWT whose scopes the schema's @requiresScopes directives check; the bench plays
 * a trusted backend holding every scope the schema names, with a fresh HS256 secret per run.
 * Verifying that token on every request is part of what the subgraph costs, so it is kept.
 * (A subgraph without caller authentication ignores both the variable and the header.)
 */
import { createHmac, randomBytes } from 'node:crypto';
import { loadTypeDefs } from '../../src/schema.js';

export interface BenchCaller {
  /** Subgraph settings that make it accept the caller. */
  env: Record<string, string>;
  /** Headers every GraphQL request carries. */
  headers: Record<string, string>;
}

/** Every scope named by a `@requiresScopes` directive in the SDL. */
export function schemaScopes(schemaDirectory: string): string[] {
  const scopes = new Set<string>();
  for (const directive of loadTypeDefs(schemaDirectory).matchAll(/@requiresScopes\(\s*scopes:\s*(\[[^)]*\])\s*\)/g)) {
    for (const scope of directive[1]!.matchAll(/"([^"]+)"/g)) scopes.add(scope[1]!);
  }
  return [...scopes].sort();
}

export function createBenchCaller(schemaDirectory: string): BenchCaller {
  const secret = randomBytes(48).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'horizon-bench', scope: schemaScopes(schemaDirectory).join(' '), iat: now, exp: now + 24 * 3600 })}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return { env: { AUTH_HS256_SECRET: secret }, headers: { authorization: `Bearer ${signingInput}.${signature}` } };
}
