/**
 * Runs once before all test files: decides whether the Redis-backed tests can run here.
 * Self-contained (no project imports): jest loads it outside the test module mapper.
 */
import { createConnection } from 'node:net';

export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
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
