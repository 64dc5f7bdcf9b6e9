/**
 * Graph API conventions the emulator reproduces: error envelopes, `fields=` parsing and
 * projection, cursor paging, parameter forms. Kept apart from the routes so every endpoint behaves alike.
 */
import { randomBytes } from 'node:crypto';

/** An error the emulator answers with Graph's envelope. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly type = 'OAuthException',
    readonly subcode?: number,
    readonly isTransient?: boolean,
    /** Graph's `error_data`: details such as the api name that was not found; `{}` when none. */
    readonly errorData: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, unknown> } {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.subcode !== undefined ? { error_subcode: this.subcode } : {}),
        ...(this.isTransient !== undefined ? { is_transient: this.isTransient } : {}),
        error_data: this.errorData,
        fbtrace_id: randomBytes(12).toString('base64url').replace(/[-_]/g, 'A').slice(0, 16),
      },
    };
  }
}

/** An error answered byte for byte as it was captured from Horizon, which sent no `fbtrace_id` with it. */
class CapturedGraphError extends GraphError {
  override toBody(): { error: Record<string, unknown> } {
    const { fbtrace_id: _trace, ...error } = super.toBody().error;
    return { error };
  }
}

export const errors = {
  /** Graph's code 2, the transient "unexpected error" of a failed request (or an injected 500). */
  unexpected: () => new GraphError(500, 2, 'An unexpected error has occurred. Please retry your request later.', 'OAuthException', undefined, true),
  missingToken: () => new GraphError(400, 190, 'An access token is required to request this resource.'),
  badAppToken: () => new GraphError(400, 190, 'Error validating application'),
  badUserToken: () => new GraphError(400, 190, 'Invalid OAuth 2.0 Access Token', 'OCApiException'),
  /** Code 10, permission denied: the token may not do this. */
  forbidden: (message: string) => new GraphError(403, 10, `(#10) ${message}`),
  needsAppToken: () => errors.forbidden('This endpoint requires the app access token (OC|APP_ID|APP_SECRET).'),
  needsUserToken: () => new GraphError(400, 2500, 'An active access token must be used to query information about the current user.'),
  param: (message: string) => new GraphError(400, 100, `(#100) ${message}`),
  invalidUser: (param: string, userId: string) => new GraphError(400, 100, `Parameter ${param}: invalid user id: ${userId}`),
  unknownNode: (id: string) =>
    new GraphError(
      400,
      100,
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      'GraphMethodException',
      33,
    ),
  unknownPath: (path: string) => new GraphError(400, 2500, `Unknown path components: ${path}`),
  /** Exactly what Horizon answers for a board the app does not have (docs/horizon-api.md, LibreVR/Revive#1458). */
  unknownLeaderboard: (apiName: string) =>
    new CapturedGraphError(400, 12075, 'The requested leaderboard has not been configured for this app', 'OCApiException', undefined, undefined, {
      api_name: apiName,
    }),
};

/** A parsed `fields=` value: each field name, with its own sub-selection when it had braces. */
export type FieldTree = Map<string, FieldTree | null>;

/**
 * Parsed selections by their text: clients send the same few `fields=` strings on every call.
 * Trees are shared, so nothing may change one after parsing.
 */
const parsedFields = new Map<string, FieldTree>();
const MAX_PARSED_FIELDS = 1_000;

export function parseFields(input: string | undefined): FieldTree | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  const known = parsedFields.get(input);
  if (known) return known;
  const tree = parseFieldList(input);
  if (parsedFields.size >= MAX_PARSED_FIELDS) parsedFields.clear();
  parsedFields.set(input, tree);
  return tree;
}

function parseFieldList(input: string): FieldTree {
  let pos = 0;
  const name = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*/y;
  const parseList = (): FieldTree => {
    const tree: FieldTree = new Map();
    for (;;) {
      name.lastIndex = pos;
      const match = name.exec(input);
      if (!match) throw errors.param(`Syntax error in fields near position ${pos}`);
      pos += match[0].length;
      let sub: FieldTree | null = null;
      if (input[pos] === '{') {
        pos++;
        sub = parseList();
        if (input[pos] !== '}') throw errors.param(`Syntax error in fields: missing '}' at position ${pos}`);
        pos++;
      }
      tree.set(match[1]!, sub);
      while (input[pos] === ' ') pos++;
      if (input[pos] === ',') {
        pos++;
        continue;
      }
      return tree;
    }
  };
  const tree = parseList();
  if (pos !== input.length) throw errors.param(`Syntax error in fields near position ${pos}`);
  return tree;
}

/** The fields a node type has, and the node types of its nested objects. */
export interface NodeShape {
  type: string;
  fields: readonly string[];
  nested?: Record<string, NodeShape>;
  /** Fields returned when `fields` is omitted; Graph returns only `id` for most nodes. */
  defaults?: readonly string[];
  /** Fields docs/horizon-api.md lists as guesses; refused when `strict` says so. */
  guessed?: readonly string[];
}

/**
 * Which guessed fields a projection refuses: none (`false`), all (`true`), or those named by
 * their path from the top node type, e.g. `LeaderboardEntry.leaderboard`,
 * `LeaderboardEntry.user.org_scoped_id`, `Leaderboard.title_locale_map`.
 */
export type GuessedFieldPolicy = boolean | readonly string[];

/**
 * Graph's projection: only the fields asked for, `id` when none; unknown fields are an
 * error, as on the real API (so the client can never rely on a field that does not exist).
 */
export function project(
  node: Record<string, unknown>,
  shape: NodeShape,
  selection: FieldTree | null | undefined,
  strict: GuessedFieldPolicy = false,
  path: string = shape.type,
): Record<string, unknown> {
  const wanted: FieldTree = selection ?? new Map((shape.defaults ?? ['id']).map((f) => [f, null]));
  const out: Record<string, unknown> = {};
  for (const [field, sub] of wanted) {
    const refusedGuess = strict !== false && shape.guessed?.includes(field) && (strict === true || strict.includes(`${path}.${field}`));
    if (!shape.fields.includes(field) || refusedGuess) {
      throw errors.param(`Tried accessing nonexisting field (${field}) on node type (${shape.type})`);
    }
    const value = node[field];
    if (value === undefined || value === null) continue;
    const nestedShape = shape.nested?.[field];
    if (nestedShape) {
      const inner = `${path}.${field}`;
      out[field] = Array.isArray(value)
        ? value.map((v) => project(v as Record<string, unknown>, nestedShape, sub, strict, inner))
        : project(value as Record<string, unknown>, nestedShape, sub, strict, inner);
    } else {
      out[field] = value;
    }
  }
  return out;
}

/**
 * Cursor paging over an in-memory list. Cursors are opaque (base64 of an offset), and
 * `next`/`previous` are absolute URLs that re-embed the query, access token included,
 * exactly as Graph does; `next` is omitted on the last page.
 */
export function paginate<T>(
  items: readonly T[],
  params: Record<string, string>,
  selfUrl: URL,
  options: { defaultLimit?: number; maxLimit?: number; start?: number } = {},
): { page: T[]; paging: Record<string, unknown> | undefined } {
  const maxLimit = options.maxLimit ?? 1000;
  const limit = params.limit === undefined ? (options.defaultLimit ?? 25) : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1) throw errors.param('Param limit must be a positive integer');
  const size = Math.min(limit, maxLimit);
  // Without a cursor the page starts at `start` (leaderboard entries' OFFSET / viewer-centred views).
  let start = Math.max(0, options.start ?? 0);
  if (params.after) start = decodeCursor(params.after) + 1;
  else if (params.before) start = Math.max(0, decodeCursor(params.before) - size);
  const page = items.slice(start, start + size);
  if (page.length === 0) return { page, paging: undefined };
  const first = start;
  const last = start + page.length - 1;
  const paging: Record<string, unknown> = { cursors: { before: encodeCursor(first), after: encodeCursor(last) } };
  const link = (name: 'after' | 'before', cursor: string) => {
    const url = new URL(selfUrl.toString());
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.delete('after');
    url.searchParams.delete('before');
    url.searchParams.set(name, cursor);
    return url.toString();
  };
  if (last < items.length - 1) paging.next = link('after', encodeCursor(last));
  if (first > 0) paging.previous = link('before', encodeCursor(first));
  return { page, paging };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`QVFI:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^QVFI:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw errors.param('Invalid cursor');
  return Number(match[1]);
}

/** `JSON.parse`, or undefined when the text is not JSON (which `JSON.parse` never returns). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What `map` holds for `key`, first set to a new, empty `Empty` when it holds nothing. */
export function entryOf<K, V>(map: Map<K, V>, key: K, Empty: new () => NoInfer<V>): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = new Empty()));
  return value;
}

/** `a, b,,c` → ['a', 'b', 'c']: a comma-separated list, blanks dropped. */
export function csvList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `["A","B"]` → ['A','B']; anything else is Graph's code 100. */
export function parseJsonArray(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = parseJson(value);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw errors.param(`Param ${name} must be a JSON array of strings`);
  }
  return parsed as string[];
}

export function parseBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw errors.param(`Param ${name} must be a boolean`);
}

export function enumParam<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw errors.param(`Param ${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function parseIntParam(name: string, value: string | undefined, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw errors.param(`Param ${name} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw errors.param(`Param ${name} must be between ${min} and ${max}`);
  return n;
}

/**
 * An api name (achievement definition, leaderboard) as Horizon takes it: a real definition is
 * named `@achievement_01`, so any non-empty printable string, not a character set of our own.
 */
export function requiredApiName(params: Record<string, string>): string {
  const apiName = required(params, 'api_name');
  if (/[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u.test(apiName)) throw errors.param('Param api_name must be printable text');
  return apiName;
}

export function required(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw errors.param(`The parameter ${name} is required`);
  return value;
}

export const DAY_SECONDS = 86_400;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
