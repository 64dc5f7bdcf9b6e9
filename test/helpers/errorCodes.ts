/** The error codes docs/errors.md documents (its "Error codes" table), for tests that check responses against them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function documentedErrorCodes(): Set<string> {
  const doc = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
  const start = doc.indexOf('## Error codes');
  if (start < 0) throw new Error('docs/errors.md has no "## Error codes" section');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const codes = new Set<string>();
  for (const line of section.split('\n')) {
    const firstCell = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (!firstCell) continue;
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) codes.add(match[1]!);
  }
  return codes;
}

/** Checks one GraphQL response body: well-formed, every error with a message and a documented code. Returns the problems. */
export function responseProblems(body: unknown, documented: Set<string>): string[] {
  const problems: string[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [`not a JSON object: ${JSON.stringify(body)?.slice(0, 200)}`];
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (data === undefined && errors === undefined) problems.push('neither data nor errors');
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) problems.push('data is not an object');
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) problems.push('errors is not a non-empty array');
    else {
      for (const error of errors as Array<Record<string, any>>) {
        if (typeof error?.message !== 'string' || error.message === '') problems.push(`error without a message: ${JSON.stringify(error).slice(0, 200)}`);
        const code = error?.extensions?.code;
        if (typeof code !== 'string' || !documented.has(code))
          problems.push(`undocumented code ${JSON.stringify(code)}: ${String(error?.message).slice(0, 200)}`);
        if (code === 'INTERNAL_SERVER_ERROR') problems.push(`internal error: ${String(error?.message).slice(0, 300)}`);
        if (error?.extensions && 'stacktrace' in error.extensions) problems.push('a stack trace');
      }
    }
  }
  return problems;
}

/** The secrets of `values` that occur in `text`, as plain text or URL-encoded. */
export function secretsIn(text: string, values: Iterable<string>): string[] {
  const found: string[] = [];
  for (const value of values) {
    if (!value) continue;
    if (text.includes(value) || text.includes(encodeURIComponent(value))) found.push(value);
  }
  return found;
}
