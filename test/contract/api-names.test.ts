/**
 * Api names as Horizon allows them: a real achievement definition is named `@achievement_01`
 * (docs/horizon-api.md), and no character set is documented. Every printable name must
 * travel exactly, as a form value, a query parameter and inside the `api_names` JSON array.
 */
import { demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { ROUTES } from '../helpers/harness.js';
import { closeWorld, openWorld } from '../helpers/contract.js';

/** Names that a hand-made character set would refuse, and that break naive encoders. */
export const UNUSUAL_API_NAMES = [
  '@achievement_01',
  'A&access_token=x',
  '../secrets?fields=id',
  'Fïrst Stëps ★',
  'quote"and\\backslash',
  '["bracket"],{brace}',
  'plus+percent%20',
  '😀 emoji',
];
const PLAYER = demoUserId(0);

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld()));
afterAll(() => closeWorld({ emulator, client }));

test('achievement definitions are created, listed by api_names and written with every printable name', async () => {
  for (const apiName of UNUSUAL_API_NAMES) {
    await client.achievements.upsertDefinition({ apiName, type: 'COUNT', writePolicy: 'SERVER_AUTHORITATIVE', target: 10 });
  }
  // Stored under exactly the names sent: the form encoding lost or changed nothing.
  for (const apiName of UNUSUAL_API_NAMES) expect(emulator.state.achievementDefinitions.has(apiName)).toBe(true);

  emulator.clearRequests();
  const listed = await client.achievements.listDefinitions({ apiNames: UNUSUAL_API_NAMES });
  expect(listed.map((d) => d.apiName).sort()).toEqual([...UNUSUAL_API_NAMES].sort());
  // One JSON array, exactly as Graph reads `api_names`.
  expect(JSON.parse(emulator.requests[0]!.params.api_names!)).toEqual(UNUSUAL_API_NAMES);

  for (const [i, apiName] of UNUSUAL_API_NAMES.entries()) {
    const written = await client.achievements.addCount(PLAYER, apiName, i + 1);
    expect(written.apiName).toBe(apiName);
  }
  const progress = await client.achievements.listProgress(PLAYER, { apiNames: UNUSUAL_API_NAMES });
  expect(Object.fromEntries(progress.map((p) => [p.apiName, Number(p.count)]))).toEqual(Object.fromEntries(UNUSUAL_API_NAMES.map((name, i) => [name, i + 1])));
});

test('leaderboards are created, read, written and emptied with every printable name', async () => {
  for (const apiName of UNUSUAL_API_NAMES) {
    await client.leaderboards.upsert({ apiName, sortOrder: 'HIGHER_IS_BETTER', writePolicy: 'SERVER_AUTHORITATIVE' });
    expect((await client.leaderboards.list({ apiName })).map((b) => b.apiName)).toEqual([apiName]);
    await client.leaderboards.submitEntry({ apiName, score: 42n, userId: PLAYER });
    const page = await client.leaderboards.entries({ apiName });
    expect(page.entries.map((e) => [e.leaderboardApiName, e.user.id, e.score])).toEqual([[apiName, PLAYER, 42n]]);
  }
  emulator.clearRequests();
  await client.leaderboards.removeAllEntries(UNUSUAL_API_NAMES[1]!);
  expect(emulator.requests.map((r) => [r.route, r.params.api_name])).toEqual([[ROUTES.removeAllEntries, UNUSUAL_API_NAMES[1]]]);
  expect((await client.leaderboards.entries({ apiName: UNUSUAL_API_NAMES[1]! })).entries).toEqual([]);
  // The other boards kept their entries: the `&access_token=x` name did not leak into another parameter.
  expect((await client.leaderboards.entries({ apiName: UNUSUAL_API_NAMES[0]! })).entries).toHaveLength(1);
});

test('the emulator refuses names that cannot be printable, as the client does', async () => {
  const response = await fetch(`${emulator.url}/${emulator.appId}/leaderboards`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      access_token: `OC|${emulator.appId}|${emulator.appSecret}`,
      api_name: 'line\nbreak',
      sort_order: 'HIGHER_IS_BETTER',
      entry_write_policy: 'SERVER_AUTHORITATIVE',
    }),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: number } }).error.code).toBe(100);
});
