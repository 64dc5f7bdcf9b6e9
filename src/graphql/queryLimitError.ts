/**
 * The error of an operation refused by a query limit (src/graphql/limits.ts). Kept apart, with
 * no project imports, so `errors.ts` can recognise it without an import cycle.
 */
import { GraphQLError } from 'graphql';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

export type QueryLimitKind = 'depth' | 'aliases' | 'directives' | 'cost' | 'tokens';

/** Per limit: what the operation did (`found`, when counted) and the setting that raises the limit, both named in the message. */
const LIMITS: Record<QueryLimitKind, { did: (max: number, found: number | undefined) => string; setting: string }> = {
  depth: { did: (max, found) => `nests fields ${found ?? 'too many'} levels deep; at most ${max} are allowed`, setting: 'MAX_QUERY_DEPTH' },
  aliases: { did: (max, found) => `uses ${found ?? 'too many'} aliases; at most ${max} are allowed`, setting: 'MAX_ALIASES' },
  directives: { did: (max, found) => `uses ${found ?? 'too many'} directives; at most ${max} are allowed`, setting: 'at most 50 directives' },
  cost: {
    did: (max, found) =>
      `has an estimated cost of ${found ?? 'more than can be counted'} (about one per Horizon call it may make); at most ${max} is allowed. Ask for fewer entities, smaller pages or fewer nested lists`,
    setting: 'MAX_QUERY_COST',
  },
  tokens: { did: (max) => `is longer than ${max} tokens`, setting: 'MAX_QUERY_TOKENS' },
};

/** An operation refused by a limit before anything ran. Reported with code QUERY_TOO_COMPLEX, HTTP 400. */
export class QueryTooComplexError extends GraphQLError {
  constructor(
    readonly limit: QueryLimitKind,
    readonly max: number,
    readonly found: number | undefined,
  ) {
    super(`Operation refused: it ${LIMITS[limit].did(max, found)} (${LIMITS[limit].setting}).`, {
      extensions: { code: QUERY_TOO_COMPLEX, limit, max, ...(found !== undefined ? { found } : {}), http: { status: 400 } },
    });
  }

  /** What `formatError` puts in `extensions`, besides the code. */
  get details(): Record<string, unknown> {
    return { limit: this.limit, max: this.max, ...(this.found !== undefined ? { found: this.found } : {}) };
  }
}

/** The refusal an error stands for: itself, or the one a validation error wraps; or undefined. */
export function queryLimitErrorOf(error: unknown): QueryTooComplexError | undefined {
  if (error instanceof QueryTooComplexError) return error;
  if (error instanceof GraphQLError && error.originalError instanceof QueryTooComplexError) return error.originalError;
  return undefined;
}

/** graphql-js's parser message for a document over its `maxTokens`; the limit it names. */
export function tokenLimitOf(message: string): number | undefined {
  const match = /Document contains more tha[nt] (\d+) tokens/.exec(message);
  return match ? Number(match[1]) : undefined;
}
