/**
 * Where webhook events are kept: in Redis when REDIS_URL is set (./redisStore.ts, shared by every
 * replica, surviving restarts), else in this process's memory. Both record an event at most once
 * per id, atomically, keep it for the retention period, and list events in ingestion order, all
 * of them or those of one index (a player, an order, a subscription).
 */
import type { WebhookEvent } from './events.js';

export interface WebhookEventStore {
  /** Records the event under the given indexes unless its id is already recorded: its `seq` when new, undefined for a duplicate. */
  record(event: WebhookEvent, indexes: readonly string[]): Promise<number | undefined>;
  /** The next `limit` entries after `afterSeq` in ingestion order, of one index or (undefined) of all. */
  range(index: string | undefined, afterSeq: number, limit: number): Promise<EventRange>;
  close(): Promise<void>;
}

export interface EventRange {
  /** The events of the entries scanned (fewer than scanned when retention deleted some). */
  events: WebhookEvent[];
  /** The seq of the last entry scanned, where the next range starts; undefined when none was left. */
  scannedTo: number | undefined;
}

/** The indexes an event is listed under. */
export function indexesOf(event: WebhookEvent): string[] {
  const indexes: string[] = [];
  if (event.userId) indexes.push(playerIndex(event.userId));
  if (event.reportingId) indexes.push(orderIndex(event.reportingId));
  if (event.subscriptionId) indexes.push(subscriptionIndex(event.subscriptionId));
  return indexes;
}
export const playerIndex = (userId: string) => `player:${userId}`;
export const orderIndex = (reportingId: string) => `order:${reportingId}`;
export const subscriptionIndex = (subscriptionId: string) => `subscription:${subscriptionId}`;

/** One process's events, for a single replica without Redis: lost on restart (docs/webhooks.md). */
export class MemoryWebhookEventStore implements WebhookEventStore {
  private readonly events = new Map<string, WebhookEvent>();
  /** Ids in ingestion order (= seq order). */
  private log: string[] = [];
  private readonly indexes = new Map<string, string[]>();
  private seq = 0;

  constructor(
    private readonly retentionMs: number,
    /** Past this many, the oldest go first (a Redis store has no such bound). */
    private readonly maxEvents = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async record(event: WebhookEvent, indexes: readonly string[]): Promise<number | undefined> {
    if (this.events.has(event.id)) return undefined;
    this.trim();
    const seq = ++this.seq;
    this.events.set(event.id, { ...event, seq });
    this.log.push(event.id);
    for (const index of indexes) {
      const ids = this.indexes.get(index) ?? [];
      ids.push(event.id);
      this.indexes.set(index, ids);
    }
    return seq;
  }

  async range(index: string | undefined, afterSeq: number, limit: number): Promise<EventRange> {
    const ids = index === undefined ? this.log : (this.indexes.get(index) ?? []);
    // Every list is in seq order and holds only kept events (trim prunes them): binary search the start.
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.events.get(ids[mid]!)!.seq! <= afterSeq) low = mid + 1;
      else high = mid;
    }
    const events = ids.slice(low, low + limit).map((id) => this.events.get(id)!);
    return { events, scannedTo: events.at(-1)?.seq };
  }

  async close(): Promise<void> {}

  private trim(): void {
    const cutoff = this.now() - this.retentionMs;
    let drop = 0;
    while (drop < this.log.length) {
      const event = this.events.get(this.log[drop]!)!;
      if (event.receivedAt > cutoff && this.log.length - drop < this.maxEvents) break;
      this.events.delete(event.id);
      drop++;
    }
    if (drop === 0) return;
    this.log = this.log.slice(drop);
    // Index entries of dropped events are skipped on read; prune those that are now empty.
    for (const [index, ids] of this.indexes) {
      const kept = ids.filter((id) => this.events.has(id));
      if (kept.length === 0) this.indexes.delete(index);
      else this.indexes.set(index, kept);
    }
  }
}
