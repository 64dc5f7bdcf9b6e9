/** Custom scalars. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { parseInt64 } from '../horizon/params.js';

/** Instants as ISO-8601 UTC strings, whatever form Graph used (Unix seconds or `+0000` strings). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, as an ISO-8601 string in UTC, e.g. `2026-03-09T13:04:20.000Z`.',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new GraphQLError('DateTime cannot represent a non-date value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string', { nodes: ast });
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-03-09T13:04:20Z', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/**
 * 64-bit integers (leaderboard scores). Serialized as a decimal string, because JSON numbers
 * lose precision past 2^53; accepted as a string or, when it fits, an integer literal.
 * Horizon sends scores as numbers or strings: both arrive here exactly as sent.
 */
export const LongScalar = new GraphQLScalarType<bigint, string>({
  name: 'Long',
  description:
    'A signed 64-bit integer, serialized as a decimal string (e.g. `"9007199254740993"`) so no precision is lost; input may be a string or an integer.',
  serialize(value) {
    const parsed = toLong(value);
    if (parsed === undefined) throw new GraphQLError('Long cannot represent a non-integer or out-of-range value');
    return parsed.toString();
  },
  parseValue(value) {
    const parsed = typeof value === 'number' && !Number.isSafeInteger(value) ? undefined : toLong(value);
    if (parsed === undefined) throw longInputError();
    return parsed;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT) throw longInputError();
    const parsed = toLong(ast.value);
    if (parsed === undefined) throw longInputError();
    return parsed;
  },
});

function longInputError(): GraphQLError {
  return new GraphQLError('Long must be a 64-bit integer, as a string or an integer', { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A bigint from a bigint, an integer number or a decimal string (as `parseInt64` reads them); undefined outside int64. */
export function toLong(value: unknown): bigint | undefined {
  return parseInt64(typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value);
}
