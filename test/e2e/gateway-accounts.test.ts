/**
 * End to end through a real @apollo/gateway: a game backend links a player's Meta account (web
 * SSO), manages cross-play (federated) users and sets achievement images; frontends see the results.
 */
import { request } from 'undici';
import { startFederatedStack, type FederatedStack } from '../helpers/federation.js';
import { issueSsoCode } from '../helpers/harness.js';
import { png } from '../helpers/images.js';

let stack: FederatedStack;
beforeAll(async () => {
  stack = await startFederatedStack();
});
afterAll(async () => {
  await stack?.close();
});

const LINK = `mutation($c: String!, $o: ID!) { linkAccount(code: $c, orgScopedId: $o) { orgScopedId accessToken refreshCode } }`;

test('account linking: the SSO code becomes a token that acts as the player; the code works once', async () => {
  const { code, org_scoped_id } = await issueSsoCode(stack.emulator.url, 4);
  const linked = await stack.query(LINK, { c: code, o: org_scoped_id });
  expect(linked.body.errors).toBeUndefined();
  const { accessToken, refreshCode } = linked.body.data.linkAccount;
  expect(linked.body.data.linkAccount.orgScopedId).toBe(org_scoped_id);

  // The backend stores the token and acts as the player with it (here through `viewer`).
  const viewer = await stack.query(`{ viewer { id alias } }`, {}, { 'x-horizon-user-token': accessToken });
  expect(viewer.body.data.viewer).toEqual({ id: org_scoped_id, alias: 'IronFern' });

  const again = await stack.query(LINK, { c: code, o: org_scoped_id });
  expect(again.body.data.linkAccount).toBeNull();
  expect(again.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SSO_CODE_REJECTED' });
  expect(JSON.stringify(again.body)).not.toContain(code);

  const refreshed = await stack.query(`mutation($o: ID!, $r: String!) { refreshLinkedAccount(orgScopedId: $o, refreshCode: $r) { accessToken } }`, {
    o: org_scoped_id,
    r: refreshCode,
  });
  expect(refreshed.body.data.refreshLinkedAccount.accessToken).not.toBe(accessToken);
});

test('the subgraph answers a credential with Cache-Control: no-store', async () => {
  const { code, org_scoped_id } = await issueSsoCode(stack.emulator.url, 6);
  const response = await request(stack.subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
    body: JSON.stringify({ query: LINK, variables: { c: code, o: org_scoped_id } }),
  });
  const body = (await response.body.json()) as any;
  expect(body.data.linkAccount.accessToken).toMatch(/^OCA/);
  expect(response.headers['cache-control']).toBe('no-store');
});

test('federated users: create, list, rename (a bad name refused), token, delete', async () => {
  const create = await stack.query(
    `mutation { createFederatedUser(persistentId: "xbox:e2e-1", displayName: "Gateway Guest") { settledBy user { id uniqueName } } }`,
  );
  expect(create.body.errors).toBeUndefined();
  const id = create.body.data.createFederatedUser.user.id;

  const list = await stack.query(`{ federatedUsers(first: 10) { nodes { id persistentId displayName } pageInfo { hasNextPage } } }`);
  expect(list.body.data.federatedUsers.nodes).toContainEqual({ id, persistentId: 'xbox:e2e-1', displayName: 'Gateway Guest' });

  const bad = await stack.query(`mutation { updateFederatedUser(persistentId: "xbox:e2e-1", displayName: "no") { id } }`);
  expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'displayName' });
  const renamed = await stack.query(`mutation { updateFederatedUser(persistentId: "xbox:e2e-1", displayName: "Crossplay Kai") { uniqueName } }`);
  expect(renamed.body.data.updateFederatedUser.uniqueName).toMatch(/^Crossplay Kai#\d+$/);

  const token = await stack.query(`mutation { createFederatedUserAccessToken(persistentId: "xbox:e2e-1") { accessToken } }`);
  expect(token.body.data.createFederatedUserAccessToken.accessToken).toMatch(/^FRL/);

  const deleted = await stack.query(`mutation { deleteFederatedUser(persistentId: "xbox:e2e-1") { success } }`);
  expect(deleted.body.data.deleteFederatedUser.success).toBe(true);
  const gone = await stack.query(`query($id: ID) { federatedUser(id: $id) { id } }`, { id });
  expect(gone.body.data.federatedUser).toBeNull();
});

test('an admin sets achievement images; a frontend then reads their URLs', async () => {
  const set = await stack.query(`mutation($l: String) { setAchievementImages(apiName: "SPEED_DEMON", lockedImage: $l) { lockedImageUrl } }`, {
    l: png().toString('base64'),
  });
  expect(set.body.errors).toBeUndefined();
  const read = await stack.query(`{ achievementDefinition(apiName: "SPEED_DEMON") { lockedImageUrl } }`);
  expect(read.body.data.achievementDefinition.lockedImageUrl).toBe(set.body.data.setAchievementImages.lockedImageUrl);
  const refused = await stack.query(`mutation { setAchievementImages(apiName: "SPEED_DEMON", unlockedImage: "aGVsbG8gd29ybGQ=") { apiName } }`);
  expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
});
