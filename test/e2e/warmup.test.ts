/**
 * Start-up warm-up of the shared caches: before the subgraph listens, one listing call each for
 * achievement definitions, leaderboards and the catalog; so the very first leaderboard page
 * after a start costs what every later one does (1 entries call + 25 progress calls), and the
 * first player to ask waits for nothing extra. A failed warm-up is reported and harmless.
 */
import type { RunningApp } from '../../src/app.js';
import { warmSharedCaches } from '../../src/graphql/warmup.js';
import { DEFAULTS } from '../../src/config.js';
import { createSharedCaches } from '../../src/graphql/sharedCache.js';
import { startHarness } from '../helpers/harness.js';
import { captureLogs, post, startDemoApp } from '../observability/helpers.js';

const S2 = `{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 25) { nodes { rank score user { displayName
  achievements(apiNames: ["FIRST_STEPS", "COLLECT_100_GEMS"]) { unlocked count definition { title } } } } } } }`;

describe('a freshly started subgraph', () => {
  let app: RunningApp;
  const logs = captureLogs();
  beforeAll(async () => {
    app = await startDemoApp({}, logs.logger);
  });
  afterAll(() => app.stop());

  test('made one listing call per shared cache before listening, and said so', () => {
    expect(app.emulator!.requests.map((r) => r.route).sort()).toEqual([
      'GET /:app_id/achievement_definitions',
      'GET /:app_id/leaderboards',
      'GET /application/available_purchases',
    ]);
    expect(logs.lines.find((l) => l.msg === 'shared caches warmed')).toMatchObject({
      warmed: [expect.stringMatching(/^achievementDefinitions: \d+$/), expect.stringMatching(/^leaderboards: \d+$/), expect.stringMatching(/^catalog: \d+$/)],
    });
  });

  test('serves its first leaderboard page of 25 players with names and achievements in exactly 26 upstream calls', async () => {
    app.emulator!.clearRequests();
    const first = await post(app.subgraph.url, S2);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.leaderboard.entries.nodes).toHaveLength(25);
    const routes = app.emulator!.requests.map((r) => r.route);
    expect(routes.filter((r) => r === 'GET /leaderboard_entries')).toHaveLength(1);
    expect(routes.filter((r) => r === 'GET /:user_id/achievements')).toHaveLength(25);
    expect(routes).toHaveLength(26);
  });
});

test('a warm-up that cannot reach part of Horizon reports what failed and fills the rest', async () => {
  const h = await startHarness();
  try {
    Object.assign(h.emulator.faults, { modes: ['error_500'], errorRate: 1, routes: ['GET /:app_id/leaderboards'] });
    const caches = createSharedCaches(DEFAULTS.cache);
    const result = await warmSharedCaches(h.horizon, caches);
    expect(result.failed.map((f) => f.cache)).toEqual(['leaderboards']);
    expect(result.failed[0]!.error.message).toMatch(/HTTP 500/);
    expect(result.warmed).toEqual([expect.stringMatching(/^achievementDefinitions: /), expect.stringMatching(/^catalog: /)]);
    expect(caches.achievementDefinitions.size).toBeGreaterThan(0);
    expect(caches.leaderboards.size).toBe(0);
  } finally {
    await h.close();
  }
});
