/** Users endpoints (reference §4.1, §4.2): a user by app-scoped id, and the token's own user. */
import type { CancelSignal } from './signal.js';
import { assertGraphId, InvalidArgumentError } from './ids.js';
import { fieldsParam, parseGraphId } from './params.js';
import type { RequestSender } from './transport.js';

export interface HorizonUser {
  /** App-scoped user id. */
  id: string;
  alias: string | null;
  displayName: string | null;
  /** Signed image URL on oculuscdn.com (expires after some days), not a web page. */
  profileUrl: string | null;
  /** Stable across every app of the developer organization. */
  orgScopedId: string | null;
  /**
   * Profile fields that were not read where this user was (Graph refused asking them there,
   * e.g. `org_scoped_id` inside a leaderboard entry): their values above are placeholders, not
   * Horizon's answer; read the profile (`get`) for them. Absent when the profile is complete.
   */
  missingFields?: readonly ProfileField[];
}

/** The profile fields of a `HorizonUser`. */
export type ProfileField = 'alias' | 'displayName' | 'profileUrl' | 'orgScopedId';

const USER_FIELDS = fieldsParam(['id', 'alias', 'display_name', 'profile_url', 'org_scoped_id']);

interface RawUser {
  id?: unknown;
  alias?: unknown;
  display_name?: unknown;
  profile_url?: unknown;
  org_scoped_id?: unknown;
}

export class UsersApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /{user_id}` with the app token. */
  async get(userId: string, signal?: CancelSignal): Promise<HorizonUser> {
    assertGraphId('userId', userId);
    const raw = await this.transport.request<RawUser>({
      method: 'GET',
      path: `/${userId}`,
      endpoint: 'GET /{user_id}',
      params: { fields: USER_FIELDS },
      signal,
    });
    return toUser(raw);
  }

  /** `GET /me` with a player's user access token. */
  async me(userToken: string, signal?: CancelSignal): Promise<HorizonUser> {
    const raw = await this.transport.request<RawUser>({
      method: 'GET',
      path: '/me',
      endpoint: 'GET /me',
      params: { fields: USER_FIELDS },
      credential: { kind: 'user', token: userToken },
      signal,
    });
    return toUser(raw);
  }

  /**
   * `POST /user_nonce_validate`: checks a user proof (`Users.GetUserProof()` on the device).
   * A nonce is single-use: the check itself consumes it, so a second check of the same
   * nonce is false. `false` is an answer, not an error.
   */
  async validateNonce(userId: string, nonce: string, signal?: CancelSignal): Promise<boolean> {
    assertGraphId('userId', userId);
    assertNonce(nonce);
    const body = await this.transport.request<{ is_valid?: unknown }>({
      method: 'POST',
      path: '/user_nonce_validate',
      endpoint: 'POST /user_nonce_validate',
      params: { nonce, user_id: userId },
      signal,
    });
    return body.is_valid === true || body.is_valid === 'true';
  }
}

function assertNonce(nonce: string): void {
  if (!/^[\x21-\x7e]{1,512}$/.test(nonce)) throw new InvalidArgumentError('nonce', 'nonce must be 1-512 printable characters without spaces');
}

/** A user as Graph sent it; `missing` names the profile fields that were not asked for. */
export function toUser(raw: RawUser, missing: readonly ProfileField[] = []): HorizonUser {
  return {
    id: parseGraphId(raw.id),
    alias: typeof raw.alias === 'string' ? raw.alias : null,
    displayName: typeof raw.display_name === 'string' ? raw.display_name : null,
    profileUrl: typeof raw.profile_url === 'string' ? raw.profile_url : null,
    orgScopedId: raw.org_scoped_id === undefined || raw.org_scoped_id === null ? null : parseGraphId(raw.org_scoped_id),
    ...(missing.length > 0 ? { missingFields: missing } : {}),
  };
}
