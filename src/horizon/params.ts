/**
 * Helpers for the shapes Graph expects in requests and returns in collections:
 * `fields=a,b{c,d}`, JSON-array parameters and cursor paging.
 */
import { CODE_INVALID_PARAMETER, HorizonApiError } from './errors.js';

/** A field selection: `['id', { definition: ['api_name', 'target'] }]` → `id,definition{api_name,target}`. */
export type FieldSelection = ReadonlyArray<string | Readonly<Record<string, FieldSelection>>>;

export function fieldsParam(selection: FieldSelection): string {
  return selection
    .map((item) =>
      typeof item === 'string'
        ? item
        : Object.entries(item)
            .map(([name, sub]) => `${name}{${fieldsParam(sub)}}`)
            .join(','),
    )
    .join(',');
}

/**
 * A selection that asks, on top of the documented fields, for fields docs/horizon-api.md marks
 * readable only by guess. Strict in what we send is not enough when the docs are silent: if
 * Graph refuses the selection ("nonexisting field", code 100), the call is made again with the
 * documented fields, and those are what this transport asks from then on. The answer then
 * lacks only the guessed fields, which the readers treat as absent.
 */
export interface FieldChoice {
  /** Names the choice in the transport's memory of refusals. */
  readonly name: string;
  readonly preferred: string;
  readonly documented: string;
}

export async function withDocumentedFields<T>(refused: Set<string>, choice: FieldChoice, call: (fields: string) => Promise<T>): Promise<T> {
  return withFieldFallbacks(refused, { name: choice.name, selections: [choice.preferred, choice.documented] }, call);
}

/**
 * The general form of `FieldChoice`: selections in order of preference, the last one asking only
 * for documented fields. Each refusal ("nonexisting field", code 100) moves to the next and is
 * remembered, so a transport pays for each refused selection once.
 */
export interface FieldFallbacks {
  /** Names the chain in the transport's memory of refusals. */
  readonly name: string;
  /** Most wanted first; the last is what the docs list, and its refusal is an error like any other. */
  readonly selections: readonly string[];
}

/** The memory key of a refused selection: the first one's is the chain's name, as `withDocumentedFields` always had it. */
function refusalKey(name: string, index: number): string {
  return index === 0 ? name : `${name}#${index}`;
}

export async function withFieldFallbacks<T>(refused: Set<string>, chain: FieldFallbacks, call: (fields: string) => Promise<T>): Promise<T> {
  const last = chain.selections.length - 1;
  let index = 0;
  while (index < last && refused.has(refusalKey(chain.name, index))) index++;
  for (;;) {
    try {
      return await call(chain.selections[index]!);
    } catch (error) {
      if (index === last || !isFieldRefusal(error)) throw error;
      refused.add(refusalKey(chain.name, index));
      index++;
    }
  }
}

/** One part of a selection that is asked only by guess, and dropped when Graph refuses it. */
export interface GuessedField {
  /** Names the guess in the transport's memory of refusals. */
  readonly name: string;
  /** The field as Graph names it in "Tried accessing nonexisting field (org_scoped_id) ...". */
  readonly field: string;
}

/**
 * `withDocumentedFields` for a selection with several independent guesses. Every guess not
 * yet refused is asked; when Graph refuses the selection ("nonexisting field", code 100), the
 * guess its message names is dropped (all those asked, when the message names none of them)
 * and the call made again; dropped guesses are remembered by the transport. `call` learns
 * which guesses its selection holds, so a reader can tell "not asked" from "absent".
 */
export async function withGuessedFields<T>(
  refused: Set<string>,
  guesses: readonly GuessedField[],
  select: (asked: ReadonlySet<string>) => string,
  call: (fields: string, asked: ReadonlySet<string>) => Promise<T>,
): Promise<T> {
  for (;;) {
    const asked = new Set(guesses.filter((g) => !refused.has(g.name)).map((g) => g.name));
    try {
      return await call(select(asked), asked);
    } catch (error) {
      if (asked.size === 0 || !isFieldRefusal(error)) throw error;
      const named = /nonexisting field \(([A-Za-z0-9_]+)\)/i.exec(error.upstreamMessage)?.[1];
      const culprits = guesses.filter((g) => asked.has(g.name) && g.field === named);
      for (const g of culprits.length > 0 ? culprits : guesses.filter((g) => asked.has(g.name))) refused.add(g.name);
    }
  }
}

/** Graph refused a field selection ("Tried accessing nonexisting field ...", code 100). */
export function isFieldRefusal(error: unknown): error is HorizonApiError {
  return error instanceof HorizonApiError && error.code === CODE_INVALID_PARAMETER && /nonexisting field/i.test(error.upstreamMessage);
}

/**
 * A parameter whose wire form the sources disagree on (docs/horizon-api.md), e.g. `start_at=VIEWER`
 * (docs) vs `CENTERED_ON_VIEWER` (SDK). The call is made in the spelling last seen to work
 * (the first, the best-sourced, until Graph refuses it); when Graph refuses it in a way
 * `mayBeSpelling` cannot rule out, the other spellings are tried once each, in order. The
 * first that Graph takes is remembered by the transport: it answered, or failed for some
 * other reason than a code 100 (e.g. 12074: the value was understood). When every spelling is
 * refused, the spelling was not the problem: the first refusal is thrown, nothing remembered.
 */
export async function withParamSpelling<S extends string, T>(
  refused: Set<string>,
  param: string,
  spellings: readonly [S, ...S[]],
  mayBeSpelling: (error: HorizonApiError) => boolean,
  call: (spelling: S) => Promise<T>,
): Promise<T> {
  const key = (spelling: S) => `${param}=${spelling}`;
  const current = spellings.find((s) => refused.has(key(s))) ?? spellings[0];
  const remember = (spelling: S) => {
    for (const s of spellings) refused.delete(key(s));
    if (spelling !== spellings[0]) refused.add(key(spelling));
  };
  let first: unknown;
  try {
    return await call(current);
  } catch (error) {
    if (!(error instanceof HorizonApiError) || error.code !== CODE_INVALID_PARAMETER || error.subcode !== undefined || !mayBeSpelling(error)) throw error;
    first = error;
  }
  for (const spelling of spellings) {
    if (spelling === current) continue;
    try {
      const result = await call(spelling);
      remember(spelling);
      return result;
    } catch (error) {
      if (error instanceof HorizonApiError && error.code === CODE_INVALID_PARAMETER) continue;
      if (error instanceof HorizonApiError) remember(spelling);
      throw error;
    }
  }
  throw first;
}

/** An object as Graph sends it: any of the fields asked, each of any type until read. */
export type RawFields<Fields extends readonly string[]> = { [Name in Fields[number]]?: unknown };

/** Graph's array parameters are JSON arrays in a string: `api_names=["A","B"]`. */
export function jsonArrayParam(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** Graph's collection envelope. Every part but `data` may be missing. */
export interface GraphPage<T> {
  data: T[];
  paging?: {
    cursors?: { before?: string; after?: string };
    next?: string;
    previous?: string;
  };
  summary?: { total_count?: number | string };
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page, or undefined on the last page. */
  after: string | undefined;
  /** Cursor for the previous page, when Graph gave one. */
  before: string | undefined;
  totalCount: number | undefined;
}

/**
 * Reads a collection envelope liberally: `data` must be an array; a page has a successor
 * only when Graph says so with `paging.next` (the documented stop rule). The cursor is
 * `paging.cursors.after`, or the `after` parameter of `paging.next` when cursors are absent.
 * `next` itself is never followed: it embeds the access token in its query string.
 */
export function readPage<Raw, T>(body: unknown, map: (raw: Raw) => T): Page<T> {
  const envelope = body as Partial<GraphPage<Raw>> | null;
  if (!envelope || !Array.isArray(envelope.data)) {
    throw new TypeError('collection response has no data array');
  }
  const paging = envelope.paging ?? {};
  const hasNext = typeof paging.next === 'string' && paging.next.length > 0;
  const after = hasNext ? (paging.cursors?.after ?? cursorFromUrl(paging.next!, 'after')) : undefined;
  const hasPrevious = typeof paging.previous === 'string' && paging.previous.length > 0;
  const before = hasPrevious ? (paging.cursors?.before ?? cursorFromUrl(paging.previous!, 'before')) : undefined;
  const total = envelope.summary?.total_count;
  return {
    items: envelope.data.map(map),
    after: after || undefined,
    before: before || undefined,
    totalCount: total === undefined ? undefined : Number(total),
  };
}

/** A cursor parameter of one of Graph's `paging.next`/`previous` URLs (never followed: they embed the token). */
export function cursorFromUrl(url: string, name: string): string | undefined {
  return URL.parse(url)?.searchParams.get(name) ?? undefined;
}

/**
 * Fetches every page of a collection, following `after` cursors, bounded by `maxPages`
 * so a server that never stops paging cannot loop us forever.
 */
export async function collectAllPages<T>(fetchPage: (after: string | undefined) => Promise<Page<T>>, maxPages = 50): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(after);
    items.push(...result.items);
    if (!result.after || result.after === after || result.items.length === 0) return items;
    after = result.after;
  }
  return items;
}

/** Unix seconds (number or numeric string), or an ISO/Graph date string, to a Date; 0 and junk to null. */
export function parseGraphTime(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const seconds = Number(value);
    return seconds > 0 ? new Date(seconds * 1000) : null;
  }
  if (typeof value === 'string') {
    // Graph writes offsets without a colon (`+0000`); Date.parse wants `+00:00`.
    const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const time = Date.parse(iso);
    return Number.isNaN(time) ? null : new Date(time);
  }
  return null;
}

/** Integers Graph may send as numbers or strings; anything else to undefined. */
export function parseGraphInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/**
 * A 64-bit integer as Graph sends it: a JSON number (exact below 2^53; longer ones arrive
 * quoted by `losslessIntegerFields`) or a string of digits (a real capture has `"target":"0"`).
 * Undefined for anything else, a number that has already lost digits included.
 */
export function parseGraphBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

/** `parseGraphBigInt` within the signed 64-bit range (scores, the Long scalar), else undefined. */
export function parseInt64(value: unknown): bigint | undefined {
  const parsed = parseGraphBigInt(value);
  return parsed !== undefined && BigInt.asIntN(64, parsed) === parsed ? parsed : undefined;
}

/** Graph ids are 64-bit: keep them as strings even when an old endpoint sends a number. */
export function parseGraphId(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) return String(value);
  // A number past 2^53 has already lost digits: the id of some other object. Read such
  // fields losslessly (`losslessIntegerFields`) where Graph may send them as numbers.
  if (typeof value === 'number') throw new TypeError('response id is a number too large to be exact');
  throw new TypeError('response object has no id');
}

/** `value` when it is one of `values`, else `fallback`: Graph may send values this client does not know. */
export function knownValue<T extends string, F>(values: readonly T[], value: unknown, fallback: F): T | F {
  return values.includes(value as T) ? (value as T) : fallback;
}

/** A non-empty string, else null. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Graph's booleans, as JSON or as strings and digits. */
export function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** A write's `success` (or `did_update`, `just_unlocked`): true or "true". */
export function isSuccess(value: unknown): boolean {
  return value === true || value === 'true';
}
