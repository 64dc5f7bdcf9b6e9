/**
 * The idempotency ledger's contract, against the in-memory store and (when reachable) the
 * Redis store: a key's write runs once, whatever the retries, duplicates and lost replies.
 */
import { HorizonApiError, HorizonNetworkError } from '../../src/horizon/errors.js';
import { IdempotencyError, IdempotencyLedger, type WriteSpec } from '../../src/idempotency/ledger.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from '../../src/idempotency/store.js';
import { describeWithRedis, redisTestUrl } from '../helpers/redis.js';

const lostReply = () => new HorizonNetworkError('POST /x', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
const refused = () => new HorizonApiError('POST /x', 400, { message: 'bad', code: 100 });

/** A fake upstream counter: `applied` is what Horizon actually did. */
function upstream() {
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

const stores: Array<[string, jest.Describe, () => Promise<IdempotencyStore>]> = [
  ['memory', describe, async () => new MemoryIdempotencyStore()],
  [
    'redis',
    describeWithRedis,
    async () => {
      const store = new RedisIdempotencyStore(redisTestUrl(), `test-ledger-${process.pid}-${Date.now()}-${Math.random()}:`);
      await store.connect();
      return store;
    },
  ],
];

for (const [kind, describeIt, makeStore] of stores)
  describeIt(`ledger on the ${kind} store`, () => {
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

    const spec = (
      run: () => Promise<{ total: number }>,
      extra: Partial<WriteSpec<unknown, { total: number }>> = {},
    ): WriteSpec<unknown, { total: number }> => ({
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

    t('without a key the write simply runs', async () => {
      const { state, run } = upstream();
      await ledger.execute(spec(run, { key: undefined }));
      await ledger.execute(spec(run, { key: undefined }));
      expect(state.applied).toBe(2);
    });
  });
