/** The shutdown sequence's decisions, without a process: exit codes, the hard limit, a second Ctrl-C. */
import { installShutdown } from '../../src/observability/shutdown.js';
import { captureLogs } from './helpers.js';

function setup(stop: () => Promise<void>, graceMs = 50) {
  const exits: number[] = [];
  const logs = captureLogs();
  let stopping = 0;
  const { shutdown } = installShutdown({
    logger: logs.logger,
    graceMs,
    closeMarginMs: 50,
    stop: () => {
      stopping++;
      return stop();
    },
    exit: (code) => void exits.push(code),
    signals: [],
  });
  return { shutdown, exits, logs, stopping: () => stopping };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('stops once, then exits 0; a repeated SIGTERM is ignored', async () => {
  let calls = 0;
  const s = setup(async () => {
    calls++;
    await tick(20);
  });
  s.shutdown('SIGTERM');
  s.shutdown('SIGTERM');
  await tick(60);
  expect({ calls, stopping: s.stopping(), exits: s.exits }).toEqual({ calls: 1, stopping: 1, exits: [0] });
  expect(s.logs.lines.map((l) => l.msg)).toEqual(['stopping: refusing new connections, finishing operations in flight', 'stopped']);
});

test('a failing stop exits 1; a hanging one exits 1 after the grace period and the margin', async () => {
  const failing = setup(() => Promise.reject(new Error('redis went away')));
  failing.shutdown('SIGTERM');
  await tick(10);
  expect(failing.exits).toEqual([1]);
  expect(failing.logs.lines.at(-1)).toMatchObject({ msg: 'shutdown failed', err: { message: 'redis went away' } });

  const hanging = setup(() => new Promise(() => undefined), 50);
  hanging.shutdown('SIGTERM');
  await tick(60);
  expect(hanging.exits).toEqual([]);
  await tick(80);
  expect(hanging.exits).toEqual([1]);
});

test('a second Ctrl-C exits at once with 130', async () => {
  const s = setup(() => new Promise(() => undefined), 10_000);
  s.shutdown('SIGINT');
  s.shutdown('SIGINT');
  expect(s.exits).toEqual([130]);
});
