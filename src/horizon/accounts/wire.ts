/** Reading Graph's account-linking and federated-user answers liberally (docs/horizon-api.md). */
import { HorizonProtocolError } from '../errors.js';
import { parseGraphId, stringOrNull, type RawFields } from '../params.js';
import type { FederatedUser, LinkedAccountTokens } from './model.js';

/** Every field ps-fed-auth-read-user documents. */
export const FEDERATED_USER_FIELDS = ['id', 'persistent_id', 'unique_name', 'display_name'] as const;

export type RawFederatedUser = RawFields<typeof FEDERATED_USER_FIELDS>;

export function toFederatedUser(raw: RawFederatedUser, persistentId?: string): FederatedUser {
  return {
    id: parseGraphId(raw.id),
    persistentId: stringOrNull(raw.persistent_id) ?? persistentId ?? '',
    uniqueName: stringOrNull(raw.unique_name),
    displayName: stringOrNull(raw.display_name),
  };
}

/** Whether an answer carries the whole user, so it need not be read back. */
export function isCompleteUser(raw: RawFederatedUser): boolean {
  return raw.id !== undefined && typeof raw.display_name === 'string';
}

/**
 * `{"oauth_token":"OCA...","refresh_code":"..."}` (captured in public code). The refresh answer's
 * shape is undocumented: `access_token` is read too, and a missing `refresh_code` means the one
 * sent stays good. Nothing about the tokens goes into an error message.
 */
export function toTokens(endpoint: string, orgScopedId: string, raw: Record<string, unknown>, sentRefreshCode?: string): LinkedAccountTokens {
  const accessToken = stringOrNull(raw.oauth_token) ?? stringOrNull(raw.access_token);
  const refreshCode = stringOrNull(raw.refresh_code) ?? sentRefreshCode ?? null;
  if (!accessToken) throw new HorizonProtocolError(endpoint, 200, 'the answer has no oauth_token');
  if (!refreshCode) throw new HorizonProtocolError(endpoint, 200, 'the answer has no refresh_code');
  return { orgScopedId, accessToken, refreshCode };
}
