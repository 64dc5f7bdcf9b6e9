/**
 * The idempotency ledger's state machine, step by step: a scripted store that can lose the
 * compare-and-set races another replica would win, a fake clock for the waits, and an upstream
 * that records what Horizon actually applied. Every path of `execute` is driven on purpose,
 * where test/unit/ledger.test.ts checks the contract end to end.
 */
import { GraphQLError } from 'graphql';
import { HorizonApiError, HorizonNetworkError, HorizonProtocolError, HorizonTimeoutError, HorizonUnavailableError } from '../../src/horizon/errors.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { IdempotencyError } from '../../src/idempotency/errors.js';
import {
  assertIdempotencyKey,
  DEFAULT_LEDGER,
  fingerprintOf,
  IdempotencyLedger,
  mayHaveApplied,
  type LedgerOptions,
  type SettleResult,
  type WriteSpec,
} from '../../src/idempotency/ledger.js';
import { MemoryIdempotencyStore, type LedgerRecord } from '../../src/idempotency/store.js';

const OPTIONS: LedgerOptions = { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 100, pollMs: 25, settleDelayMs: 1_000 };
const KEY = 'key-1';
const SCOPE = 'addCount';
const ARGS = { user: '1', n: 5 };
const FINGERPRINT = fingerprintOf(SCOPE, ARGS);

const lostReply = () => new HorizonNetworkError('POST /x', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
const badRequest = () => new HorizonApiError('POST /x', 400, { message: 'bad', code: 100 });

/**
 * The in-memory store, recording every call, with a hook that makes a compare-and-set lose as
 * it would when another replica changed the record first.
 */
class ScriptedStore extends MemoryIdempotencyStore {
  readonly calls: Array<{ op: 'claim' | 'get' | 'replace' | 'remove'; record?: LedgerRecord; ttlMs?: number }> = [];
  /** Return true to make this `replace` lose (the record is left as it is). */
  loseReplace: ((expected: LedgerRecord, next: LedgerRecord) => boolean) | undefined;
  /** Runs before each `get`, e.g. to let the record expire while a duplicate waits. */
  onGet: (() => void) | undefined;

  override async claim(key: string, record: LedgerRecord, ttlMs: number) {
    this.calls.push({ op: 'claim', record, ttlMs });
    return super.claim(key, record, ttlMs);
  }
  override async get(key: string) {
    this.calls.push({ op: 'get' });
    this.onGet?.();
    return super.get(key);
  }
  override async replace(key: string, expected: LedgerRecord, next: LedgerRecord, ttlMs: number) {
    this.calls.push({ op: 'replace', record: next, ttlMs });
    if (this.loseReplace?.(expected, next)) return false;
    return super.replace(key, expected, next, ttlMs);
  }
  override async remove(key: string, expected: LedgerRecord) {
    this.calls.push({ op: 'remove', record: expected });
    return super.remove(key, expected);
  }
  /** The record as another replica would read it. */
  peek(key = KEY): Promise<LedgerRecord | undefined> {
    return super.get(key);
  }
  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
}

/** What Horizon did: `applied` counts writes that took effect; `faults` fail the next calls in turn. */
function upstream() {
  const state = { applied: 0, calls: 0, seen: [] as unknown[], faults: [] as Array<{ error: () => unknown; apply: boolean }> };
  const run = async (snapshot: unknown) => {
    state.calls++;
    state.seen.push(snapshot);
    const fault = state.faults.shift();
    if (fault?.apply) state.applied++;
    if (fault) throw fault.error();
    state.applied++;
    return { total: state.applied };
  };
  /** Reads back: applied when Horizon's total moved past the snapshot's. */
  const settle = async (snapshot: { total: number } | undefined): Promise<SettleResult<{ total: number }>> => {
    state.seen.push(snapshot);
    return state.applied > (snapshot?.total ?? 0) ? { applied: true, result: { total: state.applied } } : { applied: false };
  };
  return { state, run, settle };
}

type Spec = WriteSpec<{ total: number }, { total: number }>;
const spec = (extra: Partial<Spec> & Pick<Spec, 'run'>): Spec => ({ scope: SCOPE, key: KEY, args: ARGS, ...extra });

/** Whether a promise has settled, without waiting for it (fake timers stay where they are). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return settled;
}

let store: ScriptedStore;
let ledger: IdempotencyLedger;
beforeEach(() => {
  jest.useFakeTimers({ now: 1_800_000_000_000 });
  store = new ScriptedStore();
  ledger = new IdempotencyLedger(store, OPTIONS);
});
afterEach(() => {
  jest.useRealTimers();
});

describe('records', () => {
  test('a write is claimed as pending, recorded as writing with its snapshot before it is sent, then done with its result', async () => {
    const { state, run } = upstream();
    const recordsDuringRun: Array<LedgerRecord | undefined> = [];
    const outcome = await ledger.execute(
      spec({
        snapshot: async () => ({ total: 7 }),
        run: async (snapshot) => {
          recordsDuringRun.push(await store.peek());
          return run(snapshot);
        },
      }),
    );
    expect(outcome).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    const now = Date.now();
    expect(store.calls.filter((c) => c.op !== 'get')).toEqual([
      { op: 'claim', record: { status: 'pending', fingerprint: FINGERPRINT, at: now }, ttlMs: 60_000 },
      { op: 'replace', record: { status: 'pending', fingerprint: FINGERPRINT, at: now, writing: true, snapshot: { total: 7 } }, ttlMs: 60_000 },
      { op: 'replace', record: { status: 'done', fingerprint: FINGERPRINT, at: now, result: { total: 1 } }, ttlMs: 60_000 },
    ]);
    expect(recordsDuringRun).toEqual([{ status: 'pending', fingerprint: FINGERPRINT, at: now, writing: true, snapshot: { total: 7 } }]);
    expect(state.seen).toEqual([{ total: 7 }]);
    expect(await store.peek()).toEqual({ status: 'done', fingerprint: FINGERPRINT, at: now, result: { total: 1 } });
  });

  test('a write without a snapshot records none', async () => {
    const { run } = upstream();
    await ledger.execute(spec({ run }));
    const writing = store.calls.find((c) => c.op === 'replace' && c.record?.status === 'pending')?.record;
    expect(writing).toEqual({ status: 'pending', fingerprint: FINGERPRINT, at: Date.now(), writing: true });
    expect(JSON.stringify(writing)).not.toContain('snapshot');
  });

  test('a lost reply that cannot be read back leaves an unknown record with the snapshot to settle it against', async () => {
    const { state, run } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const settle = jest.fn(async (): Promise<SettleResult<{ total: number }>> => {
      throw new HorizonTimeoutError('GET /x', 100);
    });
    const attempt = ledger.execute(spec({ run, settle, snapshot: async () => ({ total: 4 }) }));
    const failed = expect(attempt).rejects.toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN' });
    await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs);
    await failed;
    expect(await store.peek()).toEqual({ status: 'unknown', fingerprint: FINGERPRINT, at: Date.now(), snapshot: { total: 4 } });
  });

  test('an unknown record without a snapshot records none', async () => {
    const { state, run } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    await expect(ledger.execute(spec({ run }))).rejects.toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN' });
    const record = await store.peek();
    expect(record).toEqual({ status: 'unknown', fingerprint: FINGERPRINT, at: Date.now() });
    expect(JSON.stringify(record)).not.toContain('snapshot');
  });

  test('records live for ttlMs; the default is 24 hours', async () => {
    const { run } = upstream();
    await new IdempotencyLedger(store).execute(spec({ run }));
    expect(store.calls.map((c) => c.ttlMs).filter((t) => t !== undefined)).toEqual([86_400_000, 86_400_000, 86_400_000]);
    expect(DEFAULT_LEDGER).toEqual({ ttlMs: 86_400_000, pendingTtlMs: 60_000, waitMs: 10_000, pollMs: 25, settleDelayMs: 1_000 });
  });
});

describe('keys', () => {
  test('assertIdempotencyKey accepts no key and well-formed keys', () => {
    for (const key of [undefined, null, 'a', 'A-z_0.9:x', 'k'.repeat(128)]) expect(() => assertIdempotencyKey(key)).not.toThrow();
  });

  test.each(['', 'has space', 'k'.repeat(129), 'semi;colon', 'slash/'])('assertIdempotencyKey refuses %j as the idempotencyKey argument', (key) => {
    let error: unknown;
    try {
      assertIdempotencyKey(key);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'idempotencyKey', message: 'idempotencyKey must be 1-128 letters, digits, or _ . : -' });
  });

  test('execute refuses a malformed key with the same message, before anything runs', async () => {
    const { state, run } = upstream();
    await expect(ledger.execute(spec({ run, key: 'bad key' }))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      argument: 'idempotencyKey',
      message: 'idempotencyKey must be 1-128 letters, digits, or _ . : -',
    });
    expect(state.calls).toBe(0);
    expect(store.calls).toEqual([]);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
  ])('a %s key is no key: every call writes, nothing is recorded', async (_label, key) => {
    const { state, run } = upstream();
    expect(await ledger.execute(spec({ run, key }))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(await ledger.execute(spec({ run, key }))).toEqual({ result: { total: 2 }, settledBy: 'REPLY' });
    expect(state.applied).toBe(2);
    expect(store.calls).toEqual([]);
  });

  test('the same key with other arguments is refused with a message saying so', async () => {
    const { run } = upstream();
    await ledger.execute(spec({ run }));
    await expect(ledger.execute(spec({ run, args: { user: '1', n: 6 } }))).rejects.toMatchObject({
      name: 'IdempotencyError',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'This idempotencyKey was already used with different arguments; use a new key for a new write',
    });
  });
});

describe('without a key', () => {
  test('a lost reply is reported as unknown, with advice to send a key, and the reply error as its cause; settle is not consulted', async () => {
    const { state, run, settle } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const spy = jest.fn(settle);
    const error = await ledger.execute(spec({ run, key: undefined, settle: spy })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error).toMatchObject({
      code: 'WRITE_OUTCOME_UNKNOWN',
      message:
        "The write may or may not have been applied (Horizon's reply was lost); check before writing again, and send an idempotencyKey to make retries safe",
    });
    expect((error as Error).cause).toBeInstanceOf(HorizonNetworkError);
    expect(spy).not.toHaveBeenCalled();
  });

  test('alwaysSettle takes the snapshot and reads back after a lost reply, once the settle delay has passed', async () => {
    const { state, run, settle } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const spy = jest.fn(settle);
    const attempt = ledger.execute(
      spec({ run, key: undefined, alwaysSettle: true, settledBy: 'VERIFY_ENTITLEMENT', snapshot: async () => ({ total: 0 }), settle: spy }),
    );
    await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs - 1);
    expect(spy).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await expect(attempt).resolves.toEqual({ result: { total: 1 }, settledBy: 'VERIFY_ENTITLEMENT' });
    expect(spy).toHaveBeenCalledWith({ total: 0 });
    expect(state.seen[0]).toEqual({ total: 0 });
  });

  test('alwaysSettle works without a snapshot', async () => {
    const { run } = upstream();
    await expect(ledger.execute(spec({ run, key: undefined, alwaysSettle: true }))).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
  });

  test('alwaysSettle whose read-back fails is unknown, with the read-back failure as cause and no advice to retry with a key it lacks', async () => {
    const { state, run } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const readBackFailure = new HorizonTimeoutError('GET /x', 100);
    const attempt = ledger
      .execute(
        spec({
          run,
          key: undefined,
          alwaysSettle: true,
          settle: async () => {
            throw readBackFailure;
          },
        }),
      )
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs);
    const error = await attempt;
    expect(error).toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN', message: expect.stringContaining('send an idempotencyKey') });
    expect((error as Error).cause).toBe(readBackFailure);
  });
});

describe('an ambiguous failure while writing', () => {
  test('is read back only after settleDelayMs, as the write may still be running upstream', async () => {
    const { state, run, settle } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const spy = jest.fn(settle);
    const attempt = ledger.execute(spec({ run, settle: spy }));
    await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs - 1);
    expect(spy).not.toHaveBeenCalled();
    expect(await isSettled(attempt)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(attempt).resolves.toEqual({ result: { total: 1 }, settledBy: 'READ_BACK' });
    expect(await store.peek()).toMatchObject({ status: 'done', result: { total: 1 } });
  });

  test('without settle it is unknown, advising a retry with the same key, with the reply error as cause', async () => {
    const { state, run } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const error = await ledger.execute(spec({ run })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'WRITE_OUTCOME_UNKNOWN',
      message: "The write may or may not have been applied (Horizon's reply was lost); retry with the same idempotencyKey to settle it",
    });
    expect((error as Error).cause).toBeInstanceOf(HorizonNetworkError);
  });

  test('whose read-back fails is unknown, with the read-back failure as cause', async () => {
    const { state, run } = upstream();
    state.faults.push({ error: lostReply, apply: true });
    const readBackFailure = new Error('read-back failed');
    const attempt = ledger
      .execute(
        spec({
          run,
          settle: async () => {
            throw readBackFailure;
          },
        }),
      )
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs);
    const error = await attempt;
    expect(error).toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN', message: expect.stringContaining('retry with the same idempotencyKey') });
    expect((error as Error).cause).toBe(readBackFailure);
  });

  test('proven not applied, the original error stands and the key is freed, whatever kind of error it was', async () => {
    const nested = () => new IdempotencyError('IDEMPOTENCY_LEDGER_UNAVAILABLE', 'a nested ledger was down');
    for (const error of [lostReply, () => new Error('socket hang up'), nested]) {
      const s = new ScriptedStore();
      const l = new IdempotencyLedger(s, OPTIONS);
      const { state, run, settle } = upstream();
      state.faults.push({ error, apply: false });
      const attempt = l.execute(spec({ run, settle })).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(OPTIONS.settleDelayMs);
      expect(await attempt).toMatchObject({ message: (error() as Error).message });
      expect(await s.peek()).toBeUndefined();
      await expect(l.execute(spec({ run, settle }))).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
      expect(state.applied).toBe(1);
    }
  });

  test.each([
    ['an invalid argument', () => new InvalidArgumentError('userId', 'userId must be a numeric Horizon id')],
    ['a GraphQL error', () => new GraphQLError('bad input')],
    ['a refusal by Graph', badRequest],
    ['an open circuit', () => new HorizonUnavailableError('POST /x', 'circuit_open', 'breaker open')],
  ])('after %s nothing was applied: no read-back, the key is freed', async (_label, error) => {
    const { state, run, settle } = upstream();
    state.faults.push({ error, apply: false });
    const spy = jest.fn(settle);
    await expect(ledger.execute(spec({ run, settle: spy }))).rejects.toMatchObject({ message: (error() as Error).message });
    expect(spy).not.toHaveBeenCalled();
    expect(await store.peek()).toBeUndefined();
  });

  test('a failing snapshot frees the key before anything is sent: the retry writes', async () => {
    const { state, run } = upstream();
    let fail = true;
    const snapshot = async () => {
      if (fail) {
        fail = false;
        throw new Error('snapshot read failed');
      }
      return { total: 0 };
    };
    await expect(ledger.execute(spec({ run, snapshot }))).rejects.toThrow('snapshot read failed');
    expect(state.calls).toBe(0);
    expect(await store.peek()).toBeUndefined();
    await expect(ledger.execute(spec({ run, snapshot }))).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
  });
});

describe('another replica wins the compare-and-set', () => {
  test('when the claim is taken over before the write is recorded, nothing is sent', async () => {
    const { state, run } = upstream();
    store.loseReplace = (_expected, next) => next.status === 'pending' && next.writing === true;
    await expect(ledger.execute(spec({ run }))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
      message: 'Another attempt with this idempotencyKey is running; retry shortly with the same key',
    });
    expect(state.calls).toBe(0);
  });

  test('when an abandoned claim is taken over by another replica first, in the same millisecond, this one neither reads nor writes', async () => {
    const { state, run } = upstream();
    const snapshot = jest.fn(async () => ({ total: 0 }));
    const abandoned: LedgerRecord = { status: 'pending', fingerprint: FINGERPRINT, at: Date.now() - OPTIONS.pendingTtlMs };
    await store.claim(KEY, abandoned, 60_000);
    // The other replica's take-over record is the very record this one would write: only the lost compare-and-set tells them apart.
    store.loseReplace = (expected, next) => {
      if (expected.status !== 'pending' || expected.writing) return false;
      store.loseReplace = undefined;
      void MemoryIdempotencyStore.prototype.replace.call(store, KEY, expected, next, 60_000);
      return true;
    };
    await expect(ledger.execute(spec({ run, snapshot }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    expect(snapshot).not.toHaveBeenCalled();
    expect(state.calls).toBe(0);
    expect(await store.peek()).toEqual({ status: 'pending', fingerprint: FINGERPRINT, at: Date.now() });
  });

  test('when an unknown write read back as not applied is taken over by another replica first, this one does not write', async () => {
    const { state, run, settle } = upstream();
    await store.claim(KEY, { status: 'unknown', fingerprint: FINGERPRINT, at: Date.now() - OPTIONS.settleDelayMs, snapshot: { total: 0 } }, 60_000);
    store.loseReplace = (expected) => expected.status === 'unknown';
    await expect(ledger.execute(spec({ run, settle }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    expect(state.calls).toBe(0);
  });
});

describe('a key found unknown (an earlier reply was lost)', () => {
  const unknownRecord = (at: number, snapshot: unknown = { total: 2 }): LedgerRecord => ({ status: 'unknown', fingerprint: FINGERPRINT, at, snapshot });

  test('read back as not applied: the write runs now, once, and is recorded', async () => {
    const { state, run, settle } = upstream();
    state.applied = 2; // Horizon's total is still the snapshot's: the lost write never landed.
    await store.claim(KEY, unknownRecord(Date.now() - OPTIONS.settleDelayMs), 60_000);
    await expect(ledger.execute(spec({ run, settle }))).resolves.toEqual({ result: { total: 3 }, settledBy: 'REPLY' });
    expect(state.calls).toBe(1);
    expect(state.applied).toBe(3);
    expect(state.seen[0]).toEqual({ total: 2 });
    await expect(ledger.execute(spec({ run, settle }))).resolves.toEqual({ result: { total: 3 }, settledBy: 'REPLAYED' });
  });

  test('read back as applied: its result is recorded and returned, nothing is written', async () => {
    const { state, run, settle } = upstream();
    state.applied = 3;
    await store.claim(KEY, unknownRecord(Date.now() - OPTIONS.settleDelayMs), 60_000);
    await expect(ledger.execute(spec({ run, settle, settledBy: 'VERIFY_ENTITLEMENT' }))).resolves.toEqual({
      result: { total: 3 },
      settledBy: 'VERIFY_ENTITLEMENT',
    });
    expect(state.calls).toBe(0);
    expect(await store.peek()).toEqual({ status: 'done', fingerprint: FINGERPRINT, at: Date.now(), result: { total: 3 } });
  });

  test('is settled at once, without waiting for it as for a running write', async () => {
    const { state, run, settle } = upstream();
    state.applied = 3;
    await store.claim(KEY, unknownRecord(Date.now() - OPTIONS.settleDelayMs), 60_000);
    await expect(ledger.execute(spec({ run, settle }))).resolves.toMatchObject({ settledBy: 'READ_BACK' });
    expect(store.ops()).not.toContain('get');
  });

  test('is read back only once settleDelayMs has passed since the lost write', async () => {
    const { state, run, settle } = upstream();
    state.applied = 3;
    await store.claim(KEY, unknownRecord(Date.now() - 300), 60_000);
    const spy = jest.fn(settle);
    const attempt = ledger.execute(spec({ run, settle: spy }));
    await jest.advanceTimersByTimeAsync(699);
    expect(spy).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await expect(attempt).resolves.toMatchObject({ settledBy: 'READ_BACK' });
  });

  test('without settle it stays unknown, saying it cannot be checked', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, unknownRecord(Date.now() - OPTIONS.settleDelayMs), 60_000);
    await expect(ledger.execute(spec({ run }))).rejects.toMatchObject({
      code: 'WRITE_OUTCOME_UNKNOWN',
      message: 'An earlier attempt with this idempotencyKey may or may not have been applied, and it cannot be checked',
    });
    expect(state.calls).toBe(0);
  });

  test('when the read-back fails, it stays unknown, saying to retry with the same key, with the failure as cause', async () => {
    const { state, run } = upstream();
    const record = unknownRecord(Date.now() - OPTIONS.settleDelayMs);
    await store.claim(KEY, record, 60_000);
    const readBackFailure = new HorizonTimeoutError('GET /x', 100);
    const error = await ledger
      .execute(
        spec({
          run,
          settle: async () => {
            throw readBackFailure;
          },
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'WRITE_OUTCOME_UNKNOWN',
      message: 'An earlier attempt with this idempotencyKey may have been applied and Horizon cannot confirm it now; retry with the same key',
    });
    expect((error as Error).cause).toBe(readBackFailure);
    expect(await store.peek()).toEqual(record);
    expect(state.calls).toBe(0);
  });
});

describe('a key found pending', () => {
  const pendingRecord = (at: number, writing?: boolean): LedgerRecord => ({ status: 'pending', fingerprint: FINGERPRINT, at, ...(writing ? { writing } : {}) });

  test('a duplicate polls while the first attempt runs, and replays its result', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, pendingRecord(Date.now(), true), 60_000);
    const duplicate = ledger.execute(spec({ run }));
    await jest.advanceTimersByTimeAsync(OPTIONS.pollMs);
    await store.replace(
      KEY,
      pendingRecord(Date.now() - OPTIONS.pollMs, true),
      { status: 'done', fingerprint: FINGERPRINT, at: Date.now(), result: { total: 9 } },
      60_000,
    );
    await jest.advanceTimersByTimeAsync(OPTIONS.pollMs);
    await expect(duplicate).resolves.toEqual({ result: { total: 9 }, settledBy: 'REPLAYED' });
    expect(state.calls).toBe(0);
  });

  test('a done record is replayed at once, without polling', async () => {
    const { run } = upstream();
    await store.claim(KEY, { status: 'done', fingerprint: FINGERPRINT, at: Date.now(), result: { total: 5 } }, 60_000);
    await expect(ledger.execute(spec({ run }))).resolves.toEqual({ result: { total: 5 }, settledBy: 'REPLAYED' });
    expect(store.ops()).not.toContain('get');
  });

  test('a duplicate is refused once waitMs has passed, not a poll later, and never runs the write', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, pendingRecord(Date.now(), true), 60_000);
    const duplicate = ledger.execute(spec({ run }));
    const refused = expect(duplicate).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
      message: 'An earlier attempt with this idempotencyKey is still running; retry shortly with the same key',
    });
    await jest.advanceTimersByTimeAsync(OPTIONS.waitMs - 1);
    expect(await isSettled(duplicate)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await isSettled(duplicate)).toBe(true);
    await refused;
    expect(store.ops().filter((op) => op === 'get')).toHaveLength(OPTIONS.waitMs / OPTIONS.pollMs);
    expect(state.calls).toBe(0);
  });

  test('a record that expires while a duplicate waits is claimed afresh and written once', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, pendingRecord(Date.now(), true), 60_000);
    store.onGet = () => {
      store.onGet = undefined;
      void store.remove(KEY, pendingRecord(Date.now() - OPTIONS.pollMs, true));
    };
    const duplicate = ledger.execute(spec({ run }));
    await jest.advanceTimersByTimeAsync(OPTIONS.pollMs);
    await expect(duplicate).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.calls).toBe(1);
  });

  test('a pending record is abandoned exactly pendingTtlMs after it was written: taken over at once, written once', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, pendingRecord(Date.now() - OPTIONS.pendingTtlMs), 60_000);
    await expect(ledger.execute(spec({ run }))).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.calls).toBe(1);
    expect(store.ops()).not.toContain('get');
    const takeOver = store.calls.find((c) => c.op === 'replace')!.record;
    expect(takeOver).toEqual({ status: 'pending', fingerprint: FINGERPRINT, at: Date.now() });
    await expect(ledger.execute(spec({ run }))).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLAYED' });
  });

  test('a pending record younger than pendingTtlMs is still a write in progress: waited for', async () => {
    const { state, run } = upstream();
    await store.claim(KEY, pendingRecord(Date.now() - OPTIONS.pendingTtlMs + 1), 60_000);
    const duplicate = ledger.execute(spec({ run }));
    await jest.advanceTimersByTimeAsync(OPTIONS.pollMs);
    // The next poll finds it abandoned (a millisecond past pendingTtlMs): taken over then.
    await expect(duplicate).resolves.toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(store.ops().filter((op) => op === 'get')).toHaveLength(1);
    expect(state.calls).toBe(1);
  });

  test('a writing record abandoned mid-write is settled by reading back against its snapshot, never written blindly', async () => {
    const { state, run, settle } = upstream();
    state.applied = 2;
    await store.claim(
      KEY,
      { status: 'pending', fingerprint: FINGERPRINT, at: Date.now() - OPTIONS.pendingTtlMs, writing: true, snapshot: { total: 2 } },
      60_000,
    );
    await expect(ledger.execute(spec({ run, settle }))).resolves.toEqual({ result: { total: 3 }, settledBy: 'REPLY' });
    expect(state.seen).toEqual([{ total: 2 }, undefined]);
    expect(state.applied).toBe(3);
  });
});

describe('the store', () => {
  test('unreachable before the write: the caller is told, with the store failure as cause', async () => {
    const { state, run } = upstream();
    const failure = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    store.claim = async () => {
      throw failure;
    };
    const error = await ledger.execute(spec({ run })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE',
      message: 'The idempotency ledger cannot be reached, so the write was not attempted; retry with the same key',
    });
    expect((error as Error).cause).toBe(failure);
    expect(state.calls).toBe(0);
  });

  test("a store's own refusal reaches the caller as the store worded it", async () => {
    const { state, run } = upstream();
    const full = new IdempotencyLedger(new MemoryIdempotencyStore(0), OPTIONS);
    await expect(full.execute(spec({ run }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE', message: expect.stringContaining('REDIS_URL') });
    expect(state.calls).toBe(0);
  });
});

describe('mayHaveApplied', () => {
  test.each<[string, boolean, unknown]>([
    ['a lost reply', true, lostReply()],
    ['a refused connection', false, new HorizonNetworkError('e', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))],
    ['a 500', true, new HorizonApiError('e', 500, { message: 'x', code: 2 })],
    ['a 400', false, badRequest()],
    ['an unreadable reply', true, new HorizonProtocolError('e', 502, 'html')],
    ['a timeout', true, new HorizonTimeoutError('e', 10)],
    ['an open circuit', false, new HorizonUnavailableError('e', 'circuit_open', 'open')],
    ['an invalid argument', false, new InvalidArgumentError('userId', 'bad')],
    ['a GraphQL error', false, new GraphQLError('bad')],
    ['an unknown error', true, new Error('boom')],
    ['an error named GraphQLError', false, Object.assign(new Error('x'), { name: 'GraphQLError' })],
    ['something thrown that is not an Error', true, 'boom'],
    ['an object named GraphQLError that is not an Error', true, { name: 'GraphQLError' }],
  ])('%s: %s', (_label, expected, error) => {
    expect(mayHaveApplied(error)).toBe(expected);
  });
});

describe('fingerprints', () => {
  test('are stable across versions: a record written before a deploy still matches its retry after it', () => {
    // Records live 24 h in a shared store; a changed encoding would refuse every retry across a deploy as IDEMPOTENCY_KEY_REUSED.
    expect(fingerprintOf('addCount', { user: '1', n: 5, tags: ['a', 'b'], nested: { z: null, a: true } })).toBe(
      fingerprintOf('addCount', { nested: { a: true, z: null }, tags: ['a', 'b'], n: 5, user: '1' }),
    );
    expect(fingerprintOf('addCount', { user: '1', n: 5, tags: ['a', 'b'], nested: { z: null, a: true } })).toBe('ncaVCLZAihLmWr4bFIKBHenUZSDkFaOJoSiXrpPNfzU');
  });

  test('ignore the order of keys, however many', () => {
    const entries = ['delta', 'alpha', 'echo', 'charlie', 'bravo', 'foxtrot', 'golf'].map((k, i) => [k, i] as const);
    const expected = fingerprintOf('s', Object.fromEntries(entries));
    for (let shift = 1; shift < entries.length; shift++) {
      const rotated = [...entries.slice(shift), ...entries.slice(0, shift)];
      expect(fingerprintOf('s', Object.fromEntries(rotated))).toBe(expected);
      expect(fingerprintOf('s', Object.fromEntries([...rotated].reverse()))).toBe(expected);
    }
  });

  test('tell apart what differs, and treat an absent argument as undefined', () => {
    const distinct = [
      fingerprintOf('a', { x: 1 }),
      fingerprintOf('b', { x: 1 }),
      fingerprintOf('a', { x: 2 }),
      fingerprintOf('a', { x: 1, y: null }),
      fingerprintOf('a', ['x', 1]),
      fingerprintOf('a', { 0: 'x', 1: 1 }),
      fingerprintOf('a1', 2),
      fingerprintOf('a', 12),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    expect(fingerprintOf('a', { x: 1, y: undefined })).toBe(fingerprintOf('a', { x: 1 }));
    expect(fingerprintOf('a', undefined)).toBe(fingerprintOf('a', null));
  });
});
