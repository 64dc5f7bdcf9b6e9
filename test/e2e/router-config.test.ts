/**
 * The GraphOS Router's configuration documented in docs/auth.md, checked against the code (no
 * router can run here): the subgraph requests its header rules make, from a client request
 * with a caller JWT and a player's token, are answered by a subgraph that checks callers and
 * the router secret; and the trace header the router sends for field-level instrumentation
 * (docs/operating.md) gets `extensions.ftv1` back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { SETTINGS } from '../../src/settings/schema.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { testAuth, token } from '../helpers/auth.js';
import { silentLogger, startHarness, type Harness } from '../helpers/harness.js';

const ROOT = join(__dirname, '..', '..');
const ROUTER_SECRET = 'router-config-test-secret-4Hq8';

/** The YAML block that follows `marker` in a doc. */
function yamlAfter(doc: string, marker: string): any {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const from = text.indexOf(marker);
  expect(from).toBeGreaterThan(-1);
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(from));
  expect(block).not.toBeNull();
  return parseYaml(block![1]!);
}

type Rule = { propagate?: { named: string }; insert?: { name: string; value: string } };

/** The headers a router sends the subgraph under these rules, for a client request's headers and the router's environment. */
function subgraphHeaders(rules: Rule[], client: Record<string, string>, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rule of rules) {
    if (rule.propagate) {
      const name = rule.propagate.named.toLowerCase();
      if (client[name] !== undefined) out[name] = client[name];
    } else if (rule.insert) {
      out[rule.insert.name.toLowerCase()] = rule.insert.value.replace(/\$\{env\.(\w+)\}/g, (_, variable: string) => env[variable] ?? '');
    } else {
      throw new Error(`a header rule this test does not know: ${JSON.stringify(rule)}`);
    }
  }
  return out;
}

let h: Harness;
let subgraph: RunningSubgraph;
beforeAll(async () => {
  h = await startHarness();
  subgraph = await startSubgraph(
    {
      config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 },
      horizon: h.horizon,
      logger: silentLogger,
      auth: await testAuth({ routerSecret: ROUTER_SECRET }),
    },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await subgraph?.stop();
  await h?.close();
});

async function post(headers: Record<string, string>, query: string) {
  const response = await request(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as any };
}

const config = () => yamlAfter('docs/auth.md', '**Router setup**');

test('the header rules forward what the subgraph reads: the caller JWT, the player token and the router secret', async () => {
  const rules: Rule[] = config().headers.subgraphs.horizon.request;
  // The router's variable has the subgraph's setting's name, so one secret is set once.
  const variables = rules.flatMap((r) => [...(r.insert?.value.matchAll(/\$\{env\.(\w+)\}/g) ?? [])].map((m) => m[1]!));
  expect(variables).toEqual(['ROUTER_SHARED_SECRET']);
  expect(Object.keys(SETTINGS)).toContain('ROUTER_SHARED_SECRET');

  const client = { authorization: `Bearer ${await token({ scopes: ['horizon:read'] })}`, 'x-horizon-user-token': demoUserToken(0), cookie: 'session=1' };
  const headers = subgraphHeaders(rules, client, { ROUTER_SHARED_SECRET: ROUTER_SECRET });
  expect(Object.keys(headers).sort()).toEqual(['authorization', 'x-horizon-user-token', 'x-router-secret']);

  const { status, body } = await post(headers, `{ viewer { id } user(id: "${demoUserId(1)}") { displayName } }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data.viewer.id).toBe(demoUserId(0));
  expect(body.data.user.displayName).toEqual(expect.any(String));

  // Each rule matters: without it, the subgraph refuses.
  for (const dropped of rules) {
    const partial = subgraphHeaders(
      rules.filter((r) => r !== dropped),
      client,
      { ROUTER_SHARED_SECRET: ROUTER_SECRET },
    );
    const answer = await post(partial, `{ viewer { id } }`);
    expect(answer.status === 401 || answer.body.errors?.length > 0).toBe(true);
  }
});

test('the router enforces the directives it reads from the supergraph, which the default SDL_AUTH_DIRECTIVES publishes', () => {
  expect(config().authorization.directives.enabled).toBe(true);
  expect(SETTINGS.SDL_AUTH_DIRECTIVES.default).toBe('publish');
});

test('field-level instrumentation: the trace request header the docs name gets a federated trace (ftv1) back', async () => {
  expect(config().telemetry.apollo.field_level_instrumentation_sampler).toBeGreaterThan(0);
  const operating = readFileSync(join(ROOT, 'docs/operating.md'), 'utf8');
  const [, name, value] = /`([a-z-]+): (ftv1)`/.exec(operating) ?? [];
  expect(name).toBe('apollo-federation-include-trace');
  const headers = { authorization: `Bearer ${await token()}`, 'x-router-secret': ROUTER_SECRET };
  const traced = await post({ ...headers, [name!]: value! }, `{ user(id: "${demoUserId(0)}") { displayName } }`);
  expect(traced.body.extensions.ftv1).toMatch(/^[A-Za-z0-9+/]+=*$/);
  const untraced = await post(headers, `{ user(id: "${demoUserId(0)}") { displayName } }`);
  expect(untraced.body.extensions?.ftv1).toBeUndefined();
});
