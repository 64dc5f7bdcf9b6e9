/** `Leaderboard.entries` as a Relay connection over one page of Graph's entries. */
import type { EntriesPage } from '../../horizon/leaderboards.js';
import { pageCursors, type PageCursor } from '../cursor.js';
import { ErrorCode, userError } from '../errors.js';

/** Largest page `Leaderboard.entries` serves. */
export const MAX_ENTRIES_PAGE = 100;

/**
 * An entry inside a page is reached from the cursor of the page's first entry plus a skip, so
 * every edge has a cursor that resumes exactly after it.
 */
export const entryCursors = pageCursors({ field: 'Leaderboard.entries', prefix: 'lbe:', maxSkip: MAX_ENTRIES_PAGE - 1 });
/** A connection as its field resolvers read it; cursors are computed only when asked. */
export function entryConnection(page: EntriesPage, skipped: number, resumedFrom: PageCursor | undefined) {
  const entries = page.entries.slice(skipped);
  const cursorAt = (i: number) => () => {
    const returnedIndex = skipped + i;
    if (returnedIndex === page.entries.length - 1 && page.afterCursor) return entryCursors.encode({ after: page.afterCursor, skip: 0 });
    if (page.beforeCursor) return entryCursors.encode({ after: page.beforeCursor, skip: returnedIndex });
    // Graph sent no cursor for this page: count on from the cursor this page was read after.
    if (resumedFrom) return entryCursors.encode({ after: resumedFrom.after, skip: resumedFrom.skip + i + 1 });
    throw userError(ErrorCode.UPSTREAM_ERROR, 'Horizon returned this page without paging cursors');
  };
  const edges = entries.map((node, i) => ({ node, cursor: cursorAt(i) }));
  return {
    edges,
    nodes: entries,
    pageInfo: {
      hasNextPage: page.hasNext,
      hasPreviousPage: page.hasPrevious || skipped > 0 || resumedFrom !== undefined,
      startCursor: () => (edges.length > 0 ? edges[0]!.cursor() : null),
      endCursor: () => (edges.length > 0 ? edges[edges.length - 1]!.cursor() : null),
    },
    totalCount: page.totalCount ?? null,
  };
}
