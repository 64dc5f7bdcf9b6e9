/** The admission gate: operations start only while Horizon can take their calls, first come first served. */
import { AdmissionGate, CpuGovernor } from '../../src/http/admission.js';
import { Cancellation } from '../../src/horizon/signal.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function gate(maxQueuedCalls: number, maxStarting = 100) {
  const upstream = { queued: 0 };
  return { upstream, gate: new AdmissionGate(() => upstream.queued, { maxQueuedCalls, maxStarting }) };
}

test('admits at once while the upstream queue is within bounds', async () => {
  const { gate: g } = gate(10);
  const ticket = await g.admit(new Cancellation());
  ticket.firstCall();
  ticket.done();
  expect(g.queued).toBe(0);
});

test('while too many calls wait upstream, operations wait, and are let in in arrival order as the queue drains', async () => {
  const { upstream, gate: g } = gate(10);
  upstream.queued = 50;
  const order: number[] = [];
  const pending = [1, 2, 3].map((n) => g.admit(new Cancellation()).then((t) => (order.push(n), t)));
  await tick();
  expect(order).toEqual([]);
  expect(g.queued).toBe(3);
  upstream.queued = 10;
  g.poke();
  const tickets = await Promise.all(pending);
  expect(order).toEqual([1, 2, 3]);
  tickets.forEach((t) => t.done());
});

test('a newcomer does not overtake operations already waiting', async () => {
  const { upstream, gate: g } = gate(0, 1);
  const first = await g.admit(new Cancellation());
  upstream.queued = 0;
  const order: string[] = [];
  const second = g.admit(new Cancellation()).then((t) => (order.push('second'), t));
  const third = g.admit(new Cancellation()).then((t) => (order.push('third'), t));
  first.firstCall(); // frees the one starting slot: second goes, third still waits for it
  (await second).firstCall();
  (await third).done();
  expect(order).toEqual(['second', 'third']);
});

test('at most maxStarting operations are admitted before they make their first upstream call', async () => {
  const { gate: g } = gate(1_000, 2);
  const a = await g.admit(new Cancellation());
  const b = await g.admit(new Cancellation());
  let cAdmitted = false;
  const c = g.admit(new Cancellation()).then((t) => ((cAdmitted = true), t));
  await tick();
  expect(cAdmitted).toBe(false);
  a.firstCall();
  a.firstCall(); // only the first report counts
  (await c).done();
  expect(cAdmitted).toBe(true);
  b.done();
});

test('an operation whose caller leaves while waiting is removed and rejected with the reason', async () => {
  const { upstream, gate: g } = gate(0);
  upstream.queued = 5;
  const leaving = new Cancellation();
  const pending = g.admit(leaving);
  leaving.abort(new Error('client gone'));
  await expect(pending).rejects.toThrow('client gone');
  expect(g.queued).toBe(0);
  const already = new Cancellation();
  already.abort(new Error('gone before'));
  await expect(g.admit(already)).rejects.toThrow('gone before');
});

describe('CpuGovernor', () => {
  test('sets no cap while the event loop has room', () => {
    const governor = new CpuGovernor();
    for (const u of [0.1, 0.5, 0.9, 0.94]) governor.update(u, 40, 10);
    expect(governor.limit).toBe(Infinity);
  });

  test('a loop saturated by something else than operations (start-up, 2 or fewer running) sets no cap', () => {
    const governor = new CpuGovernor();
    for (const running of [0, 1, 2]) governor.update(1, running, 5);
    expect(governor.limit).toBe(Infinity);
  });

  test('while the loop stays saturated, the cap falls to 90% of what runs, down to 2', () => {
    const governor = new CpuGovernor();
    governor.update(0.99, 40, 20);
    expect(governor.limit).toBe(36);
    governor.update(1, 36, 24);
    expect(governor.limit).toBe(32);
    for (let i = 0; i < 50; i++) governor.update(1, governor.limit, 60);
    expect(governor.limit).toBe(2);
  });

  test('holds between the thresholds, rises by 10% once there is room, and goes once nobody waits', () => {
    const governor = new CpuGovernor();
    governor.update(1, 20, 30);
    expect(governor.limit).toBe(18);
    governor.update(0.9, 18, 30);
    expect(governor.limit).toBe(18);
    governor.update(0.5, 18, 30);
    expect(governor.limit).toBe(21);
    governor.update(0.5, 5, 0);
    expect(governor.limit).toBe(Infinity);
  });
});

test('a saturated event loop caps the operations running at once; room again lets the waiting in, in order', async () => {
  const { gate: g } = gate(1_000);
  const running = await Promise.all([1, 2, 3, 4].map(() => g.admit(new Cancellation())));
  running.forEach((t) => t.firstCall());
  g.observeUtilization(1);
  expect(g.cpuLimit).toBe(3);
  const order: number[] = [];
  const waiting = [5, 6].map((n) => g.admit(new Cancellation()).then((t) => (order.push(n), t)));
  await tick();
  expect(order).toEqual([]);
  running[0]!.done();
  running[1]!.done(); // 2 running, below the cap of 3: the first waiter goes
  await tick();
  expect(order).toEqual([5]);
  g.observeUtilization(0.2); // room: the cap rises and the next goes
  await tick();
  expect(order).toEqual([5, 6]);
  (await Promise.all(waiting)).forEach((t) => t.done());
  running.slice(2).forEach((t) => t.done());
  expect(g.active).toBe(0);
});
