/**
 * What attestation keeps between calls, shared by every replica when Redis is configured: the
 * challenge nonces this subgraph issued (single-use, bound to a player, short-lived) and the
 * notes of the device bans it placed (the reason, which Horizon does not keep). Consuming a
 * nonce is one atomic step, so two replicas can never both accept it.
 */
import { decodeJson } from '../lib/json.js';

export interface NonceRecord {
  /** The player the nonce was issued to. */
  userId: string;
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms; the record is kept a while longer, so a late use reads as expired, not unknown. */
  expiresAt: number;
}

/** A nonce's record as its consumption found it. */
export interface ConsumedNonce {
  record: NonceRecord;
  /** Another verification consumed it first. */
  alreadyUsed: boolean;
}

/** What this subgraph remembers of a ban it placed. */
export interface BanNote {
  deviceId: string;
  banId: string;
  reason: string;
  /** Epoch ms. */
  bannedAt: number;
  /** Epoch ms. */
  until: number;
}

export interface IntegrityStore {
  /** Stores a fresh nonce for `retainMs`. False when the nonce exists already (never, for 256 random bits). */
  issueNonce(nonce: string, record: NonceRecord, retainMs: number): Promise<boolean>;
  /** Marks the nonce used, atomically, and returns its record as it was; undefined when unknown. */
  consumeNonce(nonce: string): Promise<ConsumedNonce | undefined>;
  /** Keeps a ban's note until the ban ends, under its device id and its ban id. */
  putBanNote(note: BanNote): Promise<void>;
  banNote(by: { deviceId: string } | { banId: string }): Promise<BanNote | undefined>;
  removeBanNote(note: BanNote): Promise<void>;
}

export const encodeNonce = (record: NonceRecord): string => JSON.stringify([record.userId, record.issuedAt, record.expiresAt]);

const asNonce = ([userId, issuedAt, expiresAt]: unknown[]): NonceRecord | undefined =>
  typeof userId === 'string' && typeof issuedAt === 'number' && typeof expiresAt === 'number' ? { userId, issuedAt, expiresAt } : undefined;

/** A nonce's stored value to its consumption: `!` in front once used. */
export function consumedNonce(text: string): ConsumedNonce | undefined {
  const alreadyUsed = text.startsWith('!');
  const record = decodeJson(alreadyUsed ? text.slice(1) : text, asNonce);
  return record ? { record, alreadyUsed } : undefined;
}

const asBanNote = (note: BanNote) =>
  note && typeof note.deviceId === 'string' && typeof note.banId === 'string' && typeof note.until === 'number' ? note : undefined;
export const decodeBanNote = (text: string | null | undefined): BanNote | undefined => decodeJson(text, asBanNote);

/** How long a ban note is kept: until the ban ends, at least a minute. */
export const banNoteTtlMs = (note: BanNote, now: number): number => Math.max(60_000, note.until - now);

/**
 * One replica's store: the default without Redis. Bounded: when full, the oldest entries go
 * first. A nonce forgotten that way reads as unknown, so it fails closed (never accepted twice).
 */
export class MemoryIntegrityStore implements IntegrityStore {
  private readonly entries = new Map<string, { text: string; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async issueNonce(nonce: string, record: NonceRecord, retainMs: number): Promise<boolean> {
    if (this.read(`nonce:${nonce}`) !== undefined) return false;
    this.write(`nonce:${nonce}`, encodeNonce(record), retainMs);
    return true;
  }

  async consumeNonce(nonce: string): Promise<ConsumedNonce | undefined> {
    const key = `nonce:${nonce}`;
    const text = this.read(key);
    const consumed = text === undefined ? undefined : consumedNonce(text);
    // Same expiry: only the mark changes (single-threaded, so read-and-mark is atomic here).
    if (consumed && !consumed.alreadyUsed) this.entries.get(key)!.text = `!${text}`;
    return consumed;
  }

  async putBanNote(note: BanNote): Promise<void> {
    const ttl = banNoteTtlMs(note, this.now());
    const text = JSON.stringify(note);
    this.write(`ban:${note.deviceId}`, text, ttl);
    this.write(`ban-id:${note.banId}`, text, ttl);
  }

  async banNote(by: { deviceId: string } | { banId: string }): Promise<BanNote | undefined> {
    return decodeBanNote(this.read('banId' in by ? `ban-id:${by.banId}` : `ban:${by.deviceId}`));
  }

  async removeBanNote(note: BanNote): Promise<void> {
    this.entries.delete(`ban:${note.deviceId}`);
    this.entries.delete(`ban-id:${note.banId}`);
  }

  private read(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.text;
  }

  private write(key: string, text: string, ttlMs: number): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { text, expiresAt: this.now() + ttlMs });
  }
}
