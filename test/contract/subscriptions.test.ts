/** The subscriptions client (docs/horizon-api.md) against a real emulator over loopback HTTP. */
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import type { Subscription } from '../../src/horizon/subscriptions.js';
import { clientFor, ROUTES } from '../helpers/harness.js';
import { apiError, closeWorld, graphCall, openWorld } from '../helpers/contract.js';

const ACTIVE = demoUserId(0); // renewing monthly
const CANCELLED = demoUserId(1); // cancelled annual, active until period end
const TRIAL = demoUserId(2); // in a free trial
const EXPIRED = demoUserId(3);
const NONE = demoUserId(5);
const DAY_MS = 86_400_000;
const GRAPH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/;

let emulator: RunningEmulator;
let client: HorizonClient;
beforeEach(async () => ({ emulator, client } = await openWorld()));
afterEach(() => closeWorld({ emulator, client }));

const one = async (ownerId: string): Promise<Subscription> => {
  const list = await client.subscriptions.list({ ownerId });
  expect(list).toHaveLength(1);
  return list[0]!;
};

describe('list', () => {
  test('every field, with the ISO +0000 times read as the same instants', async () => {
    const wire = await graphCall(emulator, 'GET', '/application/subscriptions', {
      owner_id: ACTIVE,
      fields:
        'id,sku,owner{id},period_start_time,period_end_time,next_renewal_time,cancellation_time,is_active,is_trial,trial_type,current_price_term{price,term,currency},next_price_term',
    });
    const node = wire.body.data[0];
    expect(node.period_start_time).toMatch(GRAPH_TIME);
    expect(node.period_end_time).toMatch(GRAPH_TIME);
    expect(node).not.toHaveProperty('cancellation_time');
    expect(node.next_price_term).toEqual({ price: '4.99', term: 'MONTHLY', currency: 'USD' });

    const subscription = await one(ACTIVE);
    const instant = (graph: string) => new Date(graph.replace(/\+0000$/, 'Z'));
    expect(subscription).toEqual<Subscription>({
      id: node.id,
      sku: 'vip_pass',
      ownerId: ACTIVE,
      periodStart: instant(node.period_start_time),
      periodEnd: instant(node.period_end_time),
      nextRenewal: instant(node.next_renewal_time),
      cancelledAt: null,
      isActive: true,
      isTrial: false,
      trialType: null,
      currentPriceTerm: { price: '4.99', term: 'MONTHLY', currency: 'USD' },
      nextPriceTerm: { price: '4.99', term: 'MONTHLY', currency: 'USD' },
    });
    expect(subscription.periodEnd!.getTime()).toBeGreaterThan(Date.now());
  });

  test('without fields: sku, owner{id} and is_active only', async () => {
    const wire = await graphCall(emulator, 'GET', '/application/subscriptions', { owner_id: ACTIVE });
    expect(wire.body.data).toEqual([{ sku: 'vip_pass', owner: { id: ACTIVE }, is_active: true }]);
  });

  test('a cancelled subscription stays active until period end, with no renewal', async () => {
    const subscription = await one(CANCELLED);
    expect(subscription).toMatchObject({ isActive: true, nextRenewal: null, currentPriceTerm: { term: 'ANNUAL', price: '49.99' } });
    expect(subscription.cancelledAt!.getTime()).toBeLessThan(Date.now());
  });

  test('a trial: free, with no term, and the trial type', async () => {
    expect(await one(TRIAL)).toMatchObject({
      isTrial: true,
      trialType: 'FREE_TRIAL',
      currentPriceTerm: { price: '0.00', term: null, currency: 'USD' },
      nextPriceTerm: { term: 'MONTHLY' },
    });
  });

  test('filters: is_active, is_trial, skus (CSV); the app token alone lists every user', async () => {
    const owners = (list: Subscription[]) => list.map((s) => s.ownerId).sort();
    expect(owners(await client.subscriptions.list())).toEqual([ACTIVE, CANCELLED, TRIAL, EXPIRED].sort());
    expect(owners(await client.subscriptions.list({ active: true }))).toEqual([ACTIVE, CANCELLED, TRIAL].sort());
    expect(owners(await client.subscriptions.list({ active: false }))).toEqual([EXPIRED]);
    expect(owners(await client.subscriptions.list({ trial: true }))).toEqual([TRIAL]);
    expect(await client.subscriptions.list({ skus: ['vip_pass', 'gold_pass'] })).toHaveLength(4);
    expect(await client.subscriptions.list({ skus: ['gold_pass'] })).toEqual([]);
    expect(await client.subscriptions.list({ ownerId: NONE })).toEqual([]);
    const wire = await graphCall(emulator, 'GET', '/application/subscriptions', { skus: 'gold_pass, vip_pass', is_active: 'false' });
    expect(wire.body.data).toEqual([{ sku: 'vip_pass', owner: { id: EXPIRED }, is_active: false }]);
  });

  test("a user token lists only the token's own subscriptions", async () => {
    const mine = await client.subscriptions.list({ userToken: demoUserToken(1) });
    expect(mine.map((s) => s.ownerId)).toEqual([CANCELLED]);
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.subscriptions, token: 'user', status: 200 })]);
  });

  test('owner_id with a user token is refused upstream (code 100), and by the client before sending', async () => {
    const wire = await graphCall(emulator, 'GET', '/application/subscriptions', { owner_id: CANCELLED }, demoUserToken(1));
    expect(wire.status).toBe(400);
    expect(wire.body.error).toMatchObject({ code: 100, message: expect.stringContaining('owner_id') });
    emulator.clearRequests();
    await expect(client.subscriptions.list({ ownerId: CANCELLED, userToken: demoUserToken(1) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.subscriptions.list({ skus: ['bad sku'] })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await client.subscriptions.list({ skus: [] })).toEqual([]);
    expect(emulator.requests).toHaveLength(0);
  });

  test('an unknown owner is code 100', async () => {
    expect(await apiError(client.subscriptions.list({ ownerId: '4242424242' }))).toMatchObject({ status: 400, code: 100 });
  });

  test('pages are followed to the end', async () => {
    // 30 more subscribers than the seed: more than Graph's default page of 25.
    const template = emulator.state.subscriptions.all[0]!;
    for (let i = 0; i < 30; i++) emulator.state.subscriptions.all.push({ ...template, id: emulator.state.newId(), owner_id: ACTIVE });
    expect(await client.subscriptions.list()).toHaveLength(34);
    expect(emulator.requests.filter((r) => r.route === ROUTES.subscriptions)).toHaveLength(2);
  });
});

describe('findActiveByOwnerAlias', () => {
  test("finds the alias's active subscription to the tier, asking the owners' aliases; none for others", async () => {
    const found = await client.subscriptions.findActiveByOwnerAlias('QuietStorm', 'vip_pass');
    expect(found).toEqual({ aliasesKnown: true, subscription: expect.objectContaining({ ownerId: TRIAL, sku: 'vip_pass', isActive: true }) });
    expect(emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.subscriptions, token: 'app', status: 200 })]);
    expect(emulator.requests[0]!.params).toMatchObject({ skus: 'vip_pass', is_active: 'true', fields: expect.stringContaining('owner{id,alias}') });
    // LunaByte's subscription expired; CobaltFox has none; nobody is called quietstorm (exact match); another tier.
    for (const [alias, sku] of [
      ['LunaByte', 'vip_pass'],
      ['CobaltFox', 'vip_pass'],
      ['quietstorm', 'vip_pass'],
      ['QuietStorm', 'gold_pass'],
    ] as const) {
      expect(await client.subscriptions.findActiveByOwnerAlias(alias, sku)).toEqual({ aliasesKnown: true, subscription: null });
    }
  });

  test('reads page after page only until the alias is found', async () => {
    // 30 other subscribers listed first: QuietStorm is on the second page of 25.
    const template = emulator.state.subscriptions.all.find((x) => x.owner_id === ACTIVE)!;
    const others = Array.from({ length: 30 }, () => ({ ...template, id: emulator.state.newId(), owner_id: NONE }));
    emulator.state.subscriptions.all.unshift(...others);
    expect((await client.subscriptions.findActiveByOwnerAlias('QuietStorm', 'vip_pass')).subscription?.ownerId).toBe(TRIAL);
    expect(emulator.requests.filter((r) => r.route === ROUTES.subscriptions)).toHaveLength(2);
    emulator.clearRequests();
    expect((await client.subscriptions.findActiveByOwnerAlias('CobaltFox', 'vip_pass')).subscription?.ownerId).toBe(NONE);
    expect(emulator.requests).toHaveLength(1);
  });

  test('a malformed alias or SKU is refused before any request', async () => {
    for (const alias of ['', 'two words', 'x'.repeat(65)]) {
      await expect(client.subscriptions.findActiveByOwnerAlias(alias, 'vip_pass')).rejects.toMatchObject({ argument: 'ownerAlias' });
    }
    await expect(client.subscriptions.findActiveByOwnerAlias('QuietStorm', 'vip pass')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe("a Horizon that refuses owners' aliases on subscriptions (the docs show only owner{id})", () => {
  let strict: RunningEmulator;
  let strictClient: HorizonClient;
  beforeEach(async () => {
    strict = await startEmulator({ port: 0, behavior: { refuseGuessedFields: true } });
    strictClient = clientFor(strict);
  });
  afterEach(async () => {
    await strictClient.close();
    await strict.close();
  });

  test('the alias search says the aliases are unknown, after one refusal, and asks nothing more later', async () => {
    expect(await strictClient.subscriptions.findActiveByOwnerAlias('QuietStorm', 'vip_pass')).toEqual({ aliasesKnown: false, subscription: null });
    expect(strict.requests.map((r) => r.status)).toEqual([400, 200]);
    strict.clearRequests();
    expect(await strictClient.subscriptions.findActiveByOwnerAlias('QuietStorm', 'vip_pass')).toEqual({ aliasesKnown: false, subscription: null });
    expect(strict.requests).toHaveLength(0);
    // The documented listing is untouched, and cancel/extend by owner_alias still work upstream.
    expect((await strictClient.subscriptions.list({ ownerId: TRIAL }))[0]!.ownerId).toBe(TRIAL);
    expect(await strictClient.subscriptions.extend({ alias: 'QuietStorm' }, 'vip_pass', 3)).toBe(true);
  });
});

describe('cancel', () => {
  test('cancels: still active, cancellation time set, next renewal cleared', async () => {
    const before = await one(ACTIVE);
    expect(await client.subscriptions.cancel(ACTIVE, 'vip_pass', 'PRICING')).toBe(true);
    const after = await one(ACTIVE);
    expect(after).toMatchObject({ isActive: true, nextRenewal: null, periodEnd: before.periodEnd });
    expect(Math.abs(after.cancelledAt!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(emulator.state.subscriptions.all.find((s) => s.owner_id === ACTIVE)!.cancel_reason).toBe(1);
  });

  test('cancelling again, an expired one, or an unknown SKU is code 100', async () => {
    await client.subscriptions.cancel(ACTIVE, 'vip_pass', 'OTHER');
    expect(await apiError(client.subscriptions.cancel(ACTIVE, 'vip_pass', 'OTHER'))).toMatchObject({ status: 400, code: 100 });
    expect(await apiError(client.subscriptions.cancel(EXPIRED, 'vip_pass', 'OTHER'))).toMatchObject({ code: 100 });
    expect(await apiError(client.subscriptions.cancel(TRIAL, 'gold_pass', 'OTHER'))).toMatchObject({ code: 100 });
    expect(await apiError(client.subscriptions.cancel(NONE, 'vip_pass', 'OTHER'))).toMatchObject({ code: 100 });
  });

  test('by owner_alias; the reason maps to cancel_reason 0..5', async () => {
    expect(await client.subscriptions.cancel({ alias: 'QuietStorm' }, 'vip_pass', 'TECHNICAL')).toBe(true);
    expect(emulator.state.subscriptions.all.find((s) => s.owner_id === TRIAL)!.cancel_reason).toBe(5);
  });

  test('parameter errors: reason out of range or missing, no owner, user token', async () => {
    const path = '/application/cancel_subscription';
    expect((await graphCall(emulator, 'POST', path, { owner_id: ACTIVE, sku: 'vip_pass', cancel_reason: '6' })).body.error.code).toBe(100);
    expect((await graphCall(emulator, 'POST', path, { owner_id: ACTIVE, sku: 'vip_pass' })).body.error.code).toBe(100);
    expect((await graphCall(emulator, 'POST', path, { sku: 'vip_pass', cancel_reason: '0' })).body.error.code).toBe(100);
    const asUser = await graphCall(emulator, 'POST', path, { owner_id: ACTIVE, sku: 'vip_pass', cancel_reason: '0' }, demoUserToken(0));
    expect(asUser).toMatchObject({ status: 403, body: { error: { code: 10 } } });
    // None of them cancelled anything.
    expect((await one(ACTIVE)).cancelledAt).toBeNull();
  });
});

describe('extend', () => {
  test('by owner_alias, sent as such; an alias nobody has is code 100', async () => {
    const before = await one(TRIAL);
    expect(await client.subscriptions.extend({ alias: 'QuietStorm' }, 'vip_pass', 5)).toBe(true);
    const sent = emulator.requests.find((r) => r.route === ROUTES.extendSubscription)!.params;
    expect(sent).toMatchObject({ owner_alias: 'QuietStorm', sku: 'vip_pass', number_of_days: '5' });
    expect(sent).not.toHaveProperty('owner_id');
    expect((await one(TRIAL)).periodEnd!.getTime() - before.periodEnd!.getTime()).toBe(5 * DAY_MS);
    expect(await apiError(client.subscriptions.extend({ alias: 'NoSuchPlayer' }, 'vip_pass', 5))).toMatchObject({ status: 400, code: 100 });
  });

  test('moves the period end and the next renewal by the days given', async () => {
    const before = await one(ACTIVE);
    expect(await client.subscriptions.extend(ACTIVE, 'vip_pass', 30)).toBe(true);
    const after = await one(ACTIVE);
    expect(after.periodEnd!.getTime() - before.periodEnd!.getTime()).toBe(30 * DAY_MS);
    expect(after.nextRenewal!.getTime() - before.nextRenewal!.getTime()).toBe(30 * DAY_MS);
    expect(after.periodStart).toEqual(before.periodStart);
  });

  test('a cancelled subscription: the period end moves, there is still no renewal', async () => {
    const before = await one(CANCELLED);
    await client.subscriptions.extend(CANCELLED, 'vip_pass', 7);
    const after = await one(CANCELLED);
    expect(after.periodEnd!.getTime() - before.periodEnd!.getTime()).toBe(7 * DAY_MS);
    expect(after.nextRenewal).toBeNull();
  });

  test('days must be 1..365: the client refuses others before sending; Graph answers code 100', async () => {
    for (const days of [0, 366, -1, 1.5]) await expect(client.subscriptions.extend(ACTIVE, 'vip_pass', days)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(emulator.requests).toHaveLength(0);
    for (const days of ['0', '366', 'ten']) {
      const wire = await graphCall(emulator, 'POST', '/application/extend_subscription', { owner_id: ACTIVE, sku: 'vip_pass', number_of_days: days });
      expect(wire.body.error.code).toBe(100);
    }
  });

  test('at most 10 years accumulated', async () => {
    for (let i = 0; i < 10; i++) await client.subscriptions.extend(ACTIVE, 'vip_pass', 365);
    const error = await apiError(client.subscriptions.extend(ACTIVE, 'vip_pass', 1));
    expect(error).toMatchObject({ code: 100, upstreamMessage: expect.stringContaining('3650') });
  });

  test('an expired subscription cannot be extended (code 100)', async () => {
    expect(await apiError(client.subscriptions.extend(EXPIRED, 'vip_pass', 5))).toMatchObject({ status: 400, code: 100 });
  });
});
