/**
 * Exactly-once writes for mutations that are not idempotent. A caller names an attempt with
 * an idempotency key; the ledger remembers, per key, the arguments' fingerprint and the
 * outcome for `ttlMs` (24 h):
 * - the same key and arguments again returns the recorded result without calling Horizon;
 * - the same key with other arguments is refused (`IDEMPOTENCY_KEY_REUSED`);
 * - a duplicate arriving while the first runs waits for its result, or is refused with
 *   `IDEMPOTENCY_KEY_IN_PROGRESS` after `waitMs`; it never runs the write a second time;
 * - when a write fails so that it may or may not have been applied (the reply was lost),
 *   the outcome is settled by asking Horizon (`settle`) instead of guessing: if applied, the
 *   result is recorded; if not, the key is released so the caller's retry runs the write;
 *   if Horizon cannot tell us now, the key stays `unknown` and the next retry settles it first.
 */
import { createHash } from 'node:crypto';
import { DEFAULTS } from '../config.js';
import { HorizonError } from '../horizon/errors.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { IdempotencyError } from './errors.js';
import type { IdempotencyStore, LedgerRecord } from './store.js';

/** A record whose write has not been settled (a pending or unknown one). */
type UnsettledRecord = Exclude<LedgerRecord, { status: 'done' }>;

/** How a write's outcome is known. */
export type Settlement = 'REPLY' | 'READ_BACK' | 'VERIFY_ENTITLEMENT' | 'REPLAYED';

export type SettleResult<R> = { applied: true; result: R } | { applied: false };

export interface WriteSpec<S, R> {
  /** The mutation, part of the fingerprint: one key cannot serve two different mutations. */
  scope: string;
  /** The arguments that define the write (the key itself excluded). */
  args: unknown;
  key?: string | null;
  /** State read before the write, for `settle` to compare against afterwards. Must be JSON. */
  snapshot?: () => Promise<S>;
  run: (snapshot: S | undefined) => Promise<R>;
  /** After an ambiguous failure: did the write take effect? Established by asking Horizon. */
  settle?: (snapshot: S | undefined) => Promise<SettleResult<R>>;
  /** How `settle` knows (default READ_BACK). */
  settledBy?: Settlement;
  /** Snapshot and settle even without a key (cheap checks worth always making, e.g. consume). */
  alwaysSettle?: boolean;
}

export interface WriteOutcome<R> {
  result: R;
  settledBy: Settlement;
}

export interface LedgerOptions {
  ttlMs: number;
  /**
   * A pending record older than this is abandoned: its replica died, or could not record how
   * the write ended. Found by a retry, it is taken over (the write never left) or settled by
   * reading back (it may have).
   */
  pendingTtlMs: number;
  /** How long a duplicate waits for the first attempt before being refused. */
  waitMs: number;
  pollMs: number;
  /**
   * How long after an ambiguous failure to wait before reading back: a request whose reply
   * timed out may still be running upstream, and reading too early would miss it.
   */
  settleDelayMs: number;
}

export const DEFAULT_LEDGER: LedgerOptions = { ...DEFAULTS.idempotency.ledger, pendingTtlMs: 60_000, waitMs: 10_000, pollMs: 25 };

/** Refuses a malformed key: `execute` does, and a mutation calls it first to refuse before any upstream call. */
export function assertIdempotencyKey(key: string | null | undefined): void {
  if (key !== undefined && key !== null && !/^[A-Za-z0-9_.:-]{1,128}$/.test(key))
    throw new InvalidArgumentError('idempotencyKey', 'idempotencyKey must be 1-128 letters, digits, or _ . : -');
}

export class IdempotencyLedger {
  constructor(
    readonly store: IdempotencyStore,
    private readonly options: LedgerOptions = DEFAULT_LEDGER,
  ) {}

  async execute<S, R>(spec: WriteSpec<S, R>): Promise<WriteOutcome<R>> {
    // Without a key there is no ledger, and (unless the write asks) no snapshot to settle against.
    if (spec.key === undefined || spec.key === null) {
      return spec.alwaysSettle ? this.runSettling(spec, await spec.snapshot?.()) : this.runSettling({ ...spec, settle: undefined }, undefined);
    }
    assertIdempotencyKey(spec.key);
    const key = spec.key;
    const fingerprint = fingerprintOf(spec.scope, spec.args);
    const pending: LedgerRecord = { status: 'pending', fingerprint, at: Date.now() };
    let existing = await this.beforeWrite(() => this.store.claim(key, pending, this.options.ttlMs));
    if (!existing) return this.runClaimed(key, pending, spec);
    if (existing.fingerprint !== fingerprint) {
      throw new IdempotencyError('IDEMPOTENCY_KEY_REUSED', 'This idempotencyKey was already used with different arguments; use a new key for a new write');
    }
    if (existing.status === 'pending' && !this.abandoned(existing)) existing = await this.waitWhilePending(key);
    if (!existing) return this.execute(spec); // Expired while we waited: claim it afresh.
    if (existing.status === 'done') return { result: existing.result as R, settledBy: 'REPLAYED' };
    // Abandoned (its replica died, or could not record how the write ended) before sending the write: run it.
    if (existing.status === 'pending' && !existing.writing) return this.takeOver(key, existing, spec);
    // The write may have reached Horizon (reply lost, or abandoned mid-write): read back first.
    return this.settleUnknown(key, existing, spec);
  }

  /** A pending record older than `pendingTtlMs` is no longer a write in progress. */
  private abandoned(record: LedgerRecord): boolean {
    return record.status === 'pending' && Date.now() - record.at >= this.options.pendingTtlMs;
  }

  /**
   * Store calls made before the write is sent: when the store fails (Redis down), nothing was
   * written, and the caller hears that clearly rather than as a bug.
   */
  private async beforeWrite<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      if (cause instanceof IdempotencyError) throw cause;
      throw new IdempotencyError(
        'IDEMPOTENCY_LEDGER_UNAVAILABLE',
        'The idempotency ledger cannot be reached, so the write was not attempted; retry with the same key',
        { cause },
      );
    }
  }

  /** Takes an abandoned claim over (compare-and-set: one replica wins) and runs the write. */
  private async takeOver<S, R>(key: string, stored: LedgerRecord, spec: WriteSpec<S, R>): Promise<WriteOutcome<R>> {
    const pending: LedgerRecord = { status: 'pending', fingerprint: stored.fingerprint, at: Date.now() };
    if (!(await this.beforeWrite(() => this.store.replace(key, stored, pending, this.options.ttlMs)))) {
      throw anotherAttemptRunning();
    }
    return this.runClaimed(key, pending, spec);
  }

  private async runClaimed<S, R>(key: string, claimed: LedgerRecord, spec: WriteSpec<S, R>): Promise<WriteOutcome<R>> {
    let snapshot: S | undefined;
    try {
      snapshot = await spec.snapshot?.();
    } catch (error) {
      await this.store.remove(key, claimed).catch(() => undefined);
      throw error;
    }
    // From here the write may reach Horizon: recorded first, with what it is settled against, so
    // that whoever finds this record abandoned settles it by reading back instead of writing again.
    const writing: LedgerRecord = {
      status: 'pending',
      fingerprint: claimed.fingerprint,
      at: Date.now(),
      writing: true,
      ...(snapshot !== undefined ? { snapshot } : {}),
    };
    let recorded: boolean;
    try {
      recorded = await this.beforeWrite(() => this.store.replace(key, claimed, writing, this.options.ttlMs));
    } catch (error) {
      // Not sent (e.g. the record reached too few Redis replicas): free the key for the caller's retry.
      for (const record of [writing, claimed]) await this.store.remove(key, record).catch(() => undefined);
      throw error;
    }
    if (!recorded) throw anotherAttemptRunning();
    let outcome: WriteOutcome<R>;
    try {
      outcome = await this.runSettling(spec, snapshot);
    } catch (error) {
      if (error instanceof IdempotencyError && error.code === 'WRITE_OUTCOME_UNKNOWN') {
        const unknown: LedgerRecord = { status: 'unknown', fingerprint: claimed.fingerprint, at: Date.now(), ...(snapshot !== undefined ? { snapshot } : {}) };
        await this.store.replace(key, writing, unknown, this.options.ttlMs).catch(() => undefined);
      } else {
        // Nothing was applied: free the key so the caller's retry runs the write.
        await this.store.remove(key, writing).catch(() => undefined);
      }
      throw error;
    }
    // The write happened: its caller gets the result even if the store cannot record it now (the
    // record then stays `writing`, and a retry after `pendingTtlMs` settles it by reading back).
    await this.store
      .replace(key, writing, { status: 'done', fingerprint: claimed.fingerprint, at: Date.now(), result: outcome.result }, this.options.ttlMs)
      .catch(() => undefined);
    return outcome;
  }

  /** Runs the write; an ambiguous failure is settled, or reported as WRITE_OUTCOME_UNKNOWN. */
  private async runSettling<S, R>(spec: WriteSpec<S, R>, snapshot: S | undefined): Promise<WriteOutcome<R>> {
    try {
      return { result: await spec.run(snapshot), settledBy: 'REPLY' };
    } catch (error) {
      if (!mayHaveApplied(error)) throw error;
      if (!spec.settle) throw unknownOutcome(error, undefined, spec.key != null);
      let settled: SettleResult<R>;
      try {
        await delay(this.options.settleDelayMs);
        settled = await spec.settle(snapshot);
      } catch (settleError) {
        throw unknownOutcome(error, settleError, spec.key != null);
      }
      if (settled.applied) return { result: settled.result, settledBy: spec.settledBy ?? 'READ_BACK' };
      // Proven not applied: the original failure stands, and a retry is safe.
      throw error;
    }
  }

  /**
   * A previous attempt's outcome is unknown (its reply was lost, or it was abandoned mid-write):
   * settle it by reading back, against the snapshot it recorded, before anything else. `stored` is the record as found.
   */
  private async settleUnknown<S, R>(key: string, stored: UnsettledRecord, spec: WriteSpec<S, R>): Promise<WriteOutcome<R>> {
    if (!spec.settle)
      throw new IdempotencyError(
        'WRITE_OUTCOME_UNKNOWN',
        'An earlier attempt with this idempotencyKey may or may not have been applied, and it cannot be checked',
      );
    let settled: SettleResult<R>;
    try {
      await delay(this.options.settleDelayMs - (Date.now() - stored.at));
      settled = await spec.settle(stored.snapshot as S | undefined);
    } catch (cause) {
      throw new IdempotencyError(
        'WRITE_OUTCOME_UNKNOWN',
        'An earlier attempt with this idempotencyKey may have been applied and Horizon cannot confirm it now; retry with the same key',
        { cause },
      );
    }
    if (settled.applied) {
      await this.store
        .replace(key, stored, { status: 'done', fingerprint: stored.fingerprint, at: Date.now(), result: settled.result }, this.options.ttlMs)
        .catch(() => undefined);
      return { result: settled.result, settledBy: spec.settledBy ?? 'READ_BACK' };
    }
    // Not applied: take the key over and run the write now.
    return this.takeOver(key, stored, spec);
  }

  /** Waits for a running attempt; returns the record once it is no longer a live pending one. */
  private async waitWhilePending(key: string): Promise<LedgerRecord | undefined> {
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, this.options.pollMs));
      const record = await this.beforeWrite(() => this.store.get(key));
      if (!record || record.status !== 'pending' || this.abandoned(record)) return record;
      if (Date.now() >= deadline) {
        throw new IdempotencyError(
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'An earlier attempt with this idempotencyKey is still running; retry shortly with the same key',
        );
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** Validation errors and failures that prove nothing was sent never applied anything. */
export function mayHaveApplied(error: unknown): boolean {
  if (error instanceof HorizonError) return error.mayHaveApplied;
  if (error instanceof InvalidArgumentError) return false;
  if (error instanceof Error && error.name === 'GraphQLError') return false;
  return true;
}

function unknownOutcome(error: unknown, settleError: unknown, hasKey: boolean): IdempotencyError {
  const advice = hasKey ? 'retry with the same idempotencyKey to settle it' : 'check before writing again, and send an idempotencyKey to make retries safe';
  return new IdempotencyError('WRITE_OUTCOME_UNKNOWN', `The write may or may not have been applied (Horizon's reply was lost); ${advice}`, {
    cause: settleError ?? error,
  });
}

/** The arguments' identity: the same write gives the same fingerprint whatever the key order. */
export function fingerprintOf(scope: string, args: unknown): string {
  return createHash('sha256').update(scope).update('\0').update(stableJson(args)).digest('base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The key's record changed under us: another attempt (another replica) has it now. */
function anotherAttemptRunning(): IdempotencyError {
  return new IdempotencyError('IDEMPOTENCY_KEY_IN_PROGRESS', 'Another attempt with this idempotencyKey is running; retry shortly with the same key');
}
