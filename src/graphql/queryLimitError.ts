/**
 * The error of an operation refused by a query limit (src/graphql/limits.ts). Kept apart, with
 * no project imports, so `errors.ts` can recognise it without an import cycle.
 */
import { GraphQLError } from 'graphql';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

export type QueryLimitKind = 'depth' | 'aliases' | 'directives' | 'cost' | 'tokens';

/** The setting that raises each limit, named in the message. */
const SETTING: Record<QueryLimitKind, string> = {
  depth: 'MAX_QUERY_DEPTH',
  aliases: 'MAX_ALIASES',
  directives: 'at most 50 directives',
  cost: 'MAX_QUERY_COST',
  tokens: 'MAX_QUERY_TOKENS',
};

/** An operation refused by a limit before anything ran. Reported with code QUERY_TOO_COMPLEX, HTTP 400. */
export class QueryTooComplexError extends GraphQLError {
  constructor(
    readonly limit: QueryLimitKind,
    readonly max: number,
    readonly found: number | undefined,
  ) {
    super(`Operation refused: it ${describe(limit, max, found)} (${SETTING[limit]}).`, {
      extensions: { code: QUERY_TOO_COMPLEX, limit, max, ...(found !== undefined ? { found } : {}), http: { status: 400 } },
    });
  }

  /** What `formatError` puts in `extensions`, besides the code. */
  get details(): Record<string, unknown> {
    return { limit: this.limit, max: this.max, ...(this.found !== undefined ? { found: this.found } : {}) };
  }
}

function describe(limit: QueryLimitKind, max: number, found: number | undefined): string {
  switch (limit) {
    case 'depth':
      return `nests fields ${found ?? 'too many'} levels deep; at most ${max} are allowed`;
    case 'aliases':
      return `uses ${found ?? 'too many'} aliases; at most ${max} are allowed`;
    case 'directives':
      return `uses ${found ?? 'too many'} directives; at most ${max} are allowed`;
    case 'cost':
      return `has an estimated cost of ${found ?? 'more than can be counted'} (about one per Horizon call it may make); at most ${max} is allowed. Ask for fewer entities, smaller pages or fewer nested lists`;
    case 'tokens':
      return `is longer than ${max} tokens`;
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
