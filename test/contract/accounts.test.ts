/** The accounts client (SSO account linking, federated users; docs/horizon-api.md) against a real emulator over loopback HTTP. */
import { request } from 'undici';
import { DEMO_REFRESH_CODE, DEMO_SSO_CODES, demoUserId, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { CODE_INVALID_PARAMETER, CODE_PERMISSION, HorizonProtocolError, SUBCODE_UNKNOWN_NODE } from '../../src/horizon/errors.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { apiError, closeWorld, graphCall, openWorld } from '../helpers/contract.js';
import { issueSsoCode, ROUTES } from '../helpers/harness.js';

let emulator: RunningEmulator;
let client: HorizonClient;
beforeAll(async () => ({ emulator, client } = await openWorld()));
afterAll(() => closeWorld({ emulator, client }));
beforeEach(() => emulator.clearRequests());

const ORG_0 = '5978973908802860';
const appToken = () => `OC|${emulator.appId}|${emulator.appSecret}`;

describe('SSO account linking', () => {
  test('a code and org-scoped id are exchanged for the player token and refresh code; the token works at /me as the org-scoped id', async () => {
    const { code, org_scoped_id } = await issueSsoCode(emulator.url, 3);
    const linked = await client.accounts.exchangeSsoCode(code, org_scoped_id);
    expect(linked).toEqual({ orgScopedId: org_scoped_id, accessToken: expect.stringMatching(/^OCA[0-9a-f]{48}$/), refreshCode: expect.any(String) });
    const sent = emulator.requests.find((r) => r.route === ROUTES.ssoAuthorizeCode)!;
    // Strict in what we send: app token, form body; the code is in no URL (and out of the emulator's log).
    expect(sent).toMatchObject({ token: 'app', status: 200, path: '/sso_authorize_code', params: { org_scoped_id } });
    expect(sent.params.code).toBeUndefined();
    expect((await client.users.me(linked.accessToken)).id).toBe(org_scoped_id);
  });

  test('a code works once: reusing it is Graph code 100 (subcode 36009), and the second attempt is not retried', async () => {
    const { code, org_scoped_id } = await issueSsoCode(emulator.url, 1);
    await client.accounts.exchangeSsoCode(code, org_scoped_id);
    emulator.clearRequests();
    const error = await apiError(client.accounts.exchangeSsoCode(code, org_scoped_id));
    expect(error).toMatchObject({ status: 400, code: CODE_INVALID_PARAMETER, subcode: 36009, endpoint: 'POST /sso_authorize_code' });
    expect(error.upstreamMessage).toBe('This authorization code has been used.');
    expect(error.message).not.toContain(code);
    expect(emulator.requests).toHaveLength(1);
  });

  test('an unknown code, or one issued for another player, is refused (code 100)', async () => {
    expect(await apiError(client.accounts.exchangeSsoCode('never-issued-code', ORG_0))).toMatchObject({ code: CODE_INVALID_PARAMETER, subcode: 36007 });
    const { code } = await issueSsoCode(emulator.url, 2);
    expect(await apiError(client.accounts.exchangeSsoCode(code, ORG_0))).toMatchObject({ code: CODE_INVALID_PARAMETER });
  });

  test('the exchange needs the app token: a user token is refused (code 10)', async () => {
    const { code, org_scoped_id } = await issueSsoCode(emulator.url, 4);
    const { status, body } = await graphCall(emulator, 'POST', '/sso_authorize_code', { code, org_scoped_id }, 'FRLDEMO' + demoUserId(0) + 'EMULATORUSERTOKEN');
    expect(status).toBe(403);
    expect(body.error.code).toBe(CODE_PERMISSION);
  });

  test('the demo seed holds codes of player 0 and a refresh code of their link', async () => {
    const linked = await client.accounts.exchangeSsoCode(DEMO_SSO_CODES[0], ORG_0);
    expect(linked.orgScopedId).toBe(ORG_0);
    const refreshed = await client.accounts.refreshSsoToken(ORG_0, DEMO_REFRESH_CODE);
    expect(refreshed).toMatchObject({ orgScopedId: ORG_0, refreshCode: DEMO_REFRESH_CODE });
    expect(refreshed.accessToken).not.toBe(linked.accessToken);
  });

  test('a refresh gives a new token; the refresh code stays good; a bad one is code 100', async () => {
    const { code, org_scoped_id } = await issueSsoCode(emulator.url, 5);
    const linked = await client.accounts.exchangeSsoCode(code, org_scoped_id);
    const first = await client.accounts.refreshSsoToken(org_scoped_id, linked.refreshCode);
    const second = await client.accounts.refreshSsoToken(org_scoped_id, linked.refreshCode);
    expect(new Set([linked.accessToken, first.accessToken, second.accessToken]).size).toBe(3);
    expect((await client.users.me(second.accessToken)).id).toBe(org_scoped_id);
    expect(await apiError(client.accounts.refreshSsoToken(org_scoped_id, 'not-a-refresh-code'))).toMatchObject({ code: CODE_INVALID_PARAMETER });
    expect(await apiError(client.accounts.refreshSsoToken(ORG_0, linked.refreshCode))).toMatchObject({ code: CODE_INVALID_PARAMETER });
  });

  test('malformed codes and ids are refused before any request', async () => {
    for (const [code, id] of [
      ['', ORG_0],
      ['has space', ORG_0],
      ['x'.repeat(4097), ORG_0],
      ['ok-code', 'me'],
      ['ok-code', '12/34'],
    ]) {
      await expect(client.accounts.exchangeSsoCode(code!, id!)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.accounts.refreshSsoToken(id!, code!)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('federated users', () => {
  test('create answers every documented field; the user reads back by id and by persistent id', async () => {
    const created = await client.accounts.createFederatedUser('contract:create-1', 'Río Ñandú');
    expect(created).toEqual({ id: expect.stringMatching(/^\d+$/), persistentId: 'contract:create-1', uniqueName: 'Río Ñandú', displayName: 'Río Ñandú' });
    expect(emulator.requests[0]).toMatchObject({
      route: ROUTES.federatedCreate,
      token: 'app',
      params: { persistent_id: 'contract:create-1', display_name: 'Río Ñandú' },
    });
    expect(await client.accounts.getFederatedUser(created.id)).toEqual(created);
    expect(await client.accounts.findFederatedUser('contract:create-1')).toEqual(created);
  });

  test('a display name another user has gets a #N unique name', async () => {
    const a = await client.accounts.createFederatedUser('contract:same-a', 'Same Name');
    const b = await client.accounts.createFederatedUser('contract:same-b', 'Same Name');
    expect(a.uniqueName).toBe('Same Name');
    expect(b.uniqueName).toMatch(/^Same Name#\d+$/);
  });

  test('a taken persistent id is Graph code 100', async () => {
    await client.accounts.createFederatedUser('contract:taken', 'First One');
    expect(await apiError(client.accounts.createFederatedUser('contract:taken', 'Second One'))).toMatchObject({ status: 400, code: CODE_INVALID_PARAMETER });
  });

  test('display names of 3 and 30 characters (code points, emoji included) pass; 2 and 31 are refused before any request', async () => {
    await client.accounts.createFederatedUser('contract:len-3', 'abc');
    await client.accounts.createFederatedUser('contract:len-30', '🎮'.repeat(30));
    emulator.clearRequests();
    for (const name of ['ab', 'x'.repeat(31), '🎮'.repeat(31), '', 'ab\ud800']) {
      await expect(client.accounts.createFederatedUser('contract:len-bad', name)).rejects.toThrow(InvalidArgumentError);
      await expect(client.accounts.updateFederatedUser('contract:len-3', name)).rejects.toThrow(/displayName/);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  test('Graph itself refuses a bad display name (code 100), whoever sends it', async () => {
    const { status, body } = await graphCall(emulator, 'POST', `/${emulator.appId}/federated_user_create`, { persistent_id: 'raw:1', display_name: 'ab' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 100, message: expect.stringContaining('display_name') });
  });

  test('update changes the display name and answers the user; an unknown persistent id is code 100 subcode 33', async () => {
    const user = await client.accounts.createFederatedUser('contract:update', 'Old Name');
    const updated = await client.accounts.updateFederatedUser('contract:update', 'New Name');
    expect(updated).toEqual({ ...user, displayName: 'New Name', uniqueName: 'New Name' });
    expect(await apiError(client.accounts.updateFederatedUser('contract:nobody', 'Any Name'))).toMatchObject({ code: 100, subcode: SUBCODE_UNKNOWN_NODE });
  });

  test('delete answers success; the user is gone; deleting again is code 100 subcode 33', async () => {
    const user = await client.accounts.createFederatedUser('contract:delete', 'Gone Soon');
    expect(await client.accounts.deleteFederatedUser('contract:delete')).toBe(true);
    expect(emulator.requests.at(-1)).toMatchObject({ route: ROUTES.federatedDelete, method: 'DELETE', params: { persistent_id: 'contract:delete' } });
    expect(await client.accounts.findFederatedUser('contract:delete')).toBeNull();
    expect(await client.accounts.getFederatedUser(user.id)).toBeNull();
    expect(await apiError(client.accounts.deleteFederatedUser('contract:delete'))).toMatchObject({ code: 100, subcode: SUBCODE_UNKNOWN_NODE });
  });

  test('an access token is generated per call for an existing user; an unknown one is refused', async () => {
    await client.accounts.createFederatedUser('contract:token', 'Token Holder');
    const [a, b] = [await client.accounts.generateFederatedUserToken('contract:token'), await client.accounts.generateFederatedUserToken('contract:token')];
    expect(a).toMatch(/^FRL[0-9a-f]{48}$/);
    expect(b).not.toBe(a);
    expect(await apiError(client.accounts.generateFederatedUserToken('contract:nobody'))).toMatchObject({ code: 100 });
  });

  test('the list pages with Graph cursors; previous and next are empty strings where there are none', async () => {
    for (let i = 0; i < 5; i++) await client.accounts.createFederatedUser(`contract:page-${i}`, `Pager ${i}`);
    const raw = await graphCall(emulator, 'GET', `/${emulator.appId}/federated_users`, { fields: 'id,persistent_id', limit: '1000' });
    expect(raw.body.paging).toMatchObject({ previous: '', next: '' });
    const all = raw.body.data.map((u: { persistent_id: string }) => u.persistent_id);
    const seen: string[] = [];
    let after: string | undefined;
    for (let round = 0; round < 50; round++) {
      const page = await client.accounts.listFederatedUsers({ limit: 2, after });
      seen.push(...page.users.map((u) => u.persistentId));
      if (!page.after) break;
      after = page.after;
    }
    expect(seen).toEqual(all);
    expect(seen).toEqual(expect.arrayContaining(['steam:76561198000000001', 'contract:page-4']));
  });

  test('an id of no node, or of a player, is not a federated user: null, not an error', async () => {
    expect(await client.accounts.getFederatedUser('4242424242')).toBeNull();
    expect(await client.accounts.getFederatedUser(demoUserId(0))).toBeNull();
  });

  test('a federated app id other than the app is refused by the emulator', async () => {
    const { status, body } = await graphCall(emulator, 'GET', '/999/federated_users', {});
    expect(status).toBe(400);
    expect(body.error.code).toBe(100);
  });

  test('an answer without a token is a protocol error, not an empty token', async () => {
    // The emulator always sends one: check the reader on a raw body shape instead.
    const { toTokens } = await import('../../src/horizon/accounts/wire.js');
    expect(() => toTokens('POST /sso_authorize_code', ORG_0, { refresh_code: 'r' })).toThrow(HorizonProtocolError);
    expect(toTokens('POST /sso_authorize_refresh_code', ORG_0, { access_token: 'OCAx' }, 'kept')).toEqual({
      orgScopedId: ORG_0,
      accessToken: 'OCAx',
      refreshCode: 'kept',
    });
  });

  test('the emulator accepts the documented trailing slash', async () => {
    const response = await request(`${emulator.url}/${emulator.appId}/federated_users/?persistent_id=psn:demo-player-2&fields=display_name`, {
      headers: { authorization: `Bearer ${appToken()}` },
    });
    expect(((await response.body.json()) as { data: unknown[] }).data).toEqual([{ display_name: 'Crossplay Mira' }]);
  });
});
