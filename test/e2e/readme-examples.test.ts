/**
 * Every GraphQL operation and curl body shown in the README runs against the subgraph on the
 * emulator's demo data without errors, so the examples stay true as the schema moves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { createContext } from '../../src/graphql/context.js';
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
