/**
 * Validation of values that end up in upstream paths or parameters. The client refuses
 * anything else before a byte is sent, so a caller can never steer a request to another
 * Graph node by smuggling `/` or `?` into an id.
 */
import { InvalidArgumentError } from '../lib/errors.js';

/** Graph ids (users, entries, leaderboards) are 64-bit integers written in decimal. */
export function isGraphId(value: string): boolean {
  return /^[1-9]\d{0,19}$/.test(value) && BigInt(value) <= 18446744073709551615n;
}

/** Longest api name we pass on: Horizon documents no limit; this only bounds what one argument can carry. */
export const MAX_API_NAME_LENGTH = 512;

/**
 * Achievement and leaderboard api names. Horizon documents no character set, and real ones go
 * beyond letters and digits (`@achievement_01`, docs/horizon-api.md), so any non-empty string
 * of printable characters is accepted: no control characters, line separators or lone UTF-16
 * surrogates (which have no UTF-8 form). The client encodes them for the wire (form values,
 * JSON arrays in `api_names`), so no character needs to be refused for safety.
 */
export function isApiName(value: string): boolean {
  return value.length > 0 && value.length <= MAX_API_NAME_LENGTH && !/[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u.test(value);
}

export function assertGraphId(argument: string, value: string): string {
  if (!isGraphId(value)) throw new InvalidArgumentError(argument, `${argument} must be a numeric Horizon id`);
  return value;
}

export function assertApiName(argument: string, value: string): string {
  if (!isApiName(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be 1-${MAX_API_NAME_LENGTH} printable characters (no control characters or line breaks)`);
  }
  return value;
}

/**
 * Add-on and subscription SKUs: letters, digits, `_`, `-`, `.` and `:` (catalog entries of
 * subscriptions read `{SKU}:SUBSCRIPTION__{TERM}`), at most 128 characters. Case-sensitive.
 */
export function isSku(value: string): boolean {
  return /^[A-Za-z0-9_.:-]{1,128}$/.test(value);
}

export function assertSku(argument: string, value: string): string {
  if (!isSku(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be 1-128 letters, digits, '_', '-', '.' or ':'`);
  }
  return value;
}
