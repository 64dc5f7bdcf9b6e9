/**
 * Prometheus /metrics on the subgraph's port: operations, upstream calls, retries, the
 * circuit, shared caches, DataLoader batch sizes and the process, each instance with its own
 * Registry (two run side by side here).
 */
import type { RunningApp } from '../../src/app.js';
import { get, post, PLAYER, sample, startDemoApp } from './helpers.js';

const apps: RunningApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

async function start(env: Record<string, string> = {}) {
  const app = await startDemoApp(env);
  apps.push(app);
  return app;
}

async function scrape(app: RunningApp): Promise<string> {
  const response = await get(`${app.subgraph.url}metrics`);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
}

test('operation durations by name and type, errors by code, upstream calls by endpoint and status, batch sizes', async () => {
  const app = await start();
  const q = `query Player { user(id: "${PLAYER}") { displayName achievements { definition { title } unlocked } } }`;
  for (let i = 0; i < 3; i++) expect((await post(app.subgraph.url, q)).status).toBe(200);
  await post(app.subgraph.url, `mutation Unlock { unlockAchievement(userId: "${PLAYER}", apiName: "FIRST_STEPS") { justUnlocked } }`);
  await post(app.subgraph.url, `query Me { viewer { id } }`, { 'x-horizon-user-token': 'FRLnotavalidtokenatallxxxxxxxxxxxx' });
  await post(app.subgraph.url, '{ user(id: ');
  const text = await scrape(app);

  expect(sample(text, 'graphql_operation_duration_seconds_count', { operation_name: 'Player', operation_type: 'query' })).toBe(3);
  expect(sample(text, 'graphql_operation_duration_seconds_count', { operation_name: 'Unlock', operation_type: 'mutation' })).toBe(1);
  expect(sample(text, 'graphql_operation_duration_seconds_count', { operation_name: '', operation_type: 'unknown' })).toBe(1);
  expect(sample(text, 'graphql_operation_duration_seconds_bucket', { operation_name: 'Player', operation_type: 'query', le: '+Inf' })).toBe(3);
  expect(sample(text, 'graphql_operation_errors_total', { operation_name: 'Me', code: 'UNAUTHENTICATED' })).toBe(1);
  expect(sample(text, 'graphql_operation_errors_total', { operation_name: '', code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
  expect(sample(text, 'graphql_operations_in_flight')).toBe(0);

  expect(sample(text, 'horizon_upstream_request_duration_seconds_count', { endpoint: 'GET /{user_id}', status: '200' })).toBe(3);
  expect(sample(text, 'horizon_upstream_request_duration_seconds_count', { endpoint: 'GET /{user_id}/achievements', status: '200' })).toBe(3);
  expect(sample(text, 'horizon_upstream_request_duration_seconds_count', { endpoint: 'GET /me', status: '400' })).toBe(1);
  expect(sample(text, 'horizon_upstream_in_flight')).toBe(0);
  expect(sample(text, 'horizon_upstream_queued')).toBe(0);

  // The progress loader got one key per operation; definitions come with progress (primed).
  expect(sample(text, 'graphql_dataloader_batch_size_count', { loader: 'users.profile' })).toBe(3);
  expect(sample(text, 'graphql_dataloader_batch_size_sum', { loader: 'achievements.progress' })).toBe(3);

  // The process, from prom-client's default metrics.
  expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
});

test('shared cache hits and misses, counted at scrape time from the caches own stats', async () => {
  // Cold caches, so the first operation's misses can be counted.
  const app = await start({ CACHE_WARMUP: 'false' });
  // Definitions alone (no progress to prime them): the first asks Horizon, the next are hits.
  const q = `{ a: achievementDefinition(apiName: "FIRST_STEPS") { title } b: achievementDefinition(apiName: "COLLECT_100_GEMS") { title } }`;
  await post(app.subgraph.url, q);
  let text = await scrape(app);
  expect(sample(text, 'graphql_shared_cache_requests_total', { cache: 'achievementDefinitions', result: 'miss' })).toBe(2);
  expect(sample(text, 'graphql_shared_cache_requests_total', { cache: 'achievementDefinitions', result: 'hit' })).toBe(0);
  // The one listing that answered them cached every definition of the app.
  expect(sample(text, 'graphql_shared_cache_entries', { cache: 'achievementDefinitions' })).toBe(app.emulator!.state.achievementDefinitions.size);
  // The definitions of both came in one batch of 2 keys.
  expect(sample(text, 'graphql_dataloader_batch_size_sum', { loader: 'achievements.definition' })).toBe(2);
  await post(app.subgraph.url, q);
  await post(app.subgraph.url, q);
  text = await scrape(app);
  expect(sample(text, 'graphql_shared_cache_requests_total', { cache: 'achievementDefinitions', result: 'miss' })).toBe(2);
  expect(sample(text, 'graphql_shared_cache_requests_total', { cache: 'achievementDefinitions', result: 'hit' })).toBe(4);
  // Scraping again does not count twice.
  text = await scrape(app);
  expect(sample(text, 'graphql_shared_cache_requests_total', { cache: 'achievementDefinitions', result: 'hit' })).toBe(4);
});

test('retries by endpoint, and the circuit state and its transitions', async () => {
  const app = await start({ HORIZON_BREAKER_THRESHOLD: '2', HORIZON_BREAKER_COOLDOWN_MS: '60000', HORIZON_RETRY_MAX_ATTEMPTS: '2' });
  let text = await scrape(app);
  expect(sample(text, 'horizon_circuit_state', { state: 'closed' })).toBe(1);
  expect(sample(text, 'horizon_circuit_state', { state: 'open' })).toBe(0);

  Object.assign(app.emulator!.faults, { modes: ['error_500'], errorRate: 1, routes: ['GET /:node_id'], retryAfterSeconds: 0 });
  const failed = await post(app.subgraph.url, `{ user(id: "${PLAYER}") { displayName } }`);
  expect(failed.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  text = await scrape(app);
  expect(sample(text, 'horizon_upstream_retries_total', { endpoint: 'GET /{user_id}' })).toBe(1);
  expect(sample(text, 'horizon_upstream_request_duration_seconds_count', { endpoint: 'GET /{user_id}', status: '500' })).toBe(2);
  expect(sample(text, 'horizon_circuit_state', { state: 'open' })).toBe(1);
  expect(sample(text, 'horizon_circuit_state', { state: 'closed' })).toBe(0);
  expect(sample(text, 'horizon_circuit_transitions_total', { state: 'open' })).toBe(1);
});

test('each instance has its own registry', async () => {
  const [one, two] = [await start(), await start()];
  await post(one.subgraph.url, `query OnlyOne { user(id: "${PLAYER}") { displayName } }`);
  expect(sample(await scrape(one), 'graphql_operation_duration_seconds_count', { operation_name: 'OnlyOne' })).toBe(1);
  expect(sample(await scrape(two), 'graphql_operation_duration_seconds_count', { operation_name: 'OnlyOne' })).toBeUndefined();
});

test('METRICS_ENABLED=false: no /metrics', async () => {
  const app = await start({ METRICS_ENABLED: 'false' });
  expect((await get(`${app.subgraph.url}metrics`)).status).toBe(404);
  expect((await post(app.subgraph.url, '{ __typename }')).body.data.__typename).toBe('Query');
});

test('operation names past the cap share one series', async () => {
  const { SubgraphMetrics, OTHER_OPERATIONS, MAX_OPERATION_NAMES } = await import('../../src/observability/metrics.js');
  const app = await start();
  const metrics = new SubgraphMetrics({ horizon: app.horizon });
  const plugin = metrics.plugin();
  // A, B and the fillers take every series the cap allows; C and D come too late.
  const fillers = Array.from({ length: MAX_OPERATION_NAMES - 2 }, (_, i) => `Filler${i}`);
  for (const name of ['A', 'B', ...fillers, 'C', 'D', 'A']) {
    const hooks = await plugin.requestDidStart!({ request: { operationName: name } } as any);
    await hooks!.willSendResponse!({
      operationName: name,
      operation: { operation: 'query' },
      errors: undefined,
      response: { body: { kind: 'single', singleResult: {} } },
    } as any);
  }
  const text = await metrics.registry.metrics();
  metrics.close();
  expect(sample(text, 'graphql_operation_duration_seconds_count', { operation_name: 'A' })).toBe(2);
  expect(sample(text, 'graphql_operation_duration_seconds_count', { operation_name: OTHER_OPERATIONS })).toBe(2);
});
