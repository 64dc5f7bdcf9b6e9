/**
 * Every GraphQL operation and curl example shown in the README and in docs/ runs against the
 * subgraph on the emulator's demo data without errors, so the examples stay true as the schema
 * moves. An example is a ```graphql block holding an operation (SDL blocks are left out), or a
 * ```sh block holding a curl command sent to the subgraph at http://localhost:4001 (curl
 * commands to other hosts, such as graph.oculus.com, are not examples of this subgraph).
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { createContext } from '../../src/graphql/context.js';
import { loadTypeDefs } from '../../src/schema.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const ROOT = join(__dirname, '..', '..');
/** The README, then every markdown file of docs/, as [path, text]. */
const documents: Array<[string, string]> = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
].map((path) => [path, readFileSync(join(ROOT, path), 'utf8')]);

const graphqlBlocks = (text: string) => [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The curl commands of ```sh blocks that call the subgraph. */
const curlsIn = (text: string) =>
  [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    // A command, or a script whose first line keeps a curl's answer (`NONCE=$(curl ...`) for the next ones.
    .filter((block) => /^(?:[A-Z_]+=\$\()?curl /.test(block.trimStart()) && block.includes('http://localhost:4001'));

/** Operations in ```graphql blocks, and the queries in the curl commands' `-d` bodies, as [name, query]. */
function examplesIn(text: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const block of graphqlBlocks(text)) {
    const operation = block.trim();
    if (/^(query|mutation|\{)/.test(operation)) found.push([operation.split('\n')[0]!.slice(0, 60), operation]);
  }
  for (const command of curlsIn(text)) {
    const query = curlQuery(command);
    found.push([`curl: ${query.slice(0, 50)}`, query]);
  }
  return found;
}

/** The GraphQL query in a curl command's `-d '{"query": ...}'` body. */
function curlQuery(command: string): string {
  const body = /-d '(\{[\s\S]*?\})'/.exec(command);
  if (!body) throw new Error(`a curl example without a -d '{...}' body: ${command.slice(0, 120)}`);
  return (JSON.parse(body[1]!) as { query: string }).query;
}

/** Every example of every document, as [path: name, query]. */
const examples: Array<[string, string]> = documents.flatMap(([path, text]) =>
  examplesIn(text).map(([name, query]): [string, string] => [`${path}: ${name}`, query]),
);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

test("the README's tour shows a query, a mutation and a curl command", () => {
  const own = examplesIn(documents[0]![1]);
  expect(own.some(([, query]) => query.startsWith('query '))).toBe(true);
  expect(own.some(([, query]) => query.startsWith('mutation'))).toBe(true);
  expect(curlsIn(documents[0]![1]).length).toBeGreaterThan(0);
});

test('the README and docs/examples.md hold examples, and together they show every kind', () => {
  const withExamples = documents.filter(([, text]) => examplesIn(text).length > 0).map(([path]) => path);
  expect(withExamples).toEqual(expect.arrayContaining(['README.md', 'docs/examples.md']));
  const all = examples.map(([, text]) => text).join('\n');
  for (const field of [
    'leaderboard(',
    'products',
    'purchases(',
    'subscriptions',
    'consumePurchase',
    'submitLeaderboardScore',
    'viewer',
    'addAchievementCount',
    'issueAttestationChallenge',
    'verifyAttestation',
    'banDevice',
    'deviceBan(',
    'liftDeviceBan',
    'linkAccount',
    'refreshLinkedAccount',
    'createFederatedUser',
    'updateFederatedUser',
    'deleteFederatedUser',
    'createFederatedUserAccessToken',
    'federatedUsers',
    'setAchievementImages',
  ]) {
    expect(all).toContain(field);
  }
});

test.each(examples)('example runs without errors: %s', async (_name, query) => {
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

  const curls = documents.flatMap(([path, text]) => curlsIn(text).map((c) => [`${path}: curl ${curlQuery(c).slice(0, 60)}`, c]));

  test('the README and docs/ have curl examples', () => {
    expect(curls.length).toBeGreaterThan(0);
  });

  test.each(curls)('%s', async (_name, command) => {
    // The same command, pointed at this test's port, with the demo token `npm start` prints.
    const url = new URL(app.subgraph.url);
    // Calls to the emulator (standing in for a headset) go to this test's emulator.
    const local = command.replaceAll('http://localhost:4001', `http://127.0.0.1:${url.port}`).replaceAll('http://localhost:4010', app.emulator!.url);
    const output = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', local], { env: { ...process.env, TOKEN: app.devToken ?? '' }, timeout: 10_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    const body = JSON.parse(output) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
    // The attestation walk-through ends in a trusted verdict: each step handed the next what it needed.
    if (command.includes('verifyAttestation')) expect(body.data.verifyAttestation).toMatchObject({ trusted: true, reasons: [] });
  });
});

test("docs/schema-users.md's types for other subgraphs compose with this subgraph's SDL, every entity key included", () => {
  const schemaUsers = documents.find(([path]) => path === 'docs/schema-users.md')?.[1] ?? '';
  const block = graphqlBlocks(schemaUsers).find((text) => text.includes('resolvable: false'));
  expect(block).toBeDefined();
  // As another team's subgraph would hold them: the documented types, and a field of their own using each.
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
