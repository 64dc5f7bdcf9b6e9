/**
 * The achievements reader against canned Graph bodies: shapes the emulator does not produce
 * (a real capture's string numbers, odd items), and which calls each shape costs.
 */
import { AchievementsApi } from '../../src/horizon/achievements.js';
import type { HorizonRequest, RequestSender } from '../../src/horizon/request.js';

const USER = '3559884437424131';

/** A sender that answers each endpoint with the next canned body, and records what it was asked. */
function stub(answers: Record<string, unknown[]>) {
  const asked: HorizonRequest[] = [];
  const sender: RequestSender = {
    appId: '1234',
    refusedFields: new Set(),
    async request<T>(req: HorizonRequest): Promise<T> {
      asked.push(req);
      const queue = answers[req.endpoint];
      if (!queue?.length) throw new Error(`unexpected call ${req.endpoint}`);
      return queue.shift() as T;
    },
  };
  return { api: new AchievementsApi(sender), asked };
}

const DEFINITIONS = {
  data: [
    { id: '111', api_name: '@achievement_01', achievement_type: 'SIMPLE', achievement_write_policy: 'CLIENT_AUTHORITATIVE', target: '0' },
    { id: '222', api_name: 'GEMS', achievement_type: 'COUNT', achievement_write_policy: 'SERVER_AUTHORITATIVE', target: '30064771076' },
  ],
};

test('a real capture\'s definition: any api name, target as the string "0"', async () => {
  const { api } = stub({ 'GET /{app_id}/achievement_definitions': [DEFINITIONS] });
  const [capture, gems] = await api.listDefinitions();
  expect(capture).toMatchObject({ apiName: '@achievement_01', type: 'SIMPLE', target: null });
  expect(gems).toMatchObject({ apiName: 'GEMS', type: 'COUNT', target: 30_064_771_076n });
});

test('records named by definition.api_name or top-level api_name cost no listing', async () => {
  const { api, asked } = stub({
    'GET /{user_id}/achievements': [
      {
        data: [
          { id: '111', definition: { api_name: '@achievement_01' }, is_unlocked: 'true', unlock_time: '1760000000', count_progress: '0' },
          { id: '222', api_name: 'GEMS', target: '30064771076', count_progress: '30064771076' },
        ],
      },
    ],
  });
  const records = await api.listProgress(USER);
  expect(records).toEqual([
    expect.objectContaining({ id: '111', apiName: '@achievement_01', unlocked: true, unlockedAt: new Date(1_760_000_000_000), count: 0n, target: null }),
    expect.objectContaining({ id: '222', apiName: 'GEMS', definition: null, count: 30_064_771_076n, target: 30_064_771_076n }),
  ]);
  expect(asked.map((r) => r.endpoint)).toEqual(['GET /{user_id}/achievements']);
});

test('records without a name are named by id, with one listing; nulls and strangers are left out', async () => {
  const { api, asked } = stub({
    'GET /{user_id}/achievements': [
      {
        data: [
          null,
          'junk',
          { id: '111', is_unlocked: true },
          { id: '222', definition: { target: 100 }, count_progress: 12 },
          { id: '999', count_progress: 1 },
          { count_progress: 2 },
          { id: '222', definition: 'not an object', api_name: '' },
        ],
      },
    ],
    'GET /{app_id}/achievement_definitions': [DEFINITIONS],
  });
  const records = await api.listProgress(USER);
  expect(records.map((r) => [r.id, r.apiName, r.count])).toEqual([
    ['111', '@achievement_01', 0n],
    ['222', 'GEMS', 12n],
    ['222', 'GEMS', 0n],
  ]);
  expect(records[1]!.definition).toMatchObject({ apiName: 'GEMS', type: 'COUNT' });
  expect(asked.map((r) => r.endpoint)).toEqual(['GET /{user_id}/achievements', 'GET /{app_id}/achievement_definitions']);
  expect(asked[1]!.params).toMatchObject({ include_archived: true });
});

test('a nested definition without api_name but complete otherwise, named by the top-level api_name, is kept', async () => {
  const { api } = stub({
    'GET /{user_id}/achievements': [
      { data: [{ id: '5', api_name: 'GEMS', definition: { achievement_type: 'COUNT', achievement_write_policy: 'SERVER_AUTHORITATIVE', target: '7' } }] },
    ],
  });
  const [record] = await api.listProgress(USER);
  expect(record!.definition).toMatchObject({ apiName: 'GEMS', type: 'COUNT', target: 7n });
  expect(record!.target).toBe(7n);
});
