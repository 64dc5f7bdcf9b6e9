/**
 * Every GraphQL operation and curl body shown in the README runs against the subgraph on the
 * emulator's demo data without errors, so the examples stay true as the schema moves.
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { createContext } from '../../src/graphql/context.js';
import { loadTypeDefs } from '../../src/schema.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** Operations in ```graphql blocks (SDL blocks are left out), and queries in curl `-d` bodies. */
function examples(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const match of readme.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const text = match[1]!.trim();
    if (/^(query|mutation|\{)/.test(text)) found.push([text.split('\n')[0]!.slice(0, 60), text]);
  }
  for (const match of readme.matchAll(/curl [^\n]*-d '(\{[\s\S]*?\})'/g)) {
    const body = JSON.parse(match[1]!) as { query: string };
    found.push([`curl: ${body.query.slice(0, 50)}`, body.query]);
  }
  return found;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

test('the README shows examples of every kind', () => {
  const all = examples()
    .map(([, text]) => text)
    .join('\n');
  for (const field of [
    'leaderboard(',
    'products',
    'purchases(',
    'subscriptions',
    'consumePurchase',
    'submitLeaderboardScore',
    'viewer',
    'addAchievementCount',
  ]) {
    expect(all).toContain(field);
  }
});

test.each(examples())('README example runs without errors: %s', async (_name, query) => {
  // As the gateway would: the demo player's own token rides along for player-bound fields.
  const response = await h.server.executeOperation(
    { query },
    { contextValue: createContext({ horizon: h.horizon, logger: silentLogger, caches: h.caches, requestId: 'readme', userToken: demoUserToken(0) }) },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  expect(response.body.singleResult.errors).toBeUndefined();
  expect(response.body.singleResult.data).toBeTruthy();
  expect(demoUserId(0)).toBe('3559884437424131');
});

describe('curl examples, run as written against `npm start`-like demo mode', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'silent' }), silentLogger);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const curls = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => block.trimStart().startsWith('curl '));

  test('the README has curl examples', () => {
    expect(curls.length).toBeGreaterThan(0);
  });

  test.each(curls.map((c) => [c.split('\n')[0]!.slice(0, 70), c]))('%s', async (_name, command) => {
    // The same command, pointed at this test's port, with the demo token `npm start` prints.
    const url = new URL(app.subgraph.url);
    const local = command.replaceAll('http://localhost:4001', `http://127.0.0.1:${url.port}`);
    const output = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', local], { env: { ...process.env, TOKEN: app.devToken ?? '' }, timeout: 10_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    const body = JSON.parse(output) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
  });
});

test("the README's types for other subgraphs compose with this subgraph's SDL, every entity key included", () => {
  const block = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!).find((text) => text.includes('resolvable: false'));
  expect(block).toBeDefined();
  // As another team's subgraph would hold them: the README's types, and a field of their own using each.
  const types = [...block!.matchAll(/^type (\w+) @key/gm)].map((m) => m[1]!);
  expect(types.sort()).toEqual(['AchievementDefinition', 'Leaderboard', 'LeaderboardEntry', 'User']);
  const other = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
    ${block}
    type Query { featured: Featured }
    type Featured { ${types.map((t) => `${t[0]!.toLowerCase()}${t.slice(1)}: ${t}`).join(' ')} }
  `;
  const composition = composeServices([
    { name: 'horizon', typeDefs: parse(loadTypeDefs()), url: 'http://horizon.invalid/' },
    { name: 'other', typeDefs: parse(other), url: 'http://other.invalid/' },
  ]);
  expect(composition.errors?.map((e) => e.message) ?? []).toEqual([]);
});
