/**
 * Account linking (web SSO) and federated users (docs/horizon-api.md, "Accounts"). The SSO
 * answers hold a player's credentials: they are returned to the caller and nowhere else (no
 * error, log line or metric names them). Federated users live in a "federated app" whose id
 * defaults to the app's own (`HORIZON_FEDERATED_APP_ID`).
 */
import { HorizonProtocolError, isUnknownNode } from './errors.js';
import { assertGraphId } from './ids.js';
import {
  assertDisplayName,
  assertPersistentId,
  assertSsoCode,
  type FederatedUser,
  type FederatedUserPage,
  type LinkedAccountTokens,
} from './accounts/model.js';
import * as wire from './accounts/wire.js';
import { fieldsParam, isFieldRefusal, isSuccess, readPage } from './params.js';
import type { RequestSender } from './request.js';
import type { CancelSignal } from './signal.js';

export * from './accounts/model.js';

export class AccountsApi {
  constructor(
    private readonly transport: RequestSender,
    private readonly federatedAppId: string = transport.appId,
  ) {}

  /**
   * `POST /sso_authorize_code`: the `code` and `org_scoped_id` from the SSO redirect, for the
   * player's token and refresh code. A code is single-use, so this is never resent: a lost reply
   * means the player links again.
   */
  async exchangeSsoCode(code: string, orgScopedId: string, signal?: CancelSignal): Promise<LinkedAccountTokens> {
    assertSsoCode('code', code);
    assertGraphId('orgScopedId', orgScopedId);
    return this.sso('/sso_authorize_code', orgScopedId, { code, org_scoped_id: orgScopedId }, signal);
  }

  /** `POST /sso_authorize_refresh_code`: a fresh token for a linked player. */
  async refreshSsoToken(orgScopedId: string, refreshCode: string, signal?: CancelSignal): Promise<LinkedAccountTokens> {
    assertGraphId('orgScopedId', orgScopedId);
    assertSsoCode('refreshCode', refreshCode);
    return this.sso('/sso_authorize_refresh_code', orgScopedId, { org_scoped_id: orgScopedId, refresh_code: refreshCode }, signal, refreshCode);
  }

  private async sso(
    path: '/sso_authorize_code' | '/sso_authorize_refresh_code',
    orgScopedId: string,
    params: Record<string, string>,
    signal: CancelSignal | undefined,
    sentRefreshCode?: string,
  ): Promise<LinkedAccountTokens> {
    const endpoint = `POST ${path}`;
    const body = await this.transport.request<Record<string, unknown>>({ method: 'POST', path, endpoint, params, signal });
    return wire.toTokens(endpoint, orgScopedId, body, sentRefreshCode);
  }

  /**
   * `POST /{federated_app_id}/federated_user_create`. Not resent on its own (a second create of
   * the same persistent id is refused); callers settle a lost reply by reading it back.
   */
  createFederatedUser(persistentId: string, displayName: string, signal?: CancelSignal): Promise<FederatedUser> {
    return this.writeFederatedUser('create', persistentId, displayName, signal, false);
  }

  /** `POST /{federated_app_id}/federated_user_update`: the new display name. Setting it twice is setting it once. */
  updateFederatedUser(persistentId: string, displayName: string, signal?: CancelSignal): Promise<FederatedUser> {
    return this.writeFederatedUser('update', persistentId, displayName, signal, true);
  }

  /** A create/update answer as a whole user: read back by persistent id when Graph sent only part of it. */
  private async writeFederatedUser(
    action: 'create' | 'update',
    persistentId: string,
    displayName: string,
    signal: CancelSignal | undefined,
    idempotent: boolean,
  ): Promise<FederatedUser> {
    assertPersistentId('persistentId', persistentId);
    assertDisplayName('displayName', displayName);
    const raw = await this.transport.request<wire.RawFederatedUser>({
      method: 'POST',
      path: `/${this.federatedAppId}/federated_user_${action}`,
      endpoint: `POST /{federated_app_id}/federated_user_${action}`,
      params: { persistent_id: persistentId, display_name: displayName },
      signal,
      idempotent,
    });
    if (wire.isCompleteUser(raw)) return wire.toFederatedUser(raw, persistentId);
    const found = await this.findFederatedUser(persistentId, signal);
    return found ?? wire.toFederatedUser(raw, persistentId);
  }

  /** `DELETE /{federated_app_id}/federated_user`: irreversible, with the user's scores and achievements. */
  async deleteFederatedUser(persistentId: string, signal?: CancelSignal): Promise<boolean> {
    assertPersistentId('persistentId', persistentId);
    const body = await this.transport.request<{ success?: unknown }>({
      method: 'DELETE',
      path: `/${this.federatedAppId}/federated_user`,
      endpoint: 'DELETE /{federated_app_id}/federated_user',
      params: { persistent_id: persistentId },
      signal,
    });
    return isSuccess(body.success);
  }

  /** `POST /{federated_app_id}/federated_user_gen_access_token`: a token to act as the user. A credential. */
  async generateFederatedUserToken(persistentId: string, signal?: CancelSignal): Promise<string> {
    assertPersistentId('persistentId', persistentId);
    const endpoint = 'POST /{federated_app_id}/federated_user_gen_access_token';
    const body = await this.transport.request<{ access_token?: unknown }>({
      method: 'POST',
      path: `/${this.federatedAppId}/federated_user_gen_access_token`,
      endpoint,
      params: { persistent_id: persistentId },
      signal,
    });
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new HorizonProtocolError(endpoint, 200, 'the answer has no access_token');
    }
    return body.access_token;
  }

  /** `GET /{id}`: a federated user by Graph id; null when there is none. */
  async getFederatedUser(id: string, signal?: CancelSignal): Promise<FederatedUser | null> {
    assertGraphId('id', id);
    let raw: wire.RawFederatedUser;
    try {
      raw = await this.transport.request<wire.RawFederatedUser>({
        method: 'GET',
        path: `/${id}`,
        endpoint: 'GET /{federated_user_id}',
        params: { fields: fieldsParam(wire.FEDERATED_USER_FIELDS) },
        signal,
      });
    } catch (error) {
      // No node, or a node of another kind (a player) that has no federated-user fields.
      if (isUnknownNode(error) || isFieldRefusal(error)) return null;
      throw error;
    }
    // Another kind of node (a player, a leaderboard) has no persistent id: not a federated user.
    return raw.id === undefined || typeof raw.persistent_id !== 'string' ? null : wire.toFederatedUser(raw);
  }

  /** `GET /{federated_app_id}/federated_users?persistent_id=`: the user with this persistent id, or null. */
  async findFederatedUser(persistentId: string, signal?: CancelSignal): Promise<FederatedUser | null> {
    assertPersistentId('persistentId', persistentId);
    const page = await this.page({ persistent_id: persistentId, limit: 2 }, signal);
    // Only this very persistent id counts: a Graph that ignored the filter gives no false match.
    return page.users.find((user) => user.persistentId === persistentId) ?? null;
  }

  /** `GET /{federated_app_id}/federated_users`: one page, `limit` users after Graph's cursor `after`. */
  listFederatedUsers(options: { limit: number; after?: string; signal?: CancelSignal }): Promise<FederatedUserPage> {
    return this.page({ limit: options.limit, after: options.after }, options.signal);
  }

  private async page(params: Record<string, string | number | undefined>, signal?: CancelSignal): Promise<FederatedUserPage> {
    const body = await this.transport.request({
      method: 'GET',
      path: `/${this.federatedAppId}/federated_users`,
      endpoint: 'GET /{federated_app_id}/federated_users',
      params: { ...params, fields: fieldsParam(wire.FEDERATED_USER_FIELDS) },
      signal,
    });
    const page = readPage(body, (raw: wire.RawFederatedUser) => wire.toFederatedUser(raw));
    return { users: page.items, after: page.after };
  }
}
