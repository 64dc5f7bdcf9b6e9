/**
 * The idempotency ledger's contract against one store: a key's write runs once, whatever the
 * retries, duplicates and lost replies. Run by test/unit/ledger.test.ts (memory, local Redis)
 * and test/redis/topologies.test.ts (Redis single node, Cluster, Sentinel). Call inside a describe.
 */
import { HorizonApiError, HorizonNetworkError } from '../../src/horizon/errors.js';
import { IdempotencyError } from '../../src/idempotency/errors.js';
import { fingerprintOf, IdempotencyLedger, type WriteSpec } from '../../src/idempotency/ledger.js';
import type { IdempotencyStore } from '../../src/idempotency/store.js';

const lostReply = () => new HorizonNetworkError('POST /x', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
const refused = () => new HorizonApiError('POST /x', 400, { message: 'bad', code: 100 });

/** A fake upstream counter: `applied` is what Horizon actually did. */
export function upstream() {
  const state = { applied: 0, calls: 0, failNext: [] as Array<{ error: () => Error; apply: boolean }> };
  const run = async () => {
    state.calls++;
    const fault = state.failNext.shift();
    if (fault?.apply) state.applied++;
    if (fault) throw fault.error();
    state.applied++;
    return { total: state.applied };
  };
  return { state, run };
}

export function ledgerStoreSuite(makeStore: () => Promise<IdempotencyStore>): void {
  let store: IdempotencyStore;
  let ledger: IdempotencyLedger;
  beforeEach(async () => {
    store = await makeStore();
    ledger = new IdempotencyLedger(store, { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 1_000, pollMs: 5, settleDelayMs: 0 });
  });
  afterEach(async () => {
    await store.close();
  });
  const t = test;

  const spec = (run: () => Promise<{ total: number }>, extra: Partial<WriteSpec<unknown, { total: number }>> = {}): WriteSpec<unknown, { total: number }> => ({
    scope: 'addCount',
    key: 'key-1',
    args: { user: '1', n: 5 },
    run,
    ...extra,
  });

  t('the same key and arguments replay the first result without running again', async () => {
    const { state, run } = upstream();
    expect(await ledger.execute(spec(run))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(await ledger.execute(spec(run))).toEqual({ result: { total: 1 }, settledBy: 'REPLAYED' });
    expect(state.calls).toBe(1);
  });

  t('the same key with other arguments (or another mutation) is refused', async () => {
    const { run } = upstream();
    await ledger.execute(spec(run));
    await expect(ledger.execute(spec(run, { args: { user: '1', n: 6 } }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(ledger.execute(spec(run, { scope: 'addBits' }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  t('argument order does not change the fingerprint', async () => {
    const { state, run } = upstream();
    await ledger.execute(spec(run, { args: { a: 1, b: 2 } }));
    await ledger.execute(spec(run, { args: { b: 2, a: 1 } }));
    expect(state.calls).toBe(1);
  });

  t('a duplicate arriving while the first runs waits for its result; the write runs once', async () => {
    let release!: () => void;
    let calls = 0;
    const slow = async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return { total: 1 };
    };
    const first = ledger.execute(spec(slow));
    await new Promise((r) => setTimeout(r, 20));
    const second = ledger.execute(spec(slow));
    setTimeout(() => release(), 30);
    expect(await Promise.all([first, second])).toEqual([
      { result: { total: 1 }, settledBy: 'REPLY' },
      { result: { total: 1 }, settledBy: 'REPLAYED' },
    ]);
    expect(calls).toBe(1);
  });

  t('a duplicate that waits too long is refused clearly, never run', async () => {
    let calls = 0;
    const stuck = () => {
      calls++;
      return new Promise<{ total: number }>(() => undefined);
    };
    void ledger.execute(spec(stuck));
    await new Promise((r) => setTimeout(r, 10));
    const quick = new IdempotencyLedger(store, { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 50, pollMs: 5, settleDelayMs: 0 });
    await expect(quick.execute(spec(stuck))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    expect(calls).toBe(1);
  });

  t('a failure that proves nothing was applied frees the key: the retry runs the write', async () => {
    const { state, run } = upstream();
    state.failNext.push({ error: refused, apply: false });
    await expect(ledger.execute(spec(run))).rejects.toBeInstanceOf(HorizonApiError);
    expect(await ledger.execute(spec(run))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.applied).toBe(1);
  });

  t('a lost reply is settled by reading back: applied, so retries replay', async () => {
    const { state, run } = upstream();
    state.failNext.push({ error: lostReply, apply: true });
    const settle = async () => (state.applied > 0 ? { applied: true as const, result: { total: state.applied } } : { applied: false as const });
    expect(await ledger.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'READ_BACK' });
    expect(await ledger.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'REPLAYED' });
    expect(state.calls).toBe(1);
  });

  t('a lost reply proven not applied frees the key; the retry writes once', async () => {
    const { state, run } = upstream();
    state.failNext.push({ error: lostReply, apply: false });
    const settle = async () => (state.applied > 0 ? { applied: true as const, result: { total: state.applied } } : { applied: false as const });
    await expect(ledger.execute(spec(run, { settle }))).rejects.toBeInstanceOf(HorizonNetworkError);
    expect(await ledger.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.applied).toBe(1);
  });

  t('when the read-back fails too, the key stays unknown and the next retry settles it first', async () => {
    const { state, run } = upstream();
    state.failNext.push({ error: lostReply, apply: true });
    let readable = false;
    const settle = async () => {
      if (!readable) throw lostReply();
      return state.applied > 0 ? { applied: true as const, result: { total: state.applied } } : { applied: false as const };
    };
    await expect(ledger.execute(spec(run, { settle }))).rejects.toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN' });
    await expect(ledger.execute(spec(run, { settle }))).rejects.toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN' });
    readable = true;
    expect(await ledger.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'READ_BACK' });
    expect(state.calls).toBe(1);
    expect(state.applied).toBe(1);
  });

  t('without a settle, a lost reply leaves the outcome unknown and nothing is resent', async () => {
    const { state, run } = upstream();
    state.failNext.push({ error: lostReply, apply: true });
    await expect(ledger.execute(spec(run))).rejects.toBeInstanceOf(IdempotencyError);
    await expect(ledger.execute(spec(run))).rejects.toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN' });
    expect(state.calls).toBe(1);
  });

  t('malformed keys are refused before anything runs', async () => {
    const { state, run } = upstream();
    await expect(ledger.execute(spec(run, { key: 'has spaces' }))).rejects.toMatchObject({ argument: 'idempotencyKey' });
    await expect(ledger.execute(spec(run, { key: 'x'.repeat(129) }))).rejects.toMatchObject({ argument: 'idempotencyKey' });
    expect(state.calls).toBe(0);
  });

  /** The store, failing its next `replace` whose new record is `done`. */
  function failingDoneRecord(): IdempotencyStore {
    let fail = true;
    return {
      claim: (...a) => store.claim(...a),
      get: (...a) => store.get(...a),
      remove: (...a) => store.remove(...a),
      close: async () => undefined,
      replace: async (key, expected, next, ttl) => {
        if (fail && next.status === 'done') {
          fail = false;
          throw new Error('redis: connection lost');
        }
        return store.replace(key, expected, next, ttl);
      },
    };
  }

  t('a write whose outcome could not be recorded is answered, and a later retry settles it by reading back, never writing twice', async () => {
    const { state, run } = upstream();
    const settle = async () => (state.applied > 0 ? { applied: true as const, result: { total: state.applied } } : { applied: false as const });
    const flaky = new IdempotencyLedger(failingDoneRecord(), { ttlMs: 60_000, pendingTtlMs: 40, waitMs: 1_000, pollMs: 5, settleDelayMs: 0 });
    expect(await flaky.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    // Within pendingTtlMs the record still looks like a write in progress: a retry waits, then is told so.
    const impatient = new IdempotencyLedger(store, { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 20, pollMs: 5, settleDelayMs: 0 });
    await expect(impatient.execute(spec(run, { settle }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    await new Promise((r) => setTimeout(r, 60));
    expect(await flaky.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'READ_BACK' });
    expect(await flaky.execute(spec(run, { settle }))).toEqual({ result: { total: 1 }, settledBy: 'REPLAYED' });
    expect(state.calls).toBe(1);
    expect(state.applied).toBe(1);
  });

  t('when the store refuses the record that the write is being sent (too few replicas), nothing is sent and the key is freed', async () => {
    const { state, run } = upstream();
    let refuse = true;
    const shortOfReplicas: IdempotencyStore = {
      claim: (...a) => store.claim(...a),
      get: (...a) => store.get(...a),
      remove: (...a) => store.remove(...a),
      close: async () => undefined,
      replace: async (key, expected, next, ttl) => {
        const replaced = await store.replace(key, expected, next, ttl);
        if (refuse && next.status === 'pending' && next.writing) {
          refuse = false;
          throw new Error('the ledger record reached 0 of 1 replicas within 500 ms (REDIS_WAIT_REPLICAS)');
        }
        return replaced;
      },
    };
    const waiting = new IdempotencyLedger(shortOfReplicas, { ttlMs: 60_000, pendingTtlMs: 5_000, waitMs: 50, pollMs: 5, settleDelayMs: 0 });
    await expect(waiting.execute(spec(run))).rejects.toMatchObject({ code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE' });
    expect(state.calls).toBe(0);
    expect(await store.get('key-1')).toBeUndefined();
    expect(await waiting.execute(spec(run))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.applied).toBe(1);
  });

  t('an attempt abandoned before it could send the write is taken over by the retry, which writes once', async () => {
    const { state, run } = upstream();
    // A replica claimed the key and died before its snapshot, i.e. before sending anything.
    await store.claim('key-1', { status: 'pending', fingerprint: fingerprintOf('addCount', { user: '1', n: 5 }), at: Date.now() - 10_000 }, 60_000);
    expect(await ledger.execute(spec(run))).toEqual({ result: { total: 1 }, settledBy: 'REPLY' });
    expect(state.applied).toBe(1);
  });

  t('an attempt abandoned mid-write is settled by reading back against its snapshot', async () => {
    const { state, run } = upstream();
    state.applied = 3; // what the abandoned attempt did: it landed (before: 2)
    await store.claim(
      'key-1',
      { status: 'pending', fingerprint: fingerprintOf('addCount', { user: '1', n: 5 }), at: Date.now() - 10_000, writing: true, snapshot: { total: 2 } },
      60_000,
    );
    const seen: unknown[] = [];
    const settle = async (before: unknown) => {
      seen.push(before);
      return state.applied > (before as { total: number }).total ? { applied: true as const, result: { total: state.applied } } : { applied: false as const };
    };
    expect(await ledger.execute(spec(run, { settle }))).toEqual({ result: { total: 3 }, settledBy: 'READ_BACK' });
    expect(seen).toEqual([{ total: 2 }]);
    expect(state.calls).toBe(0);
  });

  t('when the store cannot be reached, the write is not attempted and the caller is told so', async () => {
    const { state, run } = upstream();
    const down: IdempotencyStore = {
      claim: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      get: async () => undefined,
      replace: async () => false,
      remove: async () => undefined,
      close: async () => undefined,
    };
    await expect(new IdempotencyLedger(down).execute(spec(run))).rejects.toMatchObject({ code: 'IDEMPOTENCY_LEDGER_UNAVAILABLE' });
    expect(state.calls).toBe(0);
  });

  t('without a key the write simply runs', async () => {
    const { state, run } = upstream();
    await ledger.execute(spec(run, { key: undefined }));
    await ledger.execute(spec(run, { key: undefined }));
    expect(state.applied).toBe(2);
  });
}
