/**
 * Whether the local Redis can be used by tests. `test/globalSetup.ts` probes it once and
 * sets REDIS_TEST_AVAILABLE; tests that need it use `describeWithRedis`, which jest reports as
 * skipped (with the reason printed at start-up) when Redis is unreachable. Under
 * `REQUIRE_REDIS=1` (set by `.ci/run`) an unreachable Redis fails the run instead.
 */
export function redisTestUrl(): string {
  return process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
}

export const describeWithRedis: jest.Describe = process.env.REDIS_TEST_AVAILABLE === '1' ? describe : describe.skip;
