/**
 * The cursors of the connections paged over Graph (`Leaderboard.entries`, `User.purchases`).
 * Graph gives cursors per page, not per item, so an edge's cursor is (the Graph cursor its page
 * was read after, how many items of that page to skip): resuming after any edge is "read after
 * that Graph cursor, drop the first `skip`". Opaque to callers: a field prefix and base64url JSON.
 */
import { decodeJson } from '../lib/json.js';
import { ErrorCode, userError } from './errors.js';

export interface PageCursor {
  /** Graph's cursor; undefined for the first page. */
  after: string | undefined;
  skip: number;
}

export interface CursorCodec {
  encode(cursor: PageCursor): string;
  /** BAD_USER_INPUT (argument `after`) for anything this codec did not write. */
  decode(value: string): PageCursor;
}

export function pageCursors(options: { field: string; prefix: string; maxSkip: number }): CursorCodec {
  const { field, prefix, maxSkip } = options;
  const invalid = () => userError(ErrorCode.BAD_USER_INPUT, `after must be a cursor returned by ${field}`, { argument: 'after' });
  return {
    encode: (cursor) => prefix + Buffer.from(JSON.stringify([cursor.after ?? null, cursor.skip])).toString('base64url'),
    decode(value) {
      const body = value.slice(prefix.length);
      if (!value.startsWith(prefix) || value.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(body)) throw invalid();
      const parsed = decodeJson(Buffer.from(body, 'base64url').toString('utf8'), (json: unknown) => json);
      if (parsed === undefined) throw invalid();
      // `{a, s}`: how Leaderboard.entries wrote its cursors before this codec, still read so a caller paging across the upgrade goes on.
      const [after, skip] =
        Array.isArray(parsed) && parsed.length === 2 ? parsed : [(parsed as { a?: unknown } | null)?.a, (parsed as { s?: unknown } | null)?.s];
      if (!(after === null || (typeof after === 'string' && after.length > 0 && after.length <= 1024))) throw invalid();
      if (!(Number.isSafeInteger(skip) && (skip as number) >= 0 && (skip as number) <= maxSkip)) throw invalid();
      return { after: after ?? undefined, skip: skip as number };
    },
  };
}

/** What a Relay connection paged with these cursors resolves from: its edges and page flags. */
export interface ConnectionParent<N> {
  edges: Array<{ cursor: string; node: N }>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** A Relay connection's `nodes` and `pageInfo`, from its edges and page flags (same for every paged list). */
export const connectionResolvers = {
  nodes: <N>(parent: ConnectionParent<N>) => parent.edges.map((e) => e.node),
  pageInfo: (parent: ConnectionParent<unknown>) => ({
    hasNextPage: parent.hasNextPage,
    hasPreviousPage: parent.hasPreviousPage,
    startCursor: parent.edges[0]?.cursor ?? null,
    endCursor: parent.edges.at(-1)?.cursor ?? null,
  }),
};
