/**
 * Account linking (web SSO) and federated users as the client returns and takes them, and the
 * checks of what it sends (docs/horizon-api.md, "Accounts").
 */
import { InvalidArgumentError } from '../../lib/errors.js';

/**
 * What `/sso_authorize_code` and `/sso_authorize_refresh_code` answer: the player's access token
 * for your backend to store, and the code that renews it. Both are credentials: never log them.
 */
export interface LinkedAccountTokens {
  /** The player's org-scoped id (the same for every app of your organization). */
  orgScopedId: string;
  /** Graph's `oauth_token`: a user access token (`OCA...`), also good for `GET /me`. */
  accessToken: string;
  /** Graph's `refresh_code`: renews `accessToken` with `/sso_authorize_refresh_code`. */
  refreshCode: string;
}

/** A federated (cross-play) user, created by your backend for a player of another platform. */
export interface FederatedUser {
  /** Graph's id, unique within the developer organization. */
  id: string;
  /** Your own immutable id of the player, the key of every federated-user call. */
  persistentId: string;
  /** `display_name`, or `{display_name}#N` when another user has it; null when Graph sent none. */
  uniqueName: string | null;
  displayName: string | null;
}

export interface FederatedUserPage {
  users: FederatedUser[];
  /** Graph's cursor of the next page; undefined on the last one. */
  after: string | undefined;
}

/** Shortest and longest display name, in characters (Unicode code points), as ps-fed-auth-* document it. */
export const DISPLAY_NAME_MIN = 3;
export const DISPLAY_NAME_MAX = 30;
/** Longest persistent id passed on: Horizon documents none; this only bounds one argument. */
export const PERSISTENT_ID_MAX = 256;
/** Longest SSO code or refresh code passed on: Horizon documents none. */
export const SSO_CODE_MAX = 4096;

/** No control characters, line separators or lone surrogates (they have no UTF-8 form). */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

/** 3-30 characters, any code point that has a UTF-8 form ("all code points are allowed"). */
export function assertDisplayName(argument: string, value: string): string {
  const length = [...value].length;
  if (length < DISPLAY_NAME_MIN || length > DISPLAY_NAME_MAX) {
    throw new InvalidArgumentError(argument, `${argument} must be ${DISPLAY_NAME_MIN}-${DISPLAY_NAME_MAX} characters long (got ${length})`);
  }
  if (/\p{Cs}/u.test(value)) throw new InvalidArgumentError(argument, `${argument} must be valid Unicode text (it has a lone surrogate)`);
  return value;
}

export function assertPersistentId(argument: string, value: string): string {
  if (value.length === 0 || value.length > PERSISTENT_ID_MAX || UNPRINTABLE.test(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be 1-${PERSISTENT_ID_MAX} printable characters`);
  }
  return value;
}

/** An SSO `code` or `refresh_code`: opaque, printable, without spaces. */
export function assertSsoCode(argument: string, value: string): string {
  if (value.length === 0 || value.length > SSO_CODE_MAX || !/^[\x21-\x7e]+$/.test(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be 1-${SSO_CODE_MAX} printable ASCII characters without spaces`);
  }
  return value;
}
