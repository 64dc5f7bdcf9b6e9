/** `npm start`'s application, in-process: demo mode with no credentials, live mode with them. */
import { request } from 'undici';
import { startApp, type RunningApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startEmulator } from '../../src/emulator/index.js';
import { silentLogger } from '../helpers/harness.js';

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  // The demo token `npm start` prints (no AUTH_* settings outside production), sent as the README says.
  const auth: Record<string, string> = app?.devToken ? { authorization: `Bearer ${app.devToken}` } : {};
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as any };
}

test('with no Horizon credentials it runs the built-in emulator on demo data, at / and /graphql', async () => {
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
  expect(app.emulator).toBeDefined();
  for (const path of ['', 'graphql']) {
    const { status, body } = await post(`${app.subgraph.url}${path}`, `{ user(id: "3559884437424131") { displayName achievements { unlocked } } }`);
    expect(status).toBe(200);
    expect(body.data.user.displayName).toBe('Nova Rider');
    expect(body.data.user.achievements.length).toBeGreaterThan(3);
  }
  const notFound = await request(`${app.subgraph.url}metrics-or-anything`);
  expect(notFound.statusCode).toBe(404);
  await notFound.body.dump();
});

test('cacheable public answers vary by caller token; per-player answers are no-store', async () => {
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
  const definitions = await post(app.subgraph.url, `{ achievementDefinitions { apiName } }`);
  expect(definitions.headers['cache-control']).toBe('max-age=60, public');
  expect(String(definitions.headers.vary).toLowerCase()).toContain('authorization');
  const player = await post(app.subgraph.url, `{ user(id: "3559884437424131") { displayName } }`);
  expect(player.headers['cache-control']).toBe('no-store');
});

test('with credentials it talks to HORIZON_GRAPH_URL and starts no emulator', async () => {
  const upstream = await startEmulator({ appId: '777000777', appSecret: 'live-mode-test-secret' });
  try {
    app = await startApp(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', HORIZON_APP_ID: '777000777', HORIZON_APP_SECRET: 'live-mode-test-secret', HORIZON_GRAPH_URL: upstream.url }),
      silentLogger,
    );
    expect(app.emulator).toBeUndefined();
    const { body } = await post(app.subgraph.url, `{ achievementDefinition(apiName: "FIRST_STEPS") { title } }`);
    expect(body.data.achievementDefinition.title).toBe('First Steps');
    expect(upstream.requests.some((r) => r.token === 'app' && r.status === 200)).toBe(true);
  } finally {
    await app?.stop();
    app = undefined;
    await upstream.close();
  }
});

test('the browser-hosted Apollo Sandbox may call it (CORS), other origins may not', async () => {
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0' }), silentLogger);
  const preflight = await request(app.subgraph.url, {
    method: 'OPTIONS',
    headers: { origin: 'https://studio.apollographql.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  await preflight.body.dump();
  expect(preflight.statusCode).toBe(204);
  expect(preflight.headers['access-control-allow-origin']).toBe('https://studio.apollographql.com');
  const stranger = await post(app.subgraph.url, '{ __typename }', { origin: 'https://evil.example' });
  expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  const landing = await request(app.subgraph.url, { headers: { accept: 'text/html' } });
  expect(landing.statusCode).toBe(200);
  expect(await landing.body.text()).toMatch(/sandbox/i);
});

test('malformed requests get a clear 4xx, never a crash', async () => {
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', MAX_BODY_BYTES: '2048' }), silentLogger);
  const badJson = await request(app.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
  expect(badJson.statusCode).toBe(400);
  expect(((await badJson.body.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  const huge = await request(app.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ __typename ${' '.repeat(5000)} }` }),
  });
  expect(huge.statusCode).toBe(413);
  await huge.body.dump();
  const syntax = await post(app.subgraph.url, '{ user(id: ');
  expect(syntax.status).toBe(400);
  expect(syntax.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  const stillUp = await post(app.subgraph.url, '{ __typename }');
  expect(stillUp.body.data.__typename).toBe('Query');
});

describe('configuration', () => {
  test('defaults: port 4001, demo mode, Sandbox origin allowed', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4001);
    expect(config.horizon.mode).toBe('emulator');
    expect(config.corsOrigins).toEqual(['https://studio.apollographql.com']);
  });

  test('every bad value is reported at once, and the secret never appears in the message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', HORIZON_APP_ID: 'abc', HORIZON_APP_SECRET: 'has space secret-value', LOG_LEVEL: 'loud', HORIZON_GRAPH_URL: 'ftp://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    for (const name of ['PORT', 'HORIZON_APP_ID', 'HORIZON_APP_SECRET', 'LOG_LEVEL', 'HORIZON_GRAPH_URL']) {
      expect(problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    }
    expect((error as Error).message).not.toContain('secret-value');
  });

  test('production refuses to run on the emulator', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/required when NODE_ENV=production/);
  });
});
