/**
 * A write's `{"success":...}` answer is read alike by every API area: `true` and `"true"` are
 * success (docs/horizon-api.md: be liberal in what the client accepts), anything else is not.
 * Purchases, subscriptions and accounts always did; achievements, leaderboards and rooms read
 * only a JSON `true` until they took the same `isSuccess`.
 */
import { AchievementsApi } from '../../src/horizon/achievements.js';
import { LeaderboardsApi } from '../../src/horizon/leaderboards.js';
import type { HorizonRequest, RequestSender } from '../../src/horizon/request.js';
import { RoomsApi } from '../../src/horizon/rooms.js';

/** A sender that answers every request with `body`, and keeps what was asked. */
function answering(body: unknown): RequestSender & { sent: HorizonRequest[] } {
  const sent: HorizonRequest[] = [];
  return {
    appId: '1234',
    sent,
    request: async <T>(req: HorizonRequest) => {
      sent.push(req);
      return body as T;
    },
  } as unknown as RequestSender & { sent: HorizonRequest[] };
}

const WRITES: Array<[string, (sender: RequestSender) => Promise<boolean>]> = [
  ['achievements.removeAll', (s) => new AchievementsApi(s).removeAll('1001')],
  ['leaderboards.delete', (s) => new LeaderboardsApi(s).delete('2001')],
  ['leaderboards.deleteEntry', (s) => new LeaderboardsApi(s).deleteEntry('3001')],
  ['leaderboards.removeAllEntries', (s) => new LeaderboardsApi(s).removeAllEntries('weekly')],
  ['rooms.updateDataStore', (s) => new RoomsApi(s).updateDataStore('4001', [{ key: 'k', value: 'v' }])],
  ['rooms.delete', (s) => new RoomsApi(s).delete('4001')],
];

describe.each(WRITES)('%s', (_name, write) => {
  test.each([true, 'true'])('success %p is success', async (success) => {
    const sender = answering({ success });
    await expect(write(sender)).resolves.toBe(true);
    expect(sender.sent).toHaveLength(1);
  });

  test.each([false, 'false', 1, '1', null, undefined])('success %p is not', async (success) => {
    await expect(write(answering({ success }))).resolves.toBe(false);
  });
});
