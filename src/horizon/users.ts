/** Users endpoints (docs/horizon-api.md): a user by app-scoped id, and the token's own user. */
import type { CancelSignal } from './signal.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { assertGraphId } from './ids.js';
import { fieldsParam, isSuccess, parseGraphId, stringOrNull, withDocumentedFields, type FieldChoice, type RawFields } from './params.js';
import type { Credential, RequestSender } from './request.js';

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
  /**
   * The avatar image's URL (`avatar_v2{avatar_image{uri}}`). Null when Graph sent none or refused
   * the field; absent on users nested in other answers (leaderboard entries, rooms), which do
   * not ask for it.
   */
  avatarUrl?: string | null;
}

/** The profile fields of a `HorizonUser`. */
export type ProfileField = 'alias' | 'displayName' | 'profileUrl' | 'orgScopedId';

/** Documented user fields (docs/horizon-api.md, and `user{...}` in leaderboard entries, §3.3). */
const DOCUMENTED_USER_FIELDS = ['id', 'alias', 'display_name', 'profile_url', 'org_scoped_id'] as const;
/**
 * The avatar is read by real code on `GET /{user_id}` [CODE BeatLeader] but is in no Meta doc:
 * asked for, with the documented fields as the fallback when Graph refuses it. `/me` is the same
 * node type, so it shares the choice (and the memory of a refusal).
 */
const USER_FIELDS: FieldChoice = {
  name: 'user',
  preferred: fieldsParam([...DOCUMENTED_USER_FIELDS, { avatar_v2: [{ avatar_image: ['uri'] }] }]),
  documented: fieldsParam(DOCUMENTED_USER_FIELDS),
};

interface RawUser extends RawFields<typeof DOCUMENTED_USER_FIELDS> {
  avatar_v2?: { avatar_image?: { uri?: unknown } | null } | null;
}

export class UsersApi {
  constructor(private readonly transport: RequestSender) {}

  /** `GET /{user_id}` with the app token. */
  async get(userId: string, signal?: CancelSignal): Promise<HorizonUser> {
    assertGraphId('userId', userId);
    return this.profile(`/${userId}`, 'GET /{user_id}', undefined, signal);
  }

  /** `GET /me` with a player's user access token. */
  async me(userToken: string, signal?: CancelSignal): Promise<HorizonUser> {
    return this.profile('/me', 'GET /me', { kind: 'user', token: userToken }, signal);
  }

  /** `get` and `me`: the same node type, so the same fields and the same memory of a refused avatar. */
  private async profile(path: string, endpoint: string, credential: Credential | undefined, signal: CancelSignal | undefined): Promise<HorizonUser> {
    const raw = await withDocumentedFields(this.transport.refusedFields, USER_FIELDS, (fields) =>
      this.transport.request<RawUser>({ method: 'GET', path, endpoint, params: { fields }, credential, signal }),
    );
    return toProfile(raw);
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
    return isSuccess(body.is_valid);
  }
}

function assertNonce(nonce: string): void {
  if (!/^[\x21-\x7e]{1,512}$/.test(nonce)) throw new InvalidArgumentError('nonce', 'nonce must be 1-512 printable characters without spaces');
}

/** A user read on its own (`GET /{user_id}`, `/me`): with the avatar, null when Graph sent none. */
function toProfile(raw: RawUser): HorizonUser {
  return { ...toUser(raw), avatarUrl: stringOrNull(raw.avatar_v2?.avatar_image?.uri) };
}

/** A user from any answer, without the avatar (only `GET /{user_id}` and `/me` ask for it); `missing` names the profile fields that were not asked for. */
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
