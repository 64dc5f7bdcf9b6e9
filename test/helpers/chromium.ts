/**
 * Whether a real browser can be used by tests. `test/globalSetup.ts` probes Debian's chromium
 * once and sets CHROMIUM_TEST_AVAILABLE; tests that need it use `describeWithChromium`, which
 * jest reports as skipped (with the reason printed at start-up) when chromium is missing.
 * Under `REQUIRE_CHROMIUM=1` (set by `.ci/run`) a missing chromium fails the run instead.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export const describeWithChromium: jest.Describe = process.env.CHROMIUM_TEST_AVAILABLE === '1' ? describe : describe.skip;
