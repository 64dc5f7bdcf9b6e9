/** The leaderboards client (docs/horizon-api.md) against a real emulator over loopback HTTP. */
import { request } from 'undici';
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { CODE_NOT_RANKED, CODE_UNKNOWN_LEADERBOARD } from '../../src/horizon/errors.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import type { Leaderboard, LeaderboardEntry } from '../../src/horizon/leaderboards.js';
import { parseScore } from '../../src/horizon/leaderboards/wire.js';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { apiError, freshWorld, graphCall } from '../helpers/contract.js';

const BIG_SCORE = 9_007_199_254_740_993n; // 2^53 + 1: a JSON number parsed as a double reads ...992
const INT64_MAX = 2n ** 63n - 1n;

const userIdsOf = (entries: LeaderboardEntry[]) => entries.map((e) => e.user.id);

describe('read-only, one shared emulator', () => {
  let emulator: RunningEmulator;
  let client: HorizonClient;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = clientFor(emulator);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  beforeEach(() => emulator.clearRequests());

  describe('boards', () => {
    test('list returns every board, normalized, in one call', async () => {
      const boards = await client.leaderboards.list();
      expect(emulator.requests).toHaveLength(1);
      expect(emulator.requests[0]).toMatchObject({ route: ROUTES.leaderboards, token: 'app', status: 200 });
      const byName = new Map(boards.map((b) => [b.apiName, b]));
      expect([...byName.keys()].sort()).toEqual(['HIGH_SCORES', 'SEASON_0', 'SPEEDRUN_LEVEL_1']);
      expect(byName.get('HIGH_SCORES')).toEqual<Leaderboard>({
        id: expect.stringMatching(/^\d{16}$/),
        apiName: 'HIGH_SCORES',
        sortOrder: 'HIGHER_IS_BETTER',
        writePolicy: 'SERVER_AUTHORITATIVE',
        entryCount: 40,
        earliestAllowedEntryTime: null,
        latestAllowedEntryTime: null,
        titles: [
          { locale: 'en_US', title: 'High Scores' },
          { locale: 'fr_FR', title: 'Meilleurs scores' },
        ],
      });
      expect(byName.get('SPEEDRUN_LEVEL_1')).toMatchObject({ sortOrder: 'LOWER_IS_BETTER', writePolicy: 'CLIENT_AUTHORITATIVE', entryCount: 10 });
      expect(byName.get('SEASON_0')).toMatchObject({
        earliestAllowedEntryTime: new Date('2025-01-01T00:00:00Z'),
        latestAllowedEntryTime: new Date('2025-06-30T23:59:59Z'),
        titles: [
          { locale: 'en_GB', title: 'Season Nought' },
          { locale: 'en_US', title: 'Season 0' },
          { locale: 'fr_FR', title: 'Saison 0' },
          { locale: 'ja_JP', title: 'シーズン0' },
        ],
      });
    });

    test('the api_name filter narrows the list; get() is null for an unknown board', async () => {
      expect((await client.leaderboards.list({ apiName: 'SEASON_0' })).map((b) => b.apiName)).toEqual(['SEASON_0']);
      expect(await client.leaderboards.get('NOPE')).toBeNull();
      expect(emulator.requests.every((r) => r.route === ROUTES.leaderboards)).toBe(true);
    });

    test('without fields Graph lists only ids', async () => {
      const { status, body: json } = await graphCall(emulator, 'GET', `/${emulator.appId}/leaderboards`, {});
      expect(status).toBe(200);
      expect(json.data).toHaveLength(3);
      for (const board of json.data) expect(Object.keys(board)).toEqual(['id']);
    });

    test('an invalid api name is refused before anything is sent', async () => {
      await expect(client.leaderboards.list({ apiName: 'line\nbreak' })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(emulator.requests).toHaveLength(0);
    });
  });

  describe('entries', () => {
    test('TOP: best first, ties ranked by the earlier write, nested user profiles, summary total', async () => {
      const page = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 3, summary: true });
      expect(page.entries.map((e) => [e.rank, e.user.id, e.score])).toEqual([
        [1, demoUserId(7), 107_500n],
        [2, demoUserId(8), 107_500n],
        [3, demoUserId(14), 105_000n],
      ]);
      expect(page.entries[0]).toEqual<LeaderboardEntry>({
        id: expect.stringMatching(/^\d{16}$/),
        leaderboardApiName: 'HIGH_SCORES',
        rank: 1,
        score: 107_500n,
        timestamp: new Date((1_760_000_000 + 7 * 600) * 1000),
        extraDataBase64: null,
        user: {
          id: demoUserId(7),
          alias: 'GlitchOwl',
          displayName: 'Glitch Owl',
          profileUrl: expect.stringContaining('glitchowl'),
          orgScopedId: expect.stringMatching(/^\d+$/),
        },
      });
      expect(page.totalCount).toBe(40);
      expect(page.hasNext).toBe(true);
      expect(page.hasPrevious).toBe(false);
      expect(emulator.requests[0]).toMatchObject({ route: ROUTES.leaderboardEntries, token: 'app' });
    });

    test('paging with cursors walks all 40 entries once; the last page has no next', async () => {
      const seen: LeaderboardEntry[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 15, after });
        pages++;
        seen.push(...page.entries);
        if (!page.hasNext) {
          expect(page.entries).toHaveLength(10);
          expect(page.hasPrevious).toBe(true);
          break;
        }
        after = page.afterCursor;
        expect(after).toEqual(expect.any(String));
      }
      expect(pages).toBe(3);
      expect(seen.map((e) => e.rank)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(userIdsOf(seen)).size).toBe(40);
    });

    test('OFFSET starts at a position; a page past the end is empty', async () => {
      const tail = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', startAt: 'OFFSET', offset: 37, limit: 5 });
      expect(tail.entries.map((e) => e.rank)).toEqual([38, 39, 40]);
      expect(tail.entries[2]!.user.id).toBe(demoUserId(0));
      expect(tail.hasNext).toBe(false);
      expect(tail.hasPrevious).toBe(true);
      const past = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', startAt: 'OFFSET', offset: 40 });
      expect(past.entries).toEqual([]);
      expect(past.hasNext).toBe(false);
    });

    test('LOWER_IS_BETTER ranks the smallest score first', async () => {
      const page = await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', limit: 3 });
      expect(page.entries.map((e) => [e.user.id, e.score])).toEqual([
        [demoUserId(0), 61_000n],
        [demoUserId(3), 62_337n],
        [demoUserId(6), 63_674n],
      ]);
    });

    test('FRIENDS, with the viewer token: the viewer and their friends, board-wide ranks', async () => {
      const page = await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', filter: 'FRIENDS', userToken: demoUserToken(0), summary: true });
      // Player 0's friends are 1, 2, 10, 11; 10 and 11 never ran this level.
      expect(page.entries.map((e) => [e.user.id, e.rank])).toEqual([
        [demoUserId(0), 1],
        [demoUserId(2), 5],
        [demoUserId(1), 8],
      ]);
      expect(page.totalCount).toBe(3);
      expect(emulator.requests[0]).toMatchObject({ token: 'user', status: 200 });
    });

    test('USER_IDS returns only the named players that have an entry', async () => {
      const page = await client.leaderboards.entries({
        apiName: 'SPEEDRUN_LEVEL_1',
        filter: 'USER_IDS',
        userIds: [demoUserId(11), demoUserId(4), demoUserId(3)],
      });
      expect(userIdsOf(page.entries)).toEqual([demoUserId(3), demoUserId(4)]);
      expect(page.entries.map((e) => e.rank)).toEqual([2, 9]);
    });

    test('USER_IDS naming a user Horizon does not know is code 100 "invalid user id"', async () => {
      const error = await apiError(client.leaderboards.entries({ apiName: 'HIGH_SCORES', filter: 'USER_IDS', userIds: [demoUserId(1), '4242424242'] }));
      expect(error).toMatchObject({ status: 400, code: 100 });
      expect(error.upstreamMessage).toBe('Parameter user_ids: invalid user id: 4242424242');
    });

    test('CENTERED_ON_VIEWER puts the viewer in the middle of the page', async () => {
      // Player 5 (22,500 points) ranks 35th.
      const page = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', startAt: 'CENTERED_ON_VIEWER', limit: 5, userToken: demoUserToken(5) });
      expect(page.entries.map((e) => e.rank)).toEqual([33, 34, 35, 36, 37]);
      expect(page.entries[2]!.user.id).toBe(demoUserId(5));
      expect(page.hasPrevious).toBe(true);
      expect(page.hasNext).toBe(true);
    });

    test('CENTERED_ON_VIEWER without an entry is 12074; CENTERED_ON_VIEWER_OR_TOP falls back to the top', async () => {
      const error = await apiError(client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', startAt: 'CENTERED_ON_VIEWER', userToken: demoUserToken(10) }));
      expect(error.code).toBe(CODE_NOT_RANKED);
      expect(error.upstreamMessage).toBe("You're not yet ranked on this leaderboard.");
      const top = await client.leaderboards.entries({
        apiName: 'SPEEDRUN_LEVEL_1',
        startAt: 'CENTERED_ON_VIEWER_OR_TOP',
        limit: 2,
        userToken: demoUserToken(10),
      });
      expect(top.entries.map((e) => e.rank)).toEqual([1, 2]);
    });

    test('viewer-relative reads need a user token: the client refuses before sending, Graph says code 100', async () => {
      await expect(client.leaderboards.entries({ apiName: 'HIGH_SCORES', filter: 'FRIENDS' })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.leaderboards.entries({ apiName: 'HIGH_SCORES', startAt: 'CENTERED_ON_VIEWER' })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(emulator.requests).toHaveLength(0);
      const friends = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', filter: 'FRIENDS' });
      expect(friends.status).toBe(400);
      expect(friends.body.error).toMatchObject({ code: 100, message: expect.stringContaining('requires a user access token') });
      const centred = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', start_at: 'CENTERED_ON_VIEWER_OR_TOP' });
      expect(centred.body.error).toMatchObject({ code: 100 });
    });

    test('api_name is required (code 100); an unknown board is 12075 naming it; a bad enum value is code 100', async () => {
      const missing = await graphCall(emulator, 'GET', '/leaderboard_entries', {});
      expect(missing.body.error).toMatchObject({ code: 100, message: '(#100) The parameter api_name is required' });
      const unknown = await apiError(client.leaderboards.entries({ apiName: 'NOPE' }));
      expect(unknown).toMatchObject({
        status: 400,
        code: CODE_UNKNOWN_LEADERBOARD,
        type: 'OCApiException',
        upstreamMessage: 'The requested leaderboard has not been configured for this app',
        errorData: { api_name: 'NOPE' },
        apiName: 'NOPE',
      });
      const badFilter = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', filter: 'EVERYONE' });
      expect(badFilter.body.error).toMatchObject({ code: 100 });
    });

    test('an unknown board answers exactly what Horizon sent for one (docs/horizon-api.md): on submit, reads and remove-all', async () => {
      const captured = {
        error: {
          message: 'The requested leaderboard has not been configured for this app',
          type: 'OCApiException',
          code: 12075,
          error_data: { api_name: 'R_FarmVR_A_T3' },
        },
      };
      const submit = await graphCall(emulator, 'POST', '/leaderboard_submit_entry', { api_name: 'R_FarmVR_A_T3', score: '5', user_id: demoUserId(1) });
      expect(submit.status).toBe(400);
      expect(submit.text).toBe(JSON.stringify(captured));
      const read = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'R_FarmVR_A_T3' });
      expect([read.status, read.body]).toEqual([400, captured]);
      const removeAll = await graphCall(emulator, 'POST', '/leaderboard_remove_all_entries', { api_name: 'R_FarmVR_A_T3' });
      expect([removeAll.status, removeAll.body]).toEqual([400, captured]);
      // The client keeps error_data, and names the board from it.
      const error = await apiError(client.leaderboards.submitEntry({ apiName: 'R_FarmVR_A_T3', userId: demoUserId(1), score: 5n }));
      expect(error).toMatchObject({ code: 12075, errorData: { api_name: 'R_FarmVR_A_T3' }, apiName: 'R_FarmVR_A_T3', requestApiName: 'R_FarmVR_A_T3' });
      expect(emulator.state.leaderboards.boards.has('R_FarmVR_A_T3')).toBe(false);
    });

    test('getEntry reads an entry by id, naming its board', async () => {
      const [top] = (await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', limit: 1 })).entries;
      const again = await client.leaderboards.getEntry(top!.id);
      expect(again).toEqual(top);
      expect(emulator.requests[1]).toMatchObject({ route: ROUTES.node, status: 200 });
      const unknown = await apiError(client.leaderboards.getEntry('4242424242'));
      expect(unknown).toMatchObject({ code: 100, subcode: 33 });
    });

    test('entries with extra data carry it as sent', async () => {
      const page = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', filter: 'USER_IDS', userIds: [demoUserId(5)] });
      expect(page.entries[0]!.extraDataBase64).toBe(Buffer.from('level:5').toString('base64'));
    });
  });
});

describe('writes, a fresh emulator per test', () => {
  const world = freshWorld({ client: { retry: false } });
  const entryOf = async (apiName: string, userIndex: number) => (await world.client.leaderboards.entriesOfUsers(apiName, [demoUserId(userIndex)]))[0];

  test('a better score updates, a worse one is did_update false (200), force_update overwrites', async () => {
    const { client } = world;
    const player = demoUserId(7); // 107,500 on HIGH_SCORES
    expect(await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: player, score: 200_000n })).toEqual({
      didUpdate: true,
      updatedChallengeIds: [],
    });
    expect((await entryOf('HIGH_SCORES', 7))!.score).toBe(200_000n);
    expect(await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: player, score: 1n })).toEqual({ didUpdate: false, updatedChallengeIds: [] });
    expect((await entryOf('HIGH_SCORES', 7))!.score).toBe(200_000n);
    expect(world.emulator.requests.find((r) => r.route === ROUTES.submitEntry && r.status !== 200)).toBeUndefined();
    expect((await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: player, score: 1n, forceUpdate: true })).didUpdate).toBe(true);
    const forced = await entryOf('HIGH_SCORES', 7);
    expect(forced).toMatchObject({ score: 1n, rank: 40 });
  });

  test('on LOWER_IS_BETTER a smaller score is the better one', async () => {
    const { client } = world;
    const res = await client.leaderboards.submitEntry({ apiName: 'SPEEDRUN_LEVEL_1', userToken: demoUserToken(7), score: 60_000n });
    expect(res.didUpdate).toBe(true);
    expect(await entryOf('SPEEDRUN_LEVEL_1', 7)).toMatchObject({ score: 60_000n, rank: 1 });
    expect((await client.leaderboards.submitEntry({ apiName: 'SPEEDRUN_LEVEL_1', userToken: demoUserToken(7), score: 60_001n })).didUpdate).toBe(false);
  });

  test('CLIENT_AUTHORITATIVE takes the player token (no user_id) and creates their first entry', async () => {
    const { client, emulator } = world;
    expect(await entryOf('SPEEDRUN_LEVEL_1', 10)).toBeUndefined();
    await client.leaderboards.submitEntry({ apiName: 'SPEEDRUN_LEVEL_1', userToken: demoUserToken(10), score: 99_000n, extraDataBase64: 'T2N1bHVz' });
    expect(await entryOf('SPEEDRUN_LEVEL_1', 10)).toMatchObject({ rank: 11, score: 99_000n, extraDataBase64: 'T2N1bHVz' });
    expect(emulator.requests.find((r) => r.route === ROUTES.submitEntry)).toMatchObject({ token: 'user', status: 200 });
  });

  test('the wrong token kind for the write policy is refused with code 10', async () => {
    const { client, emulator } = world;
    const userOnServerBoard = await apiError(client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userToken: demoUserToken(1), score: 5n }));
    expect(userOnServerBoard).toMatchObject({ status: 403, code: 10, upstreamMessage: expect.stringContaining('SERVER_AUTHORITATIVE') });
    const appOnClientBoard = await apiError(client.leaderboards.submitEntry({ apiName: 'SPEEDRUN_LEVEL_1', userId: demoUserId(1), score: 5n }));
    expect(appOnClientBoard).toMatchObject({ status: 403, code: 10, upstreamMessage: expect.stringContaining('CLIENT_AUTHORITATIVE') });
    const userIdWithUserToken = await graphCall(
      emulator,
      'POST',
      '/leaderboard_submit_entry',
      { api_name: 'SPEEDRUN_LEVEL_1', score: '5', user_id: demoUserId(1) },
      demoUserToken(1),
    );
    expect(userIdWithUserToken.body.error).toMatchObject({ code: 100, message: expect.stringContaining('Do not send user_id') });
    const noUser = await graphCall(emulator, 'POST', '/leaderboard_submit_entry', { api_name: 'HIGH_SCORES', score: '5' });
    expect(noUser.body.error).toMatchObject({ code: 100, message: '(#100) The parameter user_id is required' });
    const unknownUser = await apiError(client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: '4242424242', score: 5n }));
    expect(unknownUser.upstreamMessage).toBe('Parameter user_id: invalid user id: 4242424242');
  });

  test('outside the allowed time window: code 100, too late or too early', async () => {
    const { client } = world;
    const late = await apiError(client.leaderboards.submitEntry({ apiName: 'SEASON_0', userId: demoUserId(1), score: 1_000n }));
    expect(late).toMatchObject({ code: 100, upstreamMessage: "This leaderboard entry is too late for the leaderboard's allowed time window." });
    await client.leaderboards.upsert({
      apiName: 'FUTURE_CUP',
      sortOrder: 'HIGHER_IS_BETTER',
      writePolicy: 'SERVER_AUTHORITATIVE',
      earliestAllowedEntryTime: new Date('2099-01-01T00:00:00Z'),
    });
    const early = await apiError(client.leaderboards.submitEntry({ apiName: 'FUTURE_CUP', userId: demoUserId(1), score: 1n }));
    expect(early.upstreamMessage).toContain('too early');
    expect(await entryOf('SEASON_0', 1)).toMatchObject({ score: 460n }); // unchanged
  });

  test('extra data: 2048 decoded bytes round-trip; more, or not base64, is refused by client and emulator', async () => {
    const { client, emulator } = world;
    const max = Buffer.alloc(2048, 7).toString('base64');
    await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(2), score: 500_000n, extraDataBase64: max });
    expect((await entryOf('HIGH_SCORES', 2))!.extraDataBase64).toBe(max);
    emulator.clearRequests();
    const tooBig = Buffer.alloc(2049, 7).toString('base64');
    await expect(client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(2), score: 600_000n, extraDataBase64: tooBig })).rejects.toThrow(
      '2049 bytes',
    );
    await expect(
      client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(2), score: 600_000n, extraDataBase64: 'not base64!' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
    const rawTooBig = await graphCall(emulator, 'POST', '/leaderboard_submit_entry', {
      api_name: 'HIGH_SCORES',
      user_id: demoUserId(2),
      score: '600000',
      extra_data_base64: tooBig,
    });
    expect(rawTooBig.body.error).toMatchObject({ code: 100, message: expect.stringContaining('at most 2048 bytes') });
    const rawNotBase64 = await graphCall(emulator, 'POST', '/leaderboard_submit_entry', {
      api_name: 'HIGH_SCORES',
      user_id: demoUserId(2),
      score: '600000',
      extra_data_base64: 'a*b=',
    });
    expect(rawNotBase64.body.error).toMatchObject({ code: 100 });
  });

  test('a score above 2^53 is exact on the wire as a JSON number, and through the client', async () => {
    const { client, emulator } = world;
    await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(4), score: BIG_SCORE });
    const wire = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', limit: '1', fields: 'score' });
    expect(wire.text).toContain('"score":9007199254740993');
    const top = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 1 });
    expect(top.entries[0]).toMatchObject({ score: BIG_SCORE, user: { id: demoUserId(4) } });
    // One more than the stored score is better, although both are the same double.
    expect((await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(4), score: BIG_SCORE + 1n })).didUpdate).toBe(true);
    expect((await entryOf('HIGH_SCORES', 4))!.score).toBe(BIG_SCORE + 1n);
  });

  test('scores sent as JSON strings ("long_as_string") are read the same, large and small', async () => {
    const { client, emulator } = world;
    emulator.state.leaderboards.scoreEncoding = 'string';
    await client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(4), score: INT64_MAX });
    const wire = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', limit: '2', fields: 'score' });
    expect(wire.text).toContain('"score":"9223372036854775807"');
    expect(wire.text).toContain('"score":"107500"');
    const page = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 2 });
    expect(page.entries.map((e) => e.score)).toEqual([INT64_MAX, 107_500n]);
  });

  test('scores outside int64 are refused: by the client before sending, by Graph with code 100', async () => {
    const { client, emulator } = world;
    await expect(client.leaderboards.submitEntry({ apiName: 'HIGH_SCORES', userId: demoUserId(4), score: INT64_MAX + 1n })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const rawOver = await graphCall(emulator, 'POST', '/leaderboard_submit_entry', {
      api_name: 'HIGH_SCORES',
      user_id: demoUserId(4),
      score: '9223372036854775808',
    });
    expect(rawOver.body.error).toMatchObject({ code: 100, message: '(#100) Param score must be a 64-bit integer' });
    const rawMin = await graphCall(
      emulator,
      'POST',
      '/leaderboard_submit_entry',
      { api_name: 'SPEEDRUN_LEVEL_1', score: '-9223372036854775808' },
      demoUserToken(4),
    );
    expect(rawMin.body).toMatchObject({ did_update: true });
    expect((await entryOf('SPEEDRUN_LEVEL_1', 4))!.score).toBe(-(2n ** 63n));
  });

  test('upsert creates and updates by api name; omitted settings keep their values', async () => {
    const { client } = world;
    const { id } = await client.leaderboards.upsert({
      apiName: 'DAILY',
      sortOrder: 'LOWER_IS_BETTER',
      writePolicy: 'SERVER_AUTHORITATIVE',
      earliestAllowedEntryTime: new Date('2026-01-01T00:00:00Z'),
      latestAllowedEntryTime: new Date('2099-01-01T00:00:00Z'),
      titles: [{ locale: 'en_US', title: 'Daily' }],
    });
    expect(id).toMatch(/^\d{16}$/);
    const again = await client.leaderboards.upsert({
      apiName: 'DAILY',
      sortOrder: 'HIGHER_IS_BETTER',
      latestAllowedEntryTime: null,
      titles: [{ locale: 'de_DE', title: 'Täglich' }],
    });
    expect(again.id).toBe(id);
    expect(await client.leaderboards.get('DAILY')).toEqual<Leaderboard>({
      id,
      apiName: 'DAILY',
      sortOrder: 'HIGHER_IS_BETTER',
      writePolicy: 'SERVER_AUTHORITATIVE',
      entryCount: 0,
      earliestAllowedEntryTime: new Date('2026-01-01T00:00:00Z'),
      latestAllowedEntryTime: null,
      titles: [{ locale: 'de_DE', title: 'Täglich' }],
    });
  });

  test('upsert validation: code 100 for missing or bad settings, an inverted window, a bad title map', async () => {
    const { emulator } = world;
    const post = (params: Record<string, string>) => graphCall(emulator, 'POST', `/${emulator.appId}/leaderboards`, params);
    expect((await post({ api_name: 'NEW', entry_write_policy: 'SERVER_AUTHORITATIVE' })).body.error).toMatchObject({
      code: 100,
      message: '(#100) The parameter sort_order is required',
    });
    expect((await post({ api_name: 'NEW', sort_order: 'SIDEWAYS', entry_write_policy: 'SERVER_AUTHORITATIVE' })).body.error).toMatchObject({ code: 100 });
    const inverted = await post({
      api_name: 'NEW',
      sort_order: 'HIGHER_IS_BETTER',
      entry_write_policy: 'SERVER_AUTHORITATIVE',
      earliest_allowed_entry_time: '200',
      latest_allowed_entry_time: '100',
    });
    expect(inverted.body.error).toMatchObject({ code: 100, message: expect.stringContaining('must be before') });
    const badMap = await post({ api_name: 'NEW', sort_order: 'HIGHER_IS_BETTER', entry_write_policy: 'SERVER_AUTHORITATIVE', title_locale_map: '["Soccer"]' });
    expect(badMap.body.error).toMatchObject({ code: 100, message: expect.stringContaining('title_locale_map') });
    const userToken = await graphCall(
      emulator,
      'POST',
      `/${emulator.appId}/leaderboards`,
      { api_name: 'NEW', sort_order: 'HIGHER_IS_BETTER', entry_write_policy: 'SERVER_AUTHORITATIVE' },
      demoUserToken(0),
    );
    expect(userToken.body.error).toMatchObject({ code: 10 });
    expect(emulator.state.leaderboards.boards.has('NEW')).toBe(false);
    await expect(world.client.leaderboards.upsert({ apiName: 'NEW', titles: [{ locale: 'english', title: 'x' }] })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  test('deleteEntry removes one entry; the others move up', async () => {
    const { client } = world;
    const top = (await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 2 })).entries;
    expect(await client.leaderboards.deleteEntry(top[0]!.id)).toBe(true);
    expect(world.emulator.requests.at(-1)).toMatchObject({ route: ROUTES.deleteNode, status: 200 });
    const after = await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 1, summary: true });
    expect(after.entries[0]).toMatchObject({ id: top[1]!.id, rank: 1 });
    expect(after.totalCount).toBe(39);
    expect((await apiError(client.leaderboards.getEntry(top[0]!.id))).subcode).toBe(33);
    expect((await apiError(client.leaderboards.deleteEntry(top[0]!.id))).subcode).toBe(33);
  });

  test('removeAllEntries empties a board and keeps it; delete removes the board', async () => {
    const { client } = world;
    expect(await client.leaderboards.removeAllEntries('SPEEDRUN_LEVEL_1')).toBe(true);
    expect(await client.leaderboards.get('SPEEDRUN_LEVEL_1')).toMatchObject({ entryCount: 0 });
    expect((await client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1' })).entries).toEqual([]);
    const board = (await client.leaderboards.get('SEASON_0'))!;
    expect(await client.leaderboards.delete(board.id)).toBe(true);
    expect(await client.leaderboards.get('SEASON_0')).toBeNull();
    expect(await apiError(client.leaderboards.entries({ apiName: 'SEASON_0' }))).toMatchObject({ code: 12075, apiName: 'SEASON_0' });
    expect((await apiError(client.leaderboards.removeAllEntries('SEASON_0'))).code).toBe(12075);
  });

  test('deletes need the app token', async () => {
    const { client, emulator } = world;
    const [entry] = (await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 1 })).entries;
    const response = await request(`${emulator.url}/${entry!.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${demoUserToken(7)}` } });
    expect(response.statusCode).toBe(403);
    await response.body.dump();
    const removeAll = await graphCall(emulator, 'POST', '/leaderboard_remove_all_entries', { api_name: 'HIGH_SCORES' }, demoUserToken(7));
    expect(removeAll.body.error).toMatchObject({ code: 10 });
    expect(emulator.state.leaderboards.entriesOf(emulator.state.leaderboards.boards.get('HIGH_SCORES')!.id).size).toBe(40);
  });
});

describe('parseScore', () => {
  test('numbers, strings and bigints; an unsafe number is refused rather than rounded', () => {
    expect(parseScore(12)).toBe(12n);
    expect(parseScore('-12')).toBe(-12n);
    expect(parseScore('9007199254740993')).toBe(BIG_SCORE);
    // 2^53 + 2: a number JavaScript cannot hold next to its neighbours, so it may have been rounded.
    expect(() => parseScore(2 ** 53 + 2)).toThrow(TypeError);
    expect(() => parseScore('9223372036854775808')).toThrow(TypeError);
    expect(() => parseScore('12.5')).toThrow(TypeError);
    expect(() => parseScore(undefined)).toThrow(TypeError);
  });
});

/**
 * `start_at` spellings (docs/horizon-api.md): the docs say VIEWER / VIEWER_OR_TOP, the SDK enum
 * CENTERED_ON_VIEWER(_OR_TOP). The client sends the docs' spelling, survives a code-100 refusal
 * with one retry in the other, and remembers the one that worked.
 */
describe('viewer-centred start_at spellings', () => {
  let emulator: RunningEmulator;
  let client: HorizonClient;
  const startAts = () => emulator.requests.map((r) => [r.params.start_at, r.status]);
  const aroundPlayer5 = () => client.leaderboards.entries({ apiName: 'HIGH_SCORES', startAt: 'CENTERED_ON_VIEWER', limit: 3, userToken: demoUserToken(5) });
  const orTopPlayer10 = () =>
    client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', startAt: 'CENTERED_ON_VIEWER_OR_TOP', limit: 2, userToken: demoUserToken(10) });
  async function start(spellings: 'both' | 'docs' | 'sdk') {
    emulator = await startEmulator({ port: 0, behavior: { viewerStartAtSpellings: spellings } });
    client = clientFor(emulator, { retry: false });
  }
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  test('by default the emulator takes both spellings, and the client sends the docs’ one: one call each', async () => {
    await start('both');
    for (const startAt of ['VIEWER', 'CENTERED_ON_VIEWER', 'VIEWER_OR_TOP', 'CENTERED_ON_VIEWER_OR_TOP']) {
      const answer = await graphCall(
        emulator,
        'GET',
        '/leaderboard_entries',
        { api_name: 'HIGH_SCORES', start_at: startAt, limit: '3', fields: 'rank' },
        demoUserToken(5),
      );
      expect([startAt, answer.status, answer.body.data]).toEqual([startAt, 200, [{ rank: 34 }, { rank: 35 }, { rank: 36 }]]);
    }
    const notRanked = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'SPEEDRUN_LEVEL_1', start_at: 'VIEWER' }, demoUserToken(10));
    expect(notRanked.body.error).toMatchObject({ code: CODE_NOT_RANKED });
    emulator.clearRequests();
    expect((await aroundPlayer5()).entries.map((e) => e.rank)).toEqual([34, 35, 36]);
    expect((await orTopPlayer10()).entries.map((e) => e.rank)).toEqual([1, 2]);
    expect(startAts()).toEqual([
      ['VIEWER', 200],
      ['VIEWER_OR_TOP', 200],
    ]);
    // TOP and OFFSET have one spelling.
    emulator.clearRequests();
    await client.leaderboards.entries({ apiName: 'HIGH_SCORES', limit: 1 });
    expect(startAts()).toEqual([['TOP', 200]]);
  });

  test('docs’ spelling refused (code 100): one retry with the SDK’s, remembered for every later read', async () => {
    await start('sdk');
    const refused = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', start_at: 'VIEWER' }, demoUserToken(5));
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 100, message: expect.stringContaining('start_at') } } });
    emulator.clearRequests();
    const page = await aroundPlayer5();
    expect(page.entries.map((e) => [e.rank, e.user.id])).toEqual([
      [34, expect.any(String)],
      [35, demoUserId(5)],
      [36, expect.any(String)],
    ]);
    expect(startAts()).toEqual([
      ['VIEWER', 400],
      ['CENTERED_ON_VIEWER', 200],
    ]);
    emulator.clearRequests();
    expect((await orTopPlayer10()).entries.map((e) => e.rank)).toEqual([1, 2]);
    await aroundPlayer5();
    expect(startAts()).toEqual([
      ['CENTERED_ON_VIEWER_OR_TOP', 200],
      ['CENTERED_ON_VIEWER', 200],
    ]);
  });

  test('docs’ spelling refused, the retry says 12074: that error is the answer, and the SDK spelling is remembered', async () => {
    await start('sdk');
    const error = await apiError(client.leaderboards.entries({ apiName: 'SPEEDRUN_LEVEL_1', startAt: 'CENTERED_ON_VIEWER', userToken: demoUserToken(10) }));
    expect(error.code).toBe(CODE_NOT_RANKED);
    expect(startAts()).toEqual([
      ['VIEWER', 400],
      ['CENTERED_ON_VIEWER', 400],
    ]);
    emulator.clearRequests();
    await aroundPlayer5();
    expect(startAts()).toEqual([['CENTERED_ON_VIEWER', 200]]);
  });

  test('SDK spelling refused: the docs’ one is sent, and a client that had learned the SDK one switches back', async () => {
    await start('docs');
    const refused = await graphCall(emulator, 'GET', '/leaderboard_entries', { api_name: 'HIGH_SCORES', start_at: 'CENTERED_ON_VIEWER' }, demoUserToken(5));
    expect(refused.body.error).toMatchObject({ code: 100, message: '(#100) Param start_at must be one of TOP, VIEWER, VIEWER_OR_TOP, OFFSET' });
    emulator.clearRequests();
    await aroundPlayer5();
    expect(startAts()).toEqual([['VIEWER', 200]]);
    // Horizon changes its mind: the SDK spelling is learnt, then refused in its turn.
    emulator.state.behavior.viewerStartAtSpellings = 'sdk';
    await aroundPlayer5();
    emulator.state.behavior.viewerStartAtSpellings = 'docs';
    emulator.clearRequests();
    expect((await orTopPlayer10()).entries.map((e) => e.rank)).toEqual([1, 2]);
    await aroundPlayer5();
    expect(startAts()).toEqual([
      ['CENTERED_ON_VIEWER_OR_TOP', 400],
      ['VIEWER_OR_TOP', 200],
      ['VIEWER', 200],
    ]);
  });

  test('a code-100 refusal about something else is not retried', async () => {
    await start('both');
    const error = await apiError(
      client.leaderboards.entries({
        apiName: 'HIGH_SCORES',
        startAt: 'CENTERED_ON_VIEWER',
        filter: 'USER_IDS',
        userIds: ['4242424242'],
        userToken: demoUserToken(5),
      }),
    );
    expect(error.upstreamMessage).toBe('Parameter user_ids: invalid user id: 4242424242');
    expect(startAts()).toEqual([['VIEWER', 400]]);
  });
});
