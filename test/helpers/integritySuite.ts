/**
 * The attestation store's contract (a nonce is issued once and consumed once; ban notes by
 * device id and by ban id), for any store: test/unit/integrity-store.test.ts runs it on memory
 * and the local Redis, test/redis/topologies.test.ts on every Redis topology.
 */
import type { BanNote, IntegrityStore } from '../../src/store/integrity.js';

export const record = (userId = '1001', now = Date.now()) => ({ userId, issuedAt: now, expiresAt: now + 60_000 });
export const note = (deviceId: string, banId: string): BanNote => ({
  deviceId,
  banId,
  reason: 'cheating',
  bannedAt: Date.now(),
  until: Date.now() + 3_600_000,
});

export function contract(name: string, open: () => IntegrityStore) {
  describe(name, () => {
    test('a nonce is issued once and consumed once', async () => {
      const store = open();
      const nonce = `n-${Math.random()}`;
      expect(await store.issueNonce(nonce, record('42'), 60_000)).toBe(true);
      expect(await store.issueNonce(nonce, record('43'), 60_000)).toBe(false);
      expect(await store.consumeNonce(nonce)).toEqual({ record: expect.objectContaining({ userId: '42' }), alreadyUsed: false });
      expect(await store.consumeNonce(nonce)).toEqual({ record: expect.objectContaining({ userId: '42' }), alreadyUsed: true });
      expect(await store.consumeNonce(`${nonce}-other`)).toBeUndefined();
    });

    test('of many concurrent consumptions exactly one finds the nonce unused', async () => {
      const store = open();
      const nonce = `c-${Math.random()}`;
      await store.issueNonce(nonce, record(), 60_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consumeNonce(nonce)));
      expect(results.filter((r) => r && !r.alreadyUsed)).toHaveLength(1);
      expect(results.filter((r) => r?.alreadyUsed)).toHaveLength(19);
    });

    test('ban notes by device id and by ban id, until removed', async () => {
      const store = open();
      const n = note(`dev-${Math.random()}`, `ban-${Math.random()}`);
      await store.putBanNote(n);
      expect(await store.banNote({ deviceId: n.deviceId })).toEqual(n);
      expect(await store.banNote({ banId: n.banId })).toEqual(n);
      await store.removeBanNote(n);
      expect(await store.banNote({ deviceId: n.deviceId })).toBeUndefined();
      expect(await store.banNote({ banId: n.banId })).toBeUndefined();
    });
  });
}
