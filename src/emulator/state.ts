import { AccountData } from './data/accounts.js';
import { IntegrityData } from './data/integrity.js';
import { LeaderboardData } from './data/leaderboards.js';
import { PurchaseData } from './data/purchases.js';
import { SubscriptionData } from './data/subscriptions.js';
import { entryOf, type GuessedFieldPolicy } from './graph.js';

/**
 * The emulator's in-memory world: one app, its users and their tokens, and each API
 * area's records, stored in Graph's own (snake_case) shapes so routes only project them.
 */

export interface EmulatedUser {
  id: string;
  alias: string;
  display_name: string;
  profile_url: string;
  org_scoped_id: string;
  /** The avatar image; read by real code on `GET /{user_id}` but undocumented (a guessed field). Absent: none. */
  avatar_v2?: { avatar_image: { uri: string } };
  /** The user access token a device would hand the game's server. */
  token: string;
}

export interface EmulatedAchievementDefinition {
  id: string;
  api_name: string;
  achievement_type: 'SIMPLE' | 'COUNT' | 'BITFIELD';
  achievement_write_policy: 'CLIENT_AUTHORITATIVE' | 'SERVER_AUTHORITATIVE';
  /** Nothing documents a cap (docs/horizon-api.md): kept exact as an int64. */
  target?: bigint;
  bitfield_length?: number;
  is_archived: boolean;
  title?: string;
  description?: string;
  unlocked_description_override?: string;
  is_secret: boolean;
  locked_image_uri?: string;
  unlocked_image_uri?: string;
}

export interface EmulatedAchievementProgress {
  /** The definition's id: the docs' definition and progress examples share theirs (§2.2, §2.4). */
  id: string;
  user_id: string;
  api_name: string;
  /** Exact, past 2^31 and 2^53 alike (an int64, docs/horizon-api.md). */
  count_progress: bigint;
  bitfield_progress: string;
  is_unlocked: boolean;
  /** Unix seconds; 0 until unlocked. */
  unlock_time: number;
}

export interface EmulatedRoom {
  id: string;
  max_users: number;
  owner_id: string | undefined;
  name: string;
  description: string;
  join_policy: string;
  type: string;
  joinability: string;
  version: number;
  is_membership_locked: boolean;
  data_store: Map<string, string>;
}

export interface EmulatorBehavior {
  /**
   * Meta's docs disagree on whether the app token may write CLIENT_AUTHORITATIVE
   * achievements (docs/horizon-api.md). Default: refuse, as the troubleshooting section says.
   */
  allowAppWritesToClientAuthoritative: boolean;
  /**
   * Refuse the fields docs/horizon-api.md lists as guesses (a leaderboard's time window
   * and titles, a paid offer's term, an entry's `leaderboard` edge, `org_scoped_id` inside an
   * entry's user), as a stricter real Graph might: code 100, "nonexisting field". `true`
   * refuses them all; a list refuses only those named by their path from the top node type
   * (`LeaderboardEntry.leaderboard`, `LeaderboardEntry.user.org_scoped_id`,
   * `Leaderboard.title_locale_map`, ...). Default false: they are served. Tests turn it on to
   * see the client fall back.
   */
  refuseGuessedFields: GuessedFieldPolicy;
  /**
   * Which spelling of the viewer-centred `start_at` values `GET /leaderboard_entries` takes
   * (docs/horizon-api.md, unresolved): `docs` = `VIEWER` / `VIEWER_OR_TOP` (ps-challenges-s2s),
   * `sdk` = `CENTERED_ON_VIEWER` / `CENTERED_ON_VIEWER_OR_TOP` (the SDK enum), `both` (default).
   * The other spelling is refused with code 100, as Graph refuses an unknown enum value.
   */
  viewerStartAtSpellings: 'both' | 'docs' | 'sdk';
  /**
   * How `user_ids` (with `filter=USER_IDS`) may be written; its wire format is unconfirmed
   * (docs/horizon-api.md): `json-strings` `["1","2"]`, `json-numbers` `[1,2]`, `csv` `1,2`. Default:
   * all three. Others are refused with code 100.
   */
  acceptedUserIdsFormats: readonly UserIdsFormat[];
  /**
   * Write achievement numbers (`target`, `bitfield_length`, `count_progress`, `unlock_time`) as
   * numeric strings, as a real capture has `"target":"0"` (docs/horizon-api.md). Default false: JSON
   * numbers, exact however large.
   */
  achievementNumbersAsStrings: boolean;
  /**
   * Refuse `definition` on achievement progress (code 100, "nonexisting field"): only the older
   * docs show it (docs/horizon-api.md). Default false: served, with the top-level `api_name`/`target`.
   */
  refuseProgressDefinition: boolean;
  /**
   * Refuse the top-level `api_name` and `target` on achievement progress (code 100). With
   * `refuseProgressDefinition` only the current docs' list is served: `id`, `unlock_time`,
   * `is_unlocked`, `count_progress`, `bitfield_progress`. Default false.
   */
  refuseProgressApiName: boolean;
  /** Serve a progress record's `definition` without its `api_name` (the rest of it as usual). Default false. */
  omitProgressDefinitionApiName: boolean;
  /**
   * Insist on `user_id` on verify_entitlement, consume_entitlement and refund_iap_entitlement
   * even with a user token, as ps-iap-s2s marks it Required (docs/horizon-api.md): its absence is
   * code 100. Default false: the user is taken from the token, as older docs and the SDK's
   * example allow. Tests turn it on to prove the client always sends it.
   */
  requireUserIdWithUserToken: boolean;
}

export type UserIdsFormat = 'json-strings' | 'json-numbers' | 'csv';

/** The emulator's defaults: what the docs describe. Tests switch single behaviours per emulator. */
export const DEFAULT_BEHAVIOR: Readonly<EmulatorBehavior> = {
  allowAppWritesToClientAuthoritative: false,
  refuseGuessedFields: false,
  viewerStartAtSpellings: 'both',
  acceptedUserIdsFormats: ['json-strings', 'json-numbers', 'csv'],
  achievementNumbersAsStrings: false,
  refuseProgressDefinition: false,
  refuseProgressApiName: false,
  omitProgressDefinitionApiName: false,
  requireUserIdWithUserToken: false,
};

export class EmulatorState {
  readonly users = new Map<string, EmulatedUser>();
  readonly usersByToken = new Map<string, EmulatedUser>();
  readonly achievementDefinitions = new Map<string, EmulatedAchievementDefinition>();
  /** user id → api name → progress */
  readonly achievementProgress = new Map<string, Map<string, EmulatedAchievementProgress>>();
  /** user id → ids of their friends (symmetric). */
  readonly friends = new Map<string, Set<string>>();
  /** Outstanding user-proof nonces: nonce → user id. Single use. */
  readonly nonces = new Map<string, string>();
  /** SSO codes, linked tokens and federated users (docs/horizon-api.md, "Accounts"). */
  readonly accounts = new AccountData();
  /** Achievement images uploaded, by the URI a definition serves them under. */
  readonly achievementImages = new Map<string, Buffer>();
  readonly leaderboards = new LeaderboardData();
  readonly purchases = new PurchaseData();
  readonly subscriptions = new SubscriptionData();
  /** Moderated rooms (deprecated API): room id → room. */
  readonly rooms = new Map<string, EmulatedRoom>();
  /** Sends the webhooks of changes (./webhooks.ts); none when unset. */
  webhooks: { send(field: string, value: Record<string, unknown>): void } | undefined;
  /** Attestation tokens and device bans. */
  readonly integrity: IntegrityData;
  private nextId = 1_000_000n;

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    readonly behavior: EmulatorBehavior = { ...DEFAULT_BEHAVIOR },
  ) {
    this.integrity = new IntegrityData(appId, appSecret);
  }

  /** A fresh 16-digit Graph id, unique within this emulator. */
  newId(): string {
    this.nextId += 1n;
    return (7_000_000_000_000_000n + this.nextId).toString();
  }

  addUser(user: EmulatedUser): void {
    this.users.set(user.id, user);
    this.usersByToken.set(user.token, user);
  }

  areFriends(a: string, b: string): boolean {
    return this.friends.get(a)?.has(b) ?? false;
  }

  befriend(a: string, b: string): void {
    if (a === b) return;
    entryOf(this.friends, a, Set).add(b);
    entryOf(this.friends, b, Set).add(a);
  }

  progressOf(userId: string): Map<string, EmulatedAchievementProgress> {
    return entryOf(this.achievementProgress, userId, Map);
  }
}
