/**
 * The idempotency ledger's storage: one record per idempotency key, changed only by atomic
 * claim / compare-and-set / compare-and-delete, so several subgraph replicas sharing one
 * store (Redis) can never both run the same key's write.
 */

import { decodeJson } from '../lib/json.js';
import { IdempotencyError } from './errors.js';

export type LedgerRecord =
  /**
   * A replica is running the write now; `writing` once it may have reached Horizon, with the
   * `snapshot` taken before it, so an abandoned attempt can be settled by reading back.
   */
  | { status: 'pending'; fingerprint: string; at: number; writing?: boolean; snapshot?: unknown }
  /** The write may or may not have been applied (reply lost); `snapshot` helps settle it. */
  | { status: 'unknown'; fingerprint: string; at: number; snapshot?: unknown }
  /** The write's result, returned again to any retry with the same key and arguments. */
  | { status: 'done'; fingerprint: string; at: number; result: unknown };

export interface IdempotencyStore {
  /** Stores `record` under `key` unless the key exists; returns the existing record, or undefined when claimed. */
  claim(key: string, record: LedgerRecord, ttlMs: number): Promise<LedgerRecord | undefined>;
  get(key: string): Promise<LedgerRecord | undefined>;
  /** Replaces the record only if it still equals `expected`. True when replaced. */
  replace(key: string, expected: LedgerRecord, next: LedgerRecord, ttlMs: number): Promise<boolean>;
  /** Deletes the record only if it still equals `expected`. */
  remove(key: string, expected: LedgerRecord): Promise<void>;
  close(): Promise<void>;
}

export const encodeRecord = (record: LedgerRecord): string => JSON.stringify(record);

const asRecord = (parsed: LedgerRecord) => (parsed && typeof parsed === 'object' && typeof parsed.fingerprint === 'string' ? parsed : undefined);
export const decodeRecord = (text: string | null | undefined): LedgerRecord | undefined => decodeJson(text, asRecord);

/**
 * One process's ledger: the default without REDIS_URL. Bounded: expired records go first, and
 * when every record is still within its TTL a new key is refused (the write is then not
 * attempted) rather than an older key forgotten, which would let its retry write twice.
 */
// Kept over lru-cache: when full it must refuse a new key, never evict one within its TTL, and a record expires AT its TTL (lru-cache: after).
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { text: string; expiresAt: number }>();

  constructor(
    private readonly maxRecords = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, record: LedgerRecord, ttlMs: number): Promise<LedgerRecord | undefined> {
    const existing = this.read(key);
    if (existing !== undefined) return decodeRecord(existing);
    this.write(key, encodeRecord(record), ttlMs);
    return undefined;
  }

  async get(key: string): Promise<LedgerRecord | undefined> {
    return decodeRecord(this.read(key));
  }

  async replace(key: string, expected: LedgerRecord, next: LedgerRecord, ttlMs: number): Promise<boolean> {
    if (this.read(key) !== encodeRecord(expected)) return false;
    this.write(key, encodeRecord(next), ttlMs);
    return true;
  }

  async remove(key: string, expected: LedgerRecord): Promise<void> {
    if (this.read(key) === encodeRecord(expected)) this.records.delete(key);
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  private read(key: string): string | undefined {
    const entry = this.records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.records.delete(key);
      return undefined;
    }
    return entry.text;
  }

  private write(key: string, text: string, ttlMs: number): void {
    const now = this.now();
    if (!this.records.has(key) && this.records.size >= this.maxRecords) {
      // Oldest first: with one TTL for all records, insertion order is expiry order.
      for (const [oldest, entry] of this.records) {
        if (entry.expiresAt > now) break;
        this.records.delete(oldest);
      }
      if (this.records.size >= this.maxRecords) {
        throw new IdempotencyError(
          'IDEMPOTENCY_LEDGER_UNAVAILABLE',
          `The in-memory idempotency ledger holds ${this.maxRecords} keys within their TTL, its limit: the write was not attempted. Use REDIS_URL for more.`,
        );
      }
    }
    this.records.delete(key);
    this.records.set(key, { text, expiresAt: now + ttlMs });
  }
}
