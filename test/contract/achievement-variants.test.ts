/**
 * Achievements as Horizon may send them (docs/horizon-api.md): numbers as JSON numbers or numeric
 * strings, counts past 2^31 and 2^53, and progress records with the nested definition, with
 * only the top-level `api_name`/`target`, or with neither. First the emulator's variants on the
 * wire, then the client reading each one.
 */
import { demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import type { AchievementProgress } from '../../src/horizon/achievements.js';
import { ROUTES } from '../helpers/harness.js';
import { freshWorld, graphCall } from '../helpers/contract.js';

const PLAYER = demoUserId(0); // seeded: COLLECT_100_GEMS at 15, FIRST_STEPS unlocked, ...
const FRESH_PLAYER = demoUserId(11); // seeded with no progress
const INT64_MAX = 2n ** 63n - 1n;

const definitionId = (emulator: RunningEmulator, apiName: string) => emulator.state.achievementDefinitions.get(apiName)!.id;
const progressOf = (emulator: RunningEmulator, userId: string, fields: string, apiNames = ['COLLECT_100_GEMS']) =>
  graphCall(emulator, 'GET', `/${userId}/achievements`, { fields, api_names: JSON.stringify(apiNames) });
const addCount = (emulator: RunningEmulator, userId: string, count: bigint) =>
  graphCall(emulator, 'POST', `/${userId}/achievements`, { api_name: 'COLLECT_100_GEMS', add_count: count.toString() });

describe('the emulator on the wire', () => {
  describe('by default (the docs)', () => {
    const world = freshWorld();

    test('progress carries the nested definition and the top-level api_name and target, under the definition id', async () => {
      const { emulator } = world;
      const id = definitionId(emulator, 'COLLECT_100_GEMS');
      const { status, body: json } = await progressOf(emulator, PLAYER, 'id,api_name,target,count_progress,is_unlocked,definition{id,api_name,target}');
      expect(status).toBe(200);
      expect(json.data).toEqual([
        {
          id,
          api_name: 'COLLECT_100_GEMS',
          target: 100,
          count_progress: 15,
          is_unlocked: false,
          definition: { id, api_name: 'COLLECT_100_GEMS', target: 100 },
        },
      ]);
    });

    test('a new record takes the definition id too', async () => {
      const { emulator } = world;
      const write = await addCount(emulator, FRESH_PLAYER, 1n);
      expect(write.body).toMatchObject({ id: definitionId(emulator, 'COLLECT_100_GEMS') });
      expect((await progressOf(emulator, FRESH_PLAYER, 'id')).body.data).toEqual([{ id: definitionId(emulator, 'COLLECT_100_GEMS') }]);
    });

    test('counts past 2^31 and 2^53 are stored exactly and written as exact JSON numbers', async () => {
      const { emulator } = world;
      for (let i = 0; i < 7; i++) await addCount(emulator, FRESH_PLAYER, 2n ** 32n);
      expect(emulator.state.progressOf(FRESH_PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(30_064_771_072n);
      expect((await progressOf(emulator, FRESH_PLAYER, 'count_progress')).text).toContain('"count_progress":30064771072}');

      expect((await addCount(emulator, FRESH_PLAYER, 2n ** 53n)).status).toBe(200);
      const exact = 2n ** 53n + 30_064_771_072n;
      expect(emulator.state.progressOf(FRESH_PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(exact);
      expect((await progressOf(emulator, FRESH_PLAYER, 'count_progress')).text).toContain(`"count_progress":${exact}}`);
    });

    test('a count past int64 is refused with code 100 and nothing changes', async () => {
      const { emulator } = world;
      expect((await addCount(emulator, FRESH_PLAYER, INT64_MAX)).status).toBe(200);
      const over = await addCount(emulator, FRESH_PLAYER, 1n);
      expect(over.status).toBe(400);
      expect(over.body.error).toMatchObject({ code: 100 });
      expect(emulator.state.progressOf(FRESH_PLAYER).get('COLLECT_100_GEMS')!.count_progress).toBe(INT64_MAX);
      expect((await addCount(emulator, FRESH_PLAYER, INT64_MAX + 1n)).body.error).toMatchObject({ code: 100 });
    });

    test('a target past 2^53 is stored and written exactly', async () => {
      const { emulator } = world;
      const target = 2n ** 60n + 1n;
      const upsert = await graphCall(emulator, 'POST', `/${emulator.appId}/achievement_definitions`, {
        api_name: 'HUGE',
        achievement_type: 'COUNT',
        achievement_write_policy: 'SERVER_AUTHORITATIVE',
        target: target.toString(),
      });
      expect(upsert.status).toBe(200);
      const listing = await graphCall(emulator, 'GET', `/${emulator.appId}/achievement_definitions`, { api_names: '["HUGE"]', fields: 'api_name,target' });
      expect(listing.text).toContain(`"target":${target}}`);
    });
  });

  describe('achievementNumbersAsStrings', () => {
    const world = freshWorld({ emulator: { behavior: { achievementNumbersAsStrings: true } } });

    test('targets, lengths, counts and unlock times are numeric strings, in definitions and progress alike', async () => {
      const { emulator } = world;
      const listing = await graphCall(emulator, 'GET', `/${emulator.appId}/achievement_definitions`, {
        api_names: '["VISIT_3_CONTINENTS"]',
        fields: 'api_name,target,bitfield_length',
      });
      expect(listing.body.data).toEqual([{ api_name: 'VISIT_3_CONTINENTS', target: '3', bitfield_length: '7' }]);
      const fields = 'target,count_progress,unlock_time,definition{target}';
      expect((await progressOf(emulator, PLAYER, fields)).body.data).toEqual([
        { target: '100', count_progress: '15', unlock_time: '0', definition: { target: '100' } },
      ]);
      expect((await progressOf(emulator, PLAYER, fields, ['FIRST_STEPS'])).body.data).toEqual([
        { count_progress: '0', unlock_time: '1760000000', definition: {} },
      ]);
    });
  });

  describe('refuseProgressDefinition', () => {
    const world = freshWorld({ emulator: { behavior: { refuseProgressDefinition: true } } });

    test('asking for the nested definition is code 100, "nonexisting field"; the top-level fields are served', async () => {
      const { emulator } = world;
      const refused = await progressOf(emulator, PLAYER, 'id,definition{api_name}');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 100, message: expect.stringMatching(/nonexisting field \(definition\)/) });
      const served = await progressOf(emulator, PLAYER, 'id,api_name,target');
      expect(served.body.data).toEqual([{ id: definitionId(emulator, 'COLLECT_100_GEMS'), api_name: 'COLLECT_100_GEMS', target: 100 }]);
    });
  });

  describe('refuseProgressDefinition and refuseProgressApiName', () => {
    const world = freshWorld({ emulator: { behavior: { refuseProgressDefinition: true, refuseProgressApiName: true } } });

    test('only the documented fields are served', async () => {
      const { emulator } = world;
      for (const fields of ['id,api_name', 'id,target', 'id,definition{api_name}']) {
        const refused = await progressOf(emulator, PLAYER, fields);
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toMatch(/nonexisting field/);
      }
      const served = await progressOf(emulator, PLAYER, 'id,unlock_time,is_unlocked,count_progress,bitfield_progress');
      expect(served.body.data).toEqual([
        { id: definitionId(emulator, 'COLLECT_100_GEMS'), unlock_time: 0, is_unlocked: false, count_progress: 15, bitfield_progress: '' },
      ]);
    });
  });

  describe('omitProgressDefinitionApiName', () => {
    const world = freshWorld({ emulator: { behavior: { omitProgressDefinitionApiName: true } } });

    test('the nested definition comes without its api_name', async () => {
      const { emulator } = world;
      const { body: json } = await progressOf(emulator, PLAYER, 'id,definition{id,api_name,target}');
      const id = definitionId(emulator, 'COLLECT_100_GEMS');
      expect(json.data).toEqual([{ id, definition: { id, target: 100 } }]);
    });
  });
});

describe('the client: numbers', () => {
  describe('as JSON numbers (the docs)', () => {
    const world = freshWorld();

    test('counts past 2^31 and 2^53 are read exactly', async () => {
      const { client } = world;
      await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 7n * 2n ** 32n);
      let [gems] = await client.achievements.listProgress(FRESH_PLAYER, { apiNames: ['COLLECT_100_GEMS'] });
      expect(gems!.count).toBe(30_064_771_072n);
      // JSON.parse alone would read 9007199254740993 as ...992.
      await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 2n ** 53n + 1n - 30_064_771_072n);
      [gems] = await client.achievements.listProgress(FRESH_PLAYER, { apiNames: ['COLLECT_100_GEMS'] });
      expect(gems!.count).toBe(9_007_199_254_740_993n);
    });

    test('a target past 2^53 is written and read exactly', async () => {
      const { client } = world;
      await client.achievements.upsertDefinition({ apiName: 'HUGE', type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: 2n ** 60n + 1n });
      const [huge] = await client.achievements.listDefinitions({ apiNames: ['HUGE'] });
      expect(huge!.target).toBe(2n ** 60n + 1n);
    });

    test('addCount takes positive int64 counts only, and refuses the rest before sending', async () => {
      const { client, emulator } = world;
      emulator.clearRequests();
      for (const count of [0n, -1n, INT64_MAX + 1n, 0, 2 ** 53, 1.5]) {
        expect(() => client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', count)).toThrow(InvalidArgumentError);
      }
      expect(emulator.requests).toHaveLength(0);
      await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', INT64_MAX);
      expect(emulator.requests[0]!.params.add_count).toBe(INT64_MAX.toString());
    });
  });

  describe('as numeric strings (achievementNumbersAsStrings)', () => {
    const world = freshWorld({ emulator: { behavior: { achievementNumbersAsStrings: true } } });

    test('definitions and progress read the same as with JSON numbers', async () => {
      const { client } = world;
      const definitions = new Map((await client.achievements.listDefinitions()).map((d) => [d.apiName, d]));
      expect(definitions.get('VISIT_3_CONTINENTS')).toMatchObject({ target: 3n, bitfieldLength: 7 });
      expect(definitions.get('COLLECT_100_GEMS')).toMatchObject({ target: 100n, bitfieldLength: null });
      const progress = new Map((await client.achievements.listProgress(PLAYER)).map((p) => [p.apiName, p]));
      expect(progress.get('COLLECT_100_GEMS')).toMatchObject({ count: 15n, unlocked: false, unlockedAt: null });
      expect(progress.get('COLLECT_100_GEMS')!.definition).toMatchObject({ target: 100n });
      expect(progress.get('FIRST_STEPS')!.unlockedAt).toEqual(new Date(1_760_000_000_000));
      expect(progress.get('VISIT_3_CONTINENTS')!.definition).toMatchObject({ target: 3n, bitfieldLength: 7 });
    });

    test('a count past 2^53 as a string is exact', async () => {
      const { client } = world;
      await client.achievements.addCount(FRESH_PLAYER, 'COLLECT_100_GEMS', 2n ** 53n + 1n);
      const [gems] = await client.achievements.listProgress(FRESH_PLAYER);
      expect(gems!.count).toBe(2n ** 53n + 1n);
    });
  });
});

describe('the client: progress records of every shape', () => {
  /** What PLAYER's progress reads as, whatever shape Graph sent it in. */
  const SEEDED = {
    BETA_TESTER: { unlocked: true, count: 0n, bitfield: null },
    COLLECT_100_GEMS: { unlocked: false, count: 15n, bitfield: null, target: 100n },
    FIRST_STEPS: { unlocked: true, count: 0n, bitfield: null },
    VISIT_3_CONTINENTS: { unlocked: false, count: 0n, bitfield: '1000100', target: 3n },
  };
  const byName = (records: AchievementProgress[]) => Object.fromEntries(records.map((r) => [r.apiName, r]));
  const statuses = (emulator: RunningEmulator, route: string) => emulator.requests.filter((r) => r.route === route).map((r) => r.status);

  function expectSeeded(emulator: RunningEmulator, records: AchievementProgress[]) {
    const found = byName(records);
    expect(Object.keys(found).sort()).toEqual(Object.keys(SEEDED).sort());
    for (const [apiName, expected] of Object.entries(SEEDED)) {
      expect(found[apiName]).toMatchObject({ ...expected, userId: PLAYER, id: definitionId(emulator, apiName) });
    }
    expect(found.FIRST_STEPS!.unlockedAt).toEqual(new Date(1_760_000_000_000));
  }

  describe('nested definition (the docs, by default)', () => {
    const world = freshWorld();

    test('one call, each record with its full definition, and no definitions listing', async () => {
      const { client, emulator } = world;
      const records = await client.achievements.listProgress(PLAYER);
      expectSeeded(emulator, records);
      expect(byName(records).COLLECT_100_GEMS!.definition).toMatchObject({ apiName: 'COLLECT_100_GEMS', type: 'COUNT', title: 'Gem Hoarder' });
      expect(emulator.requests.map((r) => [r.route, r.status])).toEqual([[ROUTES.progress, 200]]);
      expect(emulator.requests[0]!.params.fields).toContain('definition{');
    });
  });

  describe('top-level api_name and target only (refuseProgressDefinition)', () => {
    const world = freshWorld({ emulator: { behavior: { refuseProgressDefinition: true } } });

    test('the refused definition costs one call, once per transport; records are named by their top-level api_name', async () => {
      const { client, emulator } = world;
      const records = await client.achievements.listProgress(PLAYER);
      expectSeeded(emulator, records);
      expect(records.every((r) => r.definition === null)).toBe(true);
      expect(statuses(emulator, ROUTES.progress)).toEqual([400, 200]);
      expect(emulator.requests[1]!.params.fields).toMatch(/(^|,)api_name,target$/);
      expect(statuses(emulator, ROUTES.definitions)).toEqual([]);
      emulator.clearRequests();
      await client.scoped({ requestId: 'r', upstreamCalls: 0, upstreamErrors: 0 }).achievements.listProgress(PLAYER);
      expect(emulator.requests.map((r) => r.status)).toEqual([200]);
    });
  });

  describe('only the documented fields (refuseProgressDefinition and refuseProgressApiName)', () => {
    const world = freshWorld({ emulator: { behavior: { refuseProgressDefinition: true, refuseProgressApiName: true } } });

    test('two refusals, remembered; records are named by their id in the definitions listing, fetched once per read', async () => {
      const { client, emulator } = world;
      const records = await client.achievements.listProgress(PLAYER);
      expectSeeded(emulator, records);
      // Named from the listing, which carries the whole definition (archived ones too).
      expect(byName(records).BETA_TESTER!.definition).toMatchObject({ apiName: 'BETA_TESTER', archived: true });
      expect(statuses(emulator, ROUTES.progress)).toEqual([400, 400, 200]);
      expect(emulator.requests.at(-2)!.params.fields).toBe('id,is_unlocked,unlock_time,count_progress,bitfield_progress');
      expect(statuses(emulator, ROUTES.definitions)).toEqual([200]);
      expect(emulator.requests.at(-1)!.params.include_archived).toBe('true');
      emulator.clearRequests();
      await client.achievements.listProgress(PLAYER);
      expect(emulator.requests.map((r) => [r.route, r.status])).toEqual([
        [ROUTES.progress, 200],
        [ROUTES.definitions, 200],
      ]);
    });

    test('definitions the caller already has are used instead of a listing', async () => {
      const { client, emulator } = world;
      const definitions = await client.achievements.listDefinitions({ includeArchived: true });
      emulator.clearRequests();
      expectSeeded(emulator, await client.achievements.listProgress(PLAYER, { definitions: async () => definitions }));
      expect(statuses(emulator, ROUTES.definitions)).toEqual([]);
    });

    test('a record whose id matches no definition is left out; the rest of the list still reads', async () => {
      const { client, emulator } = world;
      // Progress outlives its definition here: nothing can name that record any more.
      emulator.state.achievementDefinitions.delete('COLLECT_100_GEMS');
      const records = await client.achievements.listProgress(PLAYER);
      expect(records.map((r) => r.apiName).sort()).toEqual(['BETA_TESTER', 'FIRST_STEPS', 'VISIT_3_CONTINENTS']);
    });

    test('a user with no progress costs no listing', async () => {
      const { client, emulator } = world;
      expect(await client.achievements.listProgress(FRESH_PLAYER)).toEqual([]);
      expect(statuses(emulator, ROUTES.definitions)).toEqual([]);
    });
  });

  describe('a definition without its api_name (omitProgressDefinitionApiName)', () => {
    const world = freshWorld({ emulator: { behavior: { omitProgressDefinitionApiName: true } } });

    test('the definition is accepted; records are named by their id in the definitions listing', async () => {
      const { client, emulator } = world;
      const records = await client.achievements.listProgress(PLAYER);
      expectSeeded(emulator, records);
      expect(byName(records).VISIT_3_CONTINENTS!.definition).toMatchObject({ apiName: 'VISIT_3_CONTINENTS', type: 'BITFIELD', bitfieldLength: 7 });
      expect(statuses(emulator, ROUTES.progress)).toEqual([200]);
      expect(statuses(emulator, ROUTES.definitions)).toEqual([200]);
    });

    test('a record whose id matches no definition is left out', async () => {
      const { client, emulator } = world;
      emulator.state.achievementDefinitions.delete('FIRST_STEPS');
      const records = await client.achievements.listProgress(PLAYER);
      expect(records.map((r) => r.apiName).sort()).toEqual(['BETA_TESTER', 'COLLECT_100_GEMS', 'VISIT_3_CONTINENTS']);
    });
  });

  describe('numbers as strings and only the documented fields, together', () => {
    const world = freshWorld({ emulator: { behavior: { achievementNumbersAsStrings: true, refuseProgressDefinition: true, refuseProgressApiName: true } } });

    test('the same records', async () => {
      const { client, emulator } = world;
      expectSeeded(emulator, await client.achievements.listProgress(PLAYER));
    });
  });
});
