/** Resolver tests for leaderboards through `server.executeOperation`, against a real emulator. */
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { ROUTES, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Runs an operation as a player whose user token the gateway forwarded (or none). */
const asPlayer = (query: string, userToken: string | undefined, variables?: Record<string, unknown>) => h.execute(query, variables, { userToken });

const ENTRY_PAGE = `query($first: Int!, $after: String) { leaderboard(apiName: "HIGH_SCORES") { entries(first: $first, after: $after) {
  edges { cursor node { rank user { id } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  totalCount
} } }`;

describe('Query.leaderboards and Query.leaderboard', () => {
  test('lists every board with its settings and titles, in one upstream call', async () => {
    h.resetUpstream();
    const result = await h.execute(
      `{ leaderboards { apiName id sortOrder writePolicy entryCount earliestAllowedEntryTime latestAllowedEntryTime titles { locale title } } }`,
    );
    expect(result.errors).toBeUndefined();
    const byName = Object.fromEntries((result.data!.leaderboards as any[]).map((b) => [b.apiName, b]));
    expect(Object.keys(byName).sort()).toEqual(['HIGH_SCORES', 'SEASON_0', 'SPEEDRUN_LEVEL_1']);
    expect(byName.SEASON_0).toEqual({
      apiName: 'SEASON_0',
      id: expect.stringMatching(/^\d{16}$/),
      sortOrder: 'HIGHER_IS_BETTER',
      writePolicy: 'SERVER_AUTHORITATIVE',
      entryCount: 6,
      earliestAllowedEntryTime: '2025-01-01T00:00:00.000Z',
      latestAllowedEntryTime: '2025-06-30T23:59:59.000Z',
      titles: [
        { locale: 'en_GB', title: 'Season Nought' },
        { locale: 'en_US', title: 'Season 0' },
        { locale: 'fr_FR', title: 'Saison 0' },
        { locale: 'ja_JP', title: 'シーズン0' },
      ],
    });
    expect(byName.SPEEDRUN_LEVEL_1).toMatchObject({
      sortOrder: 'LOWER_IS_BETTER',
      writePolicy: 'CLIENT_AUTHORITATIVE',
      entryCount: 10,
      earliestAllowedEntryTime: null,
    });
    expect(h.upstream()).toHaveLength(1);
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(1);
  });

  test('title(locale:) picks the exact locale, then the language, then en_US', async () => {
    const result = await h.execute(`{ leaderboard(apiName: "SEASON_0") {
      byDefault: title exact: title(locale: "en_GB") sameLanguage: title(locale: "fr_CA") fallback: title(locale: "de_DE")
    } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.leaderboard).toEqual({ byDefault: 'Season 0', exact: 'Season Nought', sameLanguage: 'Saison 0', fallback: 'Season 0' });
  });

  test('an unknown board is null; an invalid api name is BAD_USER_INPUT and sends nothing', async () => {
    h.resetUpstream();
    const unknown = await h.execute(`{ leaderboard(apiName: "NOPE") { id } }`);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ leaderboard: null });
    h.resetUpstream();
    const invalid = await h.execute(`{ leaderboard(apiName: "line\\nbreak") { id } }`);
    expect(invalid.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream()).toHaveLength(0);
  });

  test('all boards an operation names cost one call', async () => {
    h.resetUpstream();
    const result = await h.execute(`{
      a: leaderboard(apiName: "HIGH_SCORES") { entryCount }
      b: leaderboard(apiName: "SEASON_0") { entryCount }
      c: leaderboard(apiName: "NOPE") { entryCount }
      d: _entities(representations: [{ __typename: "Leaderboard", apiName: "SPEEDRUN_LEVEL_1" }]) { ... on Leaderboard { sortOrder } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { entryCount: 40 }, b: { entryCount: 6 }, c: null, d: [{ sortOrder: 'LOWER_IS_BETTER' }] });
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(1);
  });
});

describe('Leaderboard.entries', () => {
  test('a first page: best first, edges and nodes agree, total from summary', async () => {
    const result = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) {
      edges { cursor node { id rank score timestamp extraDataBase64 extraDataSize user { id displayName } leaderboard { apiName } } }
      nodes { id }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    } } }`);
    expect(result.errors).toBeUndefined();
    const connection = result.data!.leaderboard.entries;
    expect(connection.edges.map((e: any) => [e.node.rank, e.node.user.displayName, e.node.score])).toEqual([
      [1, 'Glitch Owl', '107500'],
      [2, 'Solar Kite', '107500'],
      [3, 'Challenger 14', '105000'],
    ]);
    expect(connection.edges[0].node).toMatchObject({
      timestamp: '2025-10-09T10:03:20.000Z',
      extraDataBase64: null,
      extraDataSize: 0,
      leaderboard: { apiName: 'HIGH_SCORES' },
    });
    expect(connection.nodes).toEqual(connection.edges.map((e: any) => ({ id: e.node.id })));
    expect(connection.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: connection.edges[0].cursor,
      endCursor: connection.edges[2].cursor,
    });
    expect(new Set(connection.edges.map((e: any) => e.cursor)).size).toBe(3);
    expect(connection.totalCount).toBe(40);
  });

  test('endCursor pages through all 40 entries exactly once; the last page has no next', async () => {
    const ranks: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result = await h.execute(ENTRY_PAGE, { first: 15, after });
      expect(result.errors).toBeUndefined();
      const { edges, pageInfo } = result.data!.leaderboard.entries;
      ranks.push(...edges.map((e: any) => e.node.rank));
      expect(pageInfo.hasPreviousPage).toBe(page > 0);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(ranks).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  test("any edge's cursor resumes right after that edge, in one upstream call", async () => {
    const first = await h.execute(ENTRY_PAGE, { first: 10 });
    const middle = first.data!.leaderboard.entries.edges[3]; // rank 4
    h.resetUpstream();
    const next = await h.execute(ENTRY_PAGE, { first: 5, after: middle.cursor });
    expect(next.errors).toBeUndefined();
    expect(next.data!.leaderboard.entries.edges.map((e: any) => e.node.rank)).toEqual([5, 6, 7, 8, 9]);
    expect(next.data!.leaderboard.entries.pageInfo.hasPreviousPage).toBe(true);
    // And from an edge of that page again.
    const again = await h.execute(ENTRY_PAGE, { first: 2, after: next.data!.leaderboard.entries.edges[1].cursor });
    expect(again.data!.leaderboard.entries.edges.map((e: any) => e.node.rank)).toEqual([7, 8]);
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(2);
  });

  test('OFFSET and USER_IDS', async () => {
    const result = await h.execute(`{ leaderboard(apiName: "SPEEDRUN_LEVEL_1") {
      tail: entries(startAt: OFFSET, offset: 8) { nodes { rank } pageInfo { hasNextPage hasPreviousPage } totalCount }
      some: entries(filter: USER_IDS, userIds: ["${demoUserId(11)}", "${demoUserId(4)}", "${demoUserId(3)}"]) { nodes { rank user { id } } totalCount }
    } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.leaderboard.tail).toEqual({
      nodes: [{ rank: 9 }, { rank: 10 }],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
      totalCount: 10,
    });
    expect(result.data!.leaderboard.some).toEqual({
      nodes: [
        { rank: 2, user: { id: demoUserId(3) } },
        { rank: 9, user: { id: demoUserId(4) } },
      ],
      totalCount: 2,
    });
  });

  test('FRIENDS and viewer-centred views act as the player; without their token only that field is UNAUTHENTICATED', async () => {
    const query = `{ leaderboard(apiName: "HIGH_SCORES") {
      entryCount
      friends: entries(filter: FRIENDS) { nodes { user { id } } }
      aroundMe: entries(first: 3, startAt: CENTERED_ON_VIEWER) { nodes { rank user { id } } }
    } }`;
    h.resetUpstream();
    const anonymous = await asPlayer(query, undefined);
    expect(anonymous.data).toEqual({ leaderboard: { entryCount: 40, friends: null, aroundMe: null } });
    expect(anonymous.errors!.map((e: any) => [e.path.join('.'), e.extensions.code]).sort()).toEqual([
      ['leaderboard.aroundMe', 'UNAUTHENTICATED'],
      ['leaderboard.friends', 'UNAUTHENTICATED'],
    ]);
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(0);

    const player = await asPlayer(query, demoUserToken(5));
    expect(player.errors).toBeUndefined();
    // Player 5's friends are 3, 4, 6 and 7.
    expect(player.data!.leaderboard.friends.nodes.map((n: any) => n.user.id).sort()).toEqual([3, 4, 5, 6, 7].map(demoUserId).sort());
    expect(player.data!.leaderboard.aroundMe.nodes).toEqual([
      { rank: 34, user: { id: expect.any(String) } },
      { rank: 35, user: { id: demoUserId(5) } },
      { rank: 36, user: { id: expect.any(String) } },
    ]);
  });

  test('CENTERED_ON_VIEWER for a player without an entry is NOT_FOUND (NOT_RANKED); _OR_TOP shows the top', async () => {
    const result = await asPlayer(
      `{ leaderboard(apiName: "SPEEDRUN_LEVEL_1") {
        strict: entries(startAt: CENTERED_ON_VIEWER) { nodes { rank } }
        orTop: entries(first: 2, startAt: CENTERED_ON_VIEWER_OR_TOP) { nodes { rank } }
      } }`,
      demoUserToken(10),
    );
    expect(result.data!.leaderboard).toEqual({ strict: null, orTop: { nodes: [{ rank: 1 }, { rank: 2 }] } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ['leaderboard', 'strict'],
      message: expect.stringContaining('no entry on SPEEDRUN_LEVEL_1'),
      extensions: { code: 'NOT_FOUND', reason: 'NOT_RANKED', upstream: { code: 12074 } },
    });
  });

  test('viewer-centred pages work whichever start_at spelling Horizon takes; a refusal costs one call, once', async () => {
    const query = `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3, startAt: CENTERED_ON_VIEWER) { nodes { rank } } } }`;
    for (const spellings of ['sdk', 'docs'] as const) {
      h.emulator.state.behavior.viewerStartAtSpellings = spellings;
      h.resetUpstream();
      const first = await asPlayer(query, demoUserToken(5));
      const second = await asPlayer(query, demoUserToken(5));
      for (const result of [first, second]) {
        expect(result.errors).toBeUndefined();
        expect(result.data!.leaderboard.entries.nodes).toEqual([{ rank: 34 }, { rank: 35 }, { rank: 36 }]);
      }
      // The client learns SDK's spelling, then back the docs' one when Horizon refuses the SDK's.
      expect(h.upstream(ROUTES.leaderboardEntries).map((r) => [r.params.start_at, r.status])).toEqual(
        spellings === 'sdk'
          ? [
              ['VIEWER', 400],
              ['CENTERED_ON_VIEWER', 200],
              ['CENTERED_ON_VIEWER', 200],
            ]
          : [
              ['CENTERED_ON_VIEWER', 400],
              ['VIEWER', 200],
              ['VIEWER', 200],
            ],
      );
    }
  });

  test.each([
    ['first above 100', 'entries(first: 101)'],
    ['first of 0', 'entries(first: 0)'],
    ['offset without OFFSET', 'entries(offset: 3)'],
    ['OFFSET without offset', 'entries(startAt: OFFSET)'],
    ['a negative offset', 'entries(startAt: OFFSET, offset: -1)'],
    ['userIds without USER_IDS', `entries(userIds: ["${demoUserId(1)}"])`],
    ['USER_IDS without userIds', 'entries(filter: USER_IDS)'],
    ['a malformed user id', 'entries(filter: USER_IDS, userIds: ["12/../x"])'],
    ['a cursor that is not ours', 'entries(after: "QVFIUjEyMw")'],
  ])('%s is BAD_USER_INPUT, and no entries are read', async (_, field) => {
    h.resetUpstream();
    const result = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { apiName entries: ${field} { nodes { id } } } }`);
    expect(result.data).toEqual({ leaderboard: { apiName: 'HIGH_SCORES', entries: null } });
    expect(result.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(0);
  });

  test("entries' players come with their profile: asking their names costs no user calls", async () => {
    h.resetUpstream();
    const result = await h.execute(
      `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 10) { nodes { user { displayName alias profileUrl orgScopedId } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.leaderboard.entries.nodes[0].user).toEqual({
      displayName: 'Glitch Owl',
      alias: 'GlitchOwl',
      profileUrl: expect.stringContaining('glitchowl'),
      orgScopedId: expect.stringMatching(/^\d+$/),
    });
    expect(h.upstream(ROUTES.node)).toHaveLength(0);
    expect(h.upstream()).toHaveLength(2); // the board, its entries
  });
});

describe('org_scoped_id refused inside entries', () => {
  test("User.orgScopedId is still the player's, read from their profile; the names still cost nothing", async () => {
    h.emulator.state.behavior.refuseGuessedFields = ['LeaderboardEntry.user.org_scoped_id'];
    const page = `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { nodes { user { id displayName } } } } }`;
    h.resetUpstream();
    const names = await h.execute(page);
    expect(names.errors).toBeUndefined();
    expect(names.data!.leaderboard.entries.nodes.map((n: any) => n.user.displayName)).toEqual(['Glitch Owl', 'Solar Kite', 'Challenger 14']);
    expect(h.upstream(ROUTES.node)).toHaveLength(0);
    expect(h.upstream(ROUTES.leaderboardEntries).map((r) => r.status)).toEqual([400, 200]);

    h.resetUpstream();
    const ids = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 3) { nodes { user { id displayName orgScopedId } } } } }`);
    expect(ids.errors).toBeUndefined();
    for (const { user } of ids.data!.leaderboard.entries.nodes) {
      expect(user.orgScopedId).toBe(h.emulator.state.users.get(user.id)!.org_scoped_id);
    }
    // One profile read per player for the id Horizon would not nest; the entries read asked documented fields at once.
    expect(h.upstream(ROUTES.leaderboardEntries).map((r) => r.status)).toEqual([200]);
    expect(h.upstream(ROUTES.node)).toHaveLength(3);
  });
});

describe('User.leaderboardEntry', () => {
  test("a player's entry, null without one; NOT_FOUND for an unknown board", async () => {
    const result = await h.execute(`{
      ranked: user(id: "${demoUserId(3)}") { leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { rank score user { id } leaderboard { sortOrder } } }
      unranked: user(id: "${demoUserId(10)}") { leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { rank } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      ranked: { leaderboardEntry: { rank: 2, score: '62337', user: { id: demoUserId(3) }, leaderboard: { sortOrder: 'LOWER_IS_BETTER' } } },
      unranked: { leaderboardEntry: null },
    });
    // Read straight from the entries (no board lookup first): Horizon's 12075 says the board is unknown.
    h.resetUpstream();
    const unknown = await h.execute(`{ user(id: "${demoUserId(3)}") { id leaderboardEntry(leaderboard: "NOPE") { rank } } }`);
    expect(unknown.data).toEqual({ user: { id: demoUserId(3), leaderboardEntry: null } });
    expect(unknown.errors![0]).toMatchObject({
      message: 'No leaderboard with api name NOPE is configured for this app',
      extensions: { code: 'NOT_FOUND', reason: 'UNKNOWN_LEADERBOARD', leaderboard: 'NOPE', upstream: { code: 12075, status: 400 } },
    });
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(1);
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(0);
  });

  test('N players on one board cost one entries call; a player Horizon does not know is null, the rest unaffected', async () => {
    const players = Array.from({ length: 12 }, (_, i) => demoUserId(i));
    h.resetUpstream();
    const result = await h.execute(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id
        speed: leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { rank }
        again: leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { score }
      } } }`,
      { reps: players.map((id) => ({ __typename: 'User', id })) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((u: any) => u.speed?.rank ?? null)).toEqual([1, 8, 5, 2, 9, 6, 3, 10, 7, 4, null, null]);
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(1);
    expect(h.upstream()).toHaveLength(1);

    h.resetUpstream();
    const withStranger = await h.execute(`{ _entities(representations: [
      { __typename: "User", id: "${demoUserId(0)}" }, { __typename: "User", id: "4242424242" }, { __typename: "User", id: "${demoUserId(3)}" }
    ]) { ... on User { leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { rank } } } }`);
    expect(withStranger.errors).toBeUndefined();
    expect(withStranger.data!._entities).toEqual([{ leaderboardEntry: { rank: 1 } }, { leaderboardEntry: null }, { leaderboardEntry: { rank: 2 } }]);
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(2); // refused, then asked again without the stranger
  });

  test('entries read in a page answer players asked on the same board later in the operation', async () => {
    h.resetUpstream();
    const result = await h.execute(`{
      leaderboard(apiName: "SPEEDRUN_LEVEL_1") { entries(first: 3) { nodes { user { leaderboardEntry(leaderboard: "SPEEDRUN_LEVEL_1") { rank } } } } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.leaderboard.entries.nodes.map((n: any) => n.user.leaderboardEntry.rank)).toEqual([1, 2, 3]);
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(1);
  });
});

describe('_entities', () => {
  test('Leaderboard by apiName and LeaderboardEntry by id; unknown ones are null', async () => {
    const top = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 1) { nodes { id } } } }`);
    const entryId = top.data!.leaderboard.entries.nodes[0].id;
    h.resetUpstream();
    const result = await h.execute(
      `query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on Leaderboard { apiName entryCount }
      ... on LeaderboardEntry { id rank score user { displayName } leaderboard { apiName } }
    } }`,
      {
        reps: [
          { __typename: 'Leaderboard', apiName: 'SEASON_0' },
          { __typename: 'LeaderboardEntry', id: entryId },
          { __typename: 'LeaderboardEntry', id: '4242424242' },
          { __typename: 'Leaderboard', apiName: 'NOPE' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { apiName: 'SEASON_0', entryCount: 6 },
      { id: entryId, rank: 1, score: '107500', user: { displayName: 'Glitch Owl' }, leaderboard: { apiName: 'HIGH_SCORES' } },
      null,
      null,
    ]);
    expect(h.upstream(ROUTES.node)).toHaveLength(2); // the two entries; the user came nested
  });

  test('the entry → leaderboard edge refused by Horizon: entities still resolve, their board found with documented reads', async () => {
    h.emulator.state.behavior.refuseGuessedFields = ['LeaderboardEntry.leaderboard'];
    const top = await h.execute(`{ leaderboard(apiName: "SPEEDRUN_LEVEL_1") { entries(first: 2) { nodes { id rank score user { id displayName } } } } }`);
    const [first, second] = top.data!.leaderboard.entries.nodes;
    h.resetUpstream();
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on LeaderboardEntry { id rank score user { id displayName } leaderboard { apiName sortOrder } }
    } }`;
    const result = await h.execute(query, { reps: [first, second, { id: '4242424242' }].map((e) => ({ __typename: 'LeaderboardEntry', id: e.id })) });
    expect(result.errors).toBeUndefined();
    const onBoard = { leaderboard: { apiName: 'SPEEDRUN_LEVEL_1', sortOrder: 'LOWER_IS_BETTER' } };
    expect(result.data!._entities).toEqual([{ ...first, ...onBoard }, { ...second, ...onBoard }, null]);
    // One board list for both entries (then shared across requests); only documented reads after the refusal.
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(1);
    // Read at once, both entries ask the edge before either refusal is remembered; the unknown id is Graph's 400 too.
    expect(
      h
        .upstream(ROUTES.node)
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 200, 400, 400, 400]);
    expect(h.upstream().filter((r) => r.route === ROUTES.leaderboardEntries && r.params.filter !== 'USER_IDS')).toHaveLength(0);
    h.resetUpstream();
    const again = await h.execute(query, { reps: [{ __typename: 'LeaderboardEntry', id: second.id }] });
    expect(again.data!._entities).toEqual([{ ...second, ...onBoard }]);
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(0);
    expect(h.upstream(ROUTES.node).map((r) => [r.status, r.params.fields?.includes('leaderboard{')])).toEqual([[200, false]]);

    // The admin delete, which reads the entry first, works the same.
    const deleted = await h.execute(`mutation { deleteLeaderboardEntry(id: "${first.id}") { success user { id } leaderboard { apiName } score } }`);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteLeaderboardEntry).toEqual({
      success: true,
      user: first.user && { id: first.user.id },
      leaderboard: { apiName: 'SPEEDRUN_LEVEL_1' },
      score: first.score,
    });
  });

  test('a malformed entry id fails only its own entity', async () => {
    const result = await h.execute(`{ _entities(representations: [
      { __typename: "LeaderboardEntry", id: "../me" }, { __typename: "Leaderboard", apiName: "HIGH_SCORES" }
    ]) { ... on LeaderboardEntry { rank } ... on Leaderboard { entryCount } } }`);
    expect(result.data!._entities).toEqual([null, { entryCount: 40 }]);
    expect(result.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('submitLeaderboardScore', () => {
  const SUBMIT = `mutation($userId: ID!, $board: String!, $score: Long!, $extra: String, $force: Boolean) {
    submitLeaderboardScore(userId: $userId, leaderboard: $board, score: $score, extraDataBase64: $extra, forceUpdate: $force) {
      didUpdate entry { rank score extraDataBase64 extraDataSize user { id } } leaderboard { entryCount }
    } }`;

  test('server-authoritative: the app writes; the payload re-reads the entry; a worse score is didUpdate false', async () => {
    const player = demoUserId(0); // last on HIGH_SCORES with 10,000
    const better = await h.execute(SUBMIT, { userId: player, board: 'HIGH_SCORES', score: '106000', extra: 'T2N1bHVz' });
    expect(better.errors).toBeUndefined();
    expect(better.data!.submitLeaderboardScore).toEqual({
      didUpdate: true,
      entry: { rank: 3, score: '106000', extraDataBase64: 'T2N1bHVz', extraDataSize: 6, user: { id: player } },
      leaderboard: { entryCount: 40 },
    });
    const worse = await h.execute(SUBMIT, { userId: player, board: 'HIGH_SCORES', score: 5 });
    expect(worse.data!.submitLeaderboardScore).toMatchObject({ didUpdate: false, entry: { rank: 3, score: '106000' } });
    const forced = await h.execute(SUBMIT, { userId: player, board: 'HIGH_SCORES', score: 5, force: true });
    expect(forced.data!.submitLeaderboardScore).toMatchObject({ didUpdate: true, entry: { rank: 40, score: '5', extraDataBase64: null } });
    expect(h.upstream(ROUTES.submitEntry).map((r) => r.token)).toEqual(['app', 'app', 'app']);
  });

  test('a score above 2^53 round-trips exactly through emulator, client and GraphQL, in either wire form', async () => {
    const big = '9007199254740993';
    const result = await h.execute(SUBMIT, { userId: demoUserId(1), board: 'HIGH_SCORES', score: big });
    expect(result.errors).toBeUndefined();
    expect(result.data!.submitLeaderboardScore.entry).toMatchObject({ rank: 1, score: big });
    const literal = await h.execute(`{ user(id: "${demoUserId(1)}") { leaderboardEntry(leaderboard: "HIGH_SCORES") { score } } }`);
    expect(literal.data!.user.leaderboardEntry.score).toBe(big);
    h.emulator.state.leaderboards.scoreEncoding = 'string';
    const asString = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 2) { nodes { score } } } }`);
    expect(asString.data!.leaderboard.entries.nodes).toEqual([{ score: big }, { score: '107500' }]);
  });

  test('client-authoritative: written with the player token, which must be theirs', async () => {
    const player = demoUserId(10); // no speedrun yet
    const noToken = await asPlayer(SUBMIT, undefined, { userId: player, board: 'SPEEDRUN_LEVEL_1', score: 70000 });
    expect(noToken.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    const otherPlayer = await asPlayer(SUBMIT, demoUserToken(2), { userId: player, board: 'SPEEDRUN_LEVEL_1', score: 70000 });
    expect(otherPlayer.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(h.upstream(ROUTES.submitEntry)).toHaveLength(0);
    const own = await asPlayer(SUBMIT, demoUserToken(10), { userId: player, board: 'SPEEDRUN_LEVEL_1', score: 70000 });
    expect(own.errors).toBeUndefined();
    expect(own.data!.submitLeaderboardScore).toEqual({
      didUpdate: true,
      entry: { rank: 8, score: '70000', extraDataBase64: null, extraDataSize: 0, user: { id: player } },
      leaderboard: { entryCount: 11 },
    });
    expect(h.upstream(ROUTES.submitEntry).map((r) => r.token)).toEqual(['user']);
  });

  test('extra data that is not base64 or over 2048 bytes is BAD_USER_INPUT before any upstream call', async () => {
    h.resetUpstream();
    const tooBig = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'HIGH_SCORES', score: 1, extra: Buffer.alloc(2049).toString('base64') });
    expect(tooBig.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'extraDataBase64' });
    const notBase64 = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'HIGH_SCORES', score: 1, extra: 'hello world' });
    expect(notBase64.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'extraDataBase64' });
    expect(h.upstream()).toHaveLength(0);
  });

  test('a board gone from Horizon while its metadata was cached: submit and reads are NOT_FOUND naming it (code 12075)', async () => {
    // Cached board metadata (shared, max-age 60) outlives a board deleted in the dashboard or by another replica.
    expect((await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { id } }`)).errors).toBeUndefined();
    h.emulator.state.leaderboards.removeBoard(h.emulator.state.leaderboards.boards.get('HIGH_SCORES')!);
    h.resetUpstream();
    const submit = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'HIGH_SCORES', score: 1 });
    expect(submit.data).toEqual({ submitLeaderboardScore: null });
    expect(submit.errors).toHaveLength(1);
    expect(submit.errors![0]).toMatchObject({
      message: 'No leaderboard with api name HIGH_SCORES is configured for this app',
      extensions: {
        code: 'NOT_FOUND',
        reason: 'UNKNOWN_LEADERBOARD',
        leaderboard: 'HIGH_SCORES',
        upstream: { code: 12075, endpoint: 'POST /leaderboard_submit_entry' },
      },
    });
    expect(h.upstream(ROUTES.submitEntry)).toHaveLength(1);
    const read = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { apiName entries(first: 3) { nodes { rank } } } }`);
    expect(read.data).toEqual({ leaderboard: { apiName: 'HIGH_SCORES', entries: null } });
    expect(read.errors![0]).toMatchObject({
      path: ['leaderboard', 'entries'],
      message: 'No leaderboard with api name HIGH_SCORES is configured for this app',
      extensions: { code: 'NOT_FOUND', reason: 'UNKNOWN_LEADERBOARD', leaderboard: 'HIGH_SCORES', upstream: { code: 12075 } },
    });
  });

  test('a score outside int64 is BAD_USER_INPUT; an unknown board NOT_FOUND; a closed window BAD_USER_INPUT "too late"', async () => {
    h.resetUpstream();
    const overflow = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'HIGH_SCORES', score: '9223372036854775808' });
    expect(overflow.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream()).toHaveLength(0);
    const unknown = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'NOPE', score: 1 });
    expect(unknown.errors![0]).toMatchObject({
      message: 'No leaderboard with api name NOPE is configured for this app',
      extensions: { code: 'NOT_FOUND', argument: 'leaderboard', reason: 'UNKNOWN_LEADERBOARD', leaderboard: 'NOPE' },
    });
    const late = await h.execute(SUBMIT, { userId: demoUserId(0), board: 'SEASON_0', score: 1000 });
    expect(late.errors![0]).toMatchObject({ message: expect.stringContaining('too late'), extensions: { code: 'BAD_USER_INPUT', upstream: { code: 100 } } });
    expect(h.upstream(ROUTES.submitEntry)).toHaveLength(1);
  });
});

describe('admin mutations', () => {
  test('upsertLeaderboard creates, then updates keeping what was not given', async () => {
    const created = await h.execute(`mutation { upsertLeaderboard(input: {
      apiName: "DAILY", sortOrder: LOWER_IS_BETTER, writePolicy: SERVER_AUTHORITATIVE,
      earliestAllowedEntryTime: "2026-01-01T00:00:00Z", latestAllowedEntryTime: "2099-01-01T00:00:00Z",
      titles: [{ locale: "en_US", title: "Daily" }, { locale: "fr_FR", title: "Quotidien" }]
    }) { created leaderboard { apiName sortOrder writePolicy entryCount earliestAllowedEntryTime latestAllowedEntryTime title(locale: "fr_FR") } } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data!.upsertLeaderboard).toEqual({
      created: true,
      leaderboard: {
        apiName: 'DAILY',
        sortOrder: 'LOWER_IS_BETTER',
        writePolicy: 'SERVER_AUTHORITATIVE',
        entryCount: 0,
        earliestAllowedEntryTime: '2026-01-01T00:00:00.000Z',
        latestAllowedEntryTime: '2099-01-01T00:00:00.000Z',
        title: 'Quotidien',
      },
    });
    const updated = await h.execute(`mutation { upsertLeaderboard(input: { apiName: "DAILY", sortOrder: HIGHER_IS_BETTER, latestAllowedEntryTime: null }) {
      created leaderboard { sortOrder writePolicy earliestAllowedEntryTime latestAllowedEntryTime titles { locale } } } }`);
    expect(updated.data!.upsertLeaderboard).toEqual({
      created: false,
      leaderboard: {
        sortOrder: 'HIGHER_IS_BETTER',
        writePolicy: 'SERVER_AUTHORITATIVE',
        earliestAllowedEntryTime: '2026-01-01T00:00:00.000Z',
        latestAllowedEntryTime: null,
        titles: [{ locale: 'en_US' }, { locale: 'fr_FR' }],
      },
    });
  });

  test('upsertLeaderboard refuses a new board without its settings, and an inverted window, sending no write', async () => {
    const missing = await h.execute(`mutation { upsertLeaderboard(input: { apiName: "DAILY", sortOrder: HIGHER_IS_BETTER }) { created } }`);
    expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.writePolicy' });
    const inverted = await h.execute(`mutation { upsertLeaderboard(input: {
      apiName: "HIGH_SCORES", earliestAllowedEntryTime: "2027-01-01T00:00:00Z", latestAllowedEntryTime: "2026-01-01T00:00:00Z" }) { created } }`);
    expect(inverted.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const badLocale = await h.execute(
      `mutation { upsertLeaderboard(input: { apiName: "HIGH_SCORES", titles: [{ locale: "English", title: "x" }] }) { created } }`,
    );
    expect(badLocale.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.upstream(ROUTES.upsertLeaderboard)).toHaveLength(0);
  });

  test('deleteLeaderboard deletes by id after looking it up; an unknown one is NOT_FOUND', async () => {
    const result = await h.execute(`mutation { deleteLeaderboard(apiName: "SEASON_0") { success apiName id deletedEntryCount } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.deleteLeaderboard).toEqual({ success: true, apiName: 'SEASON_0', id: expect.stringMatching(/^\d{16}$/), deletedEntryCount: 6 });
    expect(h.upstream(ROUTES.deleteNode)).toHaveLength(1);
    expect((await h.execute(`{ leaderboard(apiName: "SEASON_0") { id } }`)).data).toEqual({ leaderboard: null });
    const again = await h.execute(`mutation { deleteLeaderboard(apiName: "SEASON_0") { success } }`);
    expect(again.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  test('deleteLeaderboardEntry says whose entry it removed; an unknown id is NOT_FOUND', async () => {
    const top = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 1) { nodes { id } } } }`);
    const id = top.data!.leaderboard.entries.nodes[0].id;
    const result = await h.execute(
      `mutation { deleteLeaderboardEntry(id: "${id}") { success id score user { displayName } leaderboard { apiName entryCount } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.deleteLeaderboardEntry).toEqual({
      success: true,
      id,
      score: '107500',
      user: { displayName: 'Glitch Owl' },
      leaderboard: { apiName: 'HIGH_SCORES', entryCount: 39 },
    });
    const again = await h.execute(`mutation { deleteLeaderboardEntry(id: "${id}") { success } }`);
    expect(again.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  test('removeAllLeaderboardEntries empties the board and says how many went', async () => {
    const result = await h.execute(
      `mutation { removeAllLeaderboardEntries(leaderboard: "SPEEDRUN_LEVEL_1") { success removedEntryCount leaderboard { entryCount entries { totalCount } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.removeAllLeaderboardEntries).toEqual({
      success: true,
      removedEntryCount: 10,
      leaderboard: { entryCount: 0, entries: { totalCount: 0 } },
    });
    expect(h.upstream(ROUTES.removeAllEntries)).toHaveLength(1);
  });
});

describe('batching', () => {
  test("a page of 25 entries with each player's name and 2 achievements: 1 entries call, 25 progress calls, no user calls", async () => {
    h.resetUpstream();
    const result = await h.execute(`{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 25) { nodes { rank user {
      displayName
      steps: achievement(apiName: "FIRST_STEPS") { unlocked }
      gems: achievement(apiName: "COLLECT_100_GEMS") { count definition { target } }
    } } } } }`);
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.leaderboard.entries.nodes;
    expect(nodes).toHaveLength(25);
    expect(nodes[0]).toEqual({
      rank: 1,
      user: { displayName: 'Glitch Owl', steps: { unlocked: true }, gems: { count: '100', definition: { target: '100' } } },
    });
    expect(nodes.find((n: any) => n.user.displayName.startsWith('Challenger')).user.gems.count).toBe('0');
    expect(h.upstream(ROUTES.leaderboardEntries)).toHaveLength(1);
    expect(h.upstream(ROUTES.progress)).toHaveLength(25);
    expect(h.upstream(ROUTES.definitions).length).toBeLessThanOrEqual(1);
    expect(h.upstream(ROUTES.node)).toHaveLength(0);
    expect(h.upstream(ROUTES.leaderboards)).toHaveLength(1);
    expect(h.upstream()).toHaveLength(1 + 1 + 25 + h.upstream(ROUTES.definitions).length);
  });
});
