/**
 * Admission control through HTTP: while Horizon's connection slots are taken and calls wait for
 * them, a new operation waits its turn before it starts (operators see it in /metrics), then
 * runs; one still waiting at its deadline is refused with 503 UPSTREAM_UNAVAILABLE / overloaded,
 * having sent nothing to Horizon.
 */
import { demoUserId } from '../../src/emulator/index.js';
import type { RunningApp } from '../../src/app.js';
import { get, post, sample, startDemoApp } from '../observability/helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('with two connection slots and no queue allowed', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startDemoApp({ HORIZON_MAX_CONNECTIONS: '2', HORIZON_MAX_IN_FLIGHT: '2', ADMISSION_MAX_QUEUED_CALLS: '0', EMULATOR_LATENCY_MS: '60' });
  });
  afterAll(() => app.stop());

  test('an operation arriving while calls are queued waits, then runs once the queue drains', async () => {
    const players = Array.from({ length: 8 }, (_, i) => demoUserId(i));
    const wide = `{ ${players.map((id, i) => `p${i}: user(id: "${id}") { displayName }`).join(' ')} }`;
    const first = post(app.subgraph.url, wide);
    // Let the first one issue its calls: 2 in flight, 6 queued.
    await sleep(30);
    const second = post(app.subgraph.url, `{ user(id: "${demoUserId(9)}") { displayName } }`);
    await sleep(30);
    const metrics = await get(`${app.subgraph.url}metrics`);
    expect(sample(metrics.text, 'graphql_operations_waiting')).toBe(1);
    // Horizon is the bottleneck here, not the event loop: no CPU cap.
    expect(metrics.text).toMatch(/^graphql_operations_running_limit \+Inf$/m);
    const [wideAnswer, narrowAnswer] = await Promise.all([first, second]);
    expect(wideAnswer.body.errors).toBeUndefined();
    expect(Object.keys(wideAnswer.body.data)).toHaveLength(8);
    expect(narrowAnswer.body).toEqual({ data: { user: { displayName: expect.any(String) } } });
    expect(sample((await get(`${app.subgraph.url}metrics`)).text, 'graphql_operations_waiting')).toBe(0);
  });
});

describe('an operation still waiting at its deadline', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startDemoApp({ OPERATION_TIMEOUT_MS: '300', HORIZON_CALL_TIMEOUT_MS: '200' });
  });
  afterAll(() => app.stop());

  test('is refused with 503 UPSTREAM_UNAVAILABLE (overloaded), and nothing reaches Horizon', async () => {
    const limiter = app.horizon.transport.limiter;
    // Horizon looks saturated: calls are queued and none completes while the operation waits.
    Object.defineProperty(limiter, 'queued', { configurable: true, get: () => 1_000 });
    app.emulator!.clearRequests();
    let answer;
    try {
      answer = await post(app.subgraph.url, `{ user(id: "${demoUserId(1)}") { displayName } }`);
    } finally {
      // Back to the class's own getter.
      delete (limiter as { queued?: number }).queued;
    }
    expect(answer.status).toBe(503);
    expect(answer.body.errors[0].extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', upstream: { reason: 'overloaded' } });
    expect(app.emulator!.requests).toHaveLength(0);
    // Capacity back: the next operation is admitted at once.
    const next = await post(app.subgraph.url, `{ user(id: "${demoUserId(1)}") { displayName } }`);
    expect(next.body.data.user.displayName).toEqual(expect.any(String));
  });
});

describe("the operation's deadline", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startDemoApp({ OPERATION_TIMEOUT_MS: '400', HORIZON_CALL_TIMEOUT_MS: '300', EMULATOR_LATENCY_MS: '250' });
  });
  afterAll(() => app.stop());

  test('reads still waiting when it passes fail as UPSTREAM_TIMEOUT (operation_deadline); what was read is kept', async () => {
    // Two dependent rounds of 250 ms: the entries arrive in time, the players' progress does not.
    const answer = await post(
      app.subgraph.url,
      '{ leaderboard(apiName: "HIGH_SCORES") { entries(first: 2) { nodes { rank user { achievements(apiNames: ["FIRST_STEPS"]) { unlocked } } } } } }',
    );
    expect(answer.body.data.leaderboard.entries.nodes.map((n: { rank: number }) => n.rank)).toEqual([1, 2]);
    expect(answer.body.errors.length).toBeGreaterThan(0);
    for (const error of answer.body.errors) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: { reason: 'operation_deadline' } });
      expect(error.path).toEqual(['leaderboard', 'entries', 'nodes', expect.any(Number), 'user', 'achievements']);
    }
  });
});
