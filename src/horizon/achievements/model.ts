/** Achievements' types as the client returns and takes them, and the checks of what it writes. */
import { InvalidArgumentError } from '../../lib/errors.js';

export const ACHIEVEMENT_TYPES = ['SIMPLE', 'COUNT', 'BITFIELD'] as const;
export type AchievementType = (typeof ACHIEVEMENT_TYPES)[number];
export const WRITE_POLICIES = ['CLIENT_AUTHORITATIVE', 'SERVER_AUTHORITATIVE'] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

export interface AchievementDefinition {
  id: string;
  apiName: string;
  type: AchievementType;
  writePolicy: WritePolicy;
  /** Count to reach (COUNT) or bits to set (BITFIELD); null for SIMPLE. */
  target: bigint | null;
  /** Number of bits (BITFIELD only). */
  bitfieldLength: number | null;
  archived: boolean;
  title: string | null;
  description: string | null;
  unlockedDescription: string | null;
  secret: boolean;
  lockedImageUrl: string | null;
  unlockedImageUrl: string | null;
}

export interface AchievementProgress {
  /** Graph's id of the progress record (the docs' examples show the definition's). */
  id: string;
  userId: string;
  apiName: string;
  /**
   * The definition, when Graph returned it complete with the progress (the older docs' nested
   * `definition`), or when the record was identified by its id in the definitions listing.
   */
  definition: AchievementDefinition | null;
  /** The target as the record carried it (top-level `target`, else the definition's); null when neither came. */
  target: bigint | null;
  unlocked: boolean;
  unlockedAt: Date | null;
  /** The counter (COUNT achievements), exact: 0 when Graph sent none. */
  count: bigint;
  bitfield: string | null;
}

export interface AchievementWriteResult {
  id: string;
  apiName: string;
  /** True only on the call that caused the unlock. */
  justUnlocked: boolean;
}

export interface AchievementDefinitionInput {
  apiName: string;
  type: AchievementType;
  writePolicy: WritePolicy;
  target?: bigint | number | null;
  bitfieldLength?: number | null;
  archived?: boolean | null;
  title?: string | null;
  description?: string | null;
  unlockedDescription?: string | null;
  secret?: boolean | null;
}

const INT64_MAX = 2n ** 63n - 1n;

/** The longest bitfield `addBits` writes. */
export const MAX_BITFIELD_LENGTH = 1024;

/** What `addCount` adds: a positive int64. */
export function assertCount(count: bigint | number): bigint {
  const exact = typeof count === 'bigint' || Number.isSafeInteger(count) ? BigInt(count) : 0n;
  if (exact <= 0n || exact > INT64_MAX) throw new InvalidArgumentError('count', `count must be a positive integer of at most ${INT64_MAX}`);
  return exact;
}

/** What `addBits` merges: 0s and 1s, 1 to 1024 of them (its exact length is the definition's). */
export function assertBits(bits: string): string {
  if (!/^[01]+$/.test(bits) || bits.length > MAX_BITFIELD_LENGTH) {
    throw new InvalidArgumentError('bits', `bits must be a string of 0 and 1, at most ${MAX_BITFIELD_LENGTH} characters`);
  }
  return bits;
}
