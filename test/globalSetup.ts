/**
 * Runs once before all test files: decides whether the Redis-backed tests and the browser
 * tests can run here.
 * Self-contained (no project imports): jest loads it outside the test module mapper.
 */
import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';

export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  await setupChromium();
  const url = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
  const reason = await probeRedis(url);
  if (!reason) {
    process.env.REDIS_TEST_AVAILABLE = '1';
    return;
  }
  if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${url} is unusable: ${reason}`);
  process.env.REDIS_TEST_AVAILABLE = '0';
  console.warn(`\nRedis tests SKIPPED: Redis at ${url} is unusable (${reason}). Set REDIS_TEST_URL, or start redis-server.\n`);
}

/** Sends PING over a raw socket; resolves with why Redis is unusable, or '' when it answered PONG. */
function probeRedis(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (reason: string) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1_000, () => done(`no answer from ${hostname}:${port} within 1 s`));
    socket.once('error', (error) => done(error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? '' : `unexpected reply ${JSON.stringify(data.toString().slice(0, 40))}`));
  });
}

/**
 * Whether the browser tests (test/e2e/graphiql.test.ts) can run: Debian's chromium at
 * CHROMIUM_PATH (default /usr/bin/chromium) must start. Sets CHROMIUM_TEST_AVAILABLE for
 * test/helpers/chromium.ts; under REQUIRE_CHROMIUM=1 (set by `.ci/run`) a missing one fails the run.
 */
async function setupChromium(): Promise<void> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const reason = await probeChromium(path);
  if (!reason) {
    process.env.CHROMIUM_TEST_AVAILABLE = '1';
    return;
  }
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(`REQUIRE_CHROMIUM=1 but chromium at ${path} is unusable: ${reason}`);
  process.env.CHROMIUM_TEST_AVAILABLE = '0';
  console.warn(`\nBrowser tests SKIPPED: chromium at ${path} is unusable (${reason}). Install it (apt-get install chromium) or set CHROMIUM_PATH.\n`);
}

/** Runs `chromium --version`; resolves with why it is unusable, or '' when it answered. */
function probeChromium(path: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 15_000 }, (error, stdout) => {
      if (error) resolve((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : error.message.split('\n')[0]!);
      else resolve(/chrom/i.test(stdout) ? '' : `unexpected --version output ${JSON.stringify(stdout.slice(0, 60))}`);
    });
  });
}
