/** The admission gate: operations start only while Horizon can take their calls, first come first served. */
import { AdmissionGate } from '../../src/admission.js';
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
