/** The purchases client (docs/horizon-api.md-1.5) against a real emulator over loopback HTTP. */
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { HorizonClient } from '../../src/horizon/client.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import type { Product } from '../../src/horizon/purchases.js';
import { ROUTES } from '../helpers/harness.js';
import { apiError, freshWorld, graphCall } from '../helpers/contract.js';

const PLAYER = demoUserId(0); // app, dlc_frozen_peaks, gems_100, active vip_pass
const COLLECTOR = demoUserId(4); // six items, for paging
const EXPIRED = demoUserId(3); // gems_1200, an expired vip_pass
const NOBODY = demoUserId(11); // owns nothing, not even the app
const UNKNOWN_USER = '4242424242';
const SEED_GRANT_BASE = 1_750_000_000;

describe('verifyEntitlement', () => {
  const w = freshWorld();

  test('owned durable: true with the grant time as a Date; unowned: false with no time', async () => {
    const owned = await w.client.purchases.verifyEntitlement(PLAYER, 'dlc_frozen_peaks');
    expect(owned).toEqual({ owned: true, grantedAt: new Date(SEED_GRANT_BASE * 1000) });
    expect(await w.client.purchases.verifyEntitlement(PLAYER, 'skin_neon_visor')).toEqual({ owned: false, grantedAt: null });
    expect(w.emulator.requests.map((r) => [r.route, r.token, r.status])).toEqual([
      [ROUTES.verifyEntitlement, 'app', 200],
      [ROUTES.verifyEntitlement, 'app', 200],
    ]);
  });

  test('the wire shapes: {success:true, grant_time} in Unix seconds, {success:false} otherwise', async () => {
    const yes = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/verify_entitlement`, { user_id: PLAYER, sku: 'gems_100' });
    expect({ status: yes.status, body: yes.body }).toEqual({ status: 200, body: { success: true, grant_time: SEED_GRANT_BASE + 3600 } });
    const no = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/verify_entitlement`, { user_id: PLAYER, sku: 'gems_500' });
    expect({ status: no.status, body: no.body }).toEqual({ status: 200, body: { success: false } });
  });

  test('SKUs are case-sensitive', async () => {
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'DLC_FROZEN_PEAKS')).owned).toBe(false);
  });

  test('without a sku it checks the base application', async () => {
    expect((await w.client.purchases.verifyEntitlement(PLAYER)).owned).toBe(true);
    expect(await w.client.purchases.verifyEntitlement(NOBODY)).toEqual({ owned: false, grantedAt: null });
  });

  test('a subscription tier is owned while active, not once expired', async () => {
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'vip_pass')).owned).toBe(true);
    expect((await w.client.purchases.verifyEntitlement(EXPIRED, 'vip_pass')).owned).toBe(false);
  });

  test("with the player's own token, their user_id is sent too (ps-iap-s2s marks it Required) and the token's user is checked", async () => {
    expect((await w.client.purchases.verifyEntitlement({ userToken: demoUserToken(0), userId: PLAYER }, 'dlc_frozen_peaks')).owned).toBe(true);
    expect((await w.client.purchases.verifyEntitlement({ userToken: demoUserToken(1), userId: demoUserId(1) }, 'dlc_frozen_peaks')).owned).toBe(false);
    expect(w.emulator.requests.map((r) => [r.token, r.params.user_id])).toEqual([
      ['user', PLAYER],
      ['user', demoUserId(1)],
    ]);
  });

  test("a token with another player's id is refused upstream (code 10); a token without an id is refused before sending", async () => {
    expect(await apiError(w.client.purchases.verifyEntitlement({ userToken: demoUserToken(1), userId: PLAYER }, 'gems_100'))).toMatchObject({
      status: 403,
      code: 10,
    });
    w.emulator.clearRequests();
    await expect(w.client.purchases.verifyEntitlement({ userToken: demoUserToken(1) } as never, 'gems_100')).rejects.toMatchObject({ argument: 'userId' });
    expect(w.emulator.requests).toHaveLength(0);
  });

  test('a user token naming another user is refused (code 10)', async () => {
    const response = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/verify_entitlement`, { user_id: PLAYER, sku: 'gems_100' }, demoUserToken(1));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe(10);
  });

  test('bad app credentials: HTTP 400, code 190', async () => {
    const bad = HorizonClient.create({
      baseUrl: w.emulator.url,
      appId: w.emulator.appId,
      appSecret: 'not-the-secret',
      maxConnections: 2,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    });
    try {
      const error = await apiError(bad.purchases.verifyEntitlement(PLAYER, 'gems_100'));
      expect(error).toMatchObject({ status: 400, code: 190, upstreamMessage: 'Error validating application' });
    } finally {
      await bad.close();
    }
  });

  test('an unknown user is code 100; a malformed user id or SKU is refused before any request', async () => {
    expect(await apiError(w.client.purchases.verifyEntitlement(UNKNOWN_USER, 'gems_100'))).toMatchObject({ status: 400, code: 100 });
    w.emulator.clearRequests();
    await expect(w.client.purchases.verifyEntitlement('12/../me', 'gems_100')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(w.client.purchases.verifyEntitlement(PLAYER, 'gems 100')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(w.client.purchases.verifyEntitlement(PLAYER, '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(w.client.purchases.verifyEntitlement(PLAYER, 'x'.repeat(129))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(w.emulator.requests).toHaveLength(0);
  });
});

describe('an emulator that insists on user_id with a user token (ps-iap-s2s: Required)', () => {
  const w = freshWorld({ emulator: { behavior: { requireUserIdWithUserToken: true } } });

  test('it refuses a user token without user_id (code 100), takes the own id, and refuses another id (code 10)', async () => {
    const path = `/${w.emulator.appId}/verify_entitlement`;
    const without = await graphCall(w.emulator, 'POST', path, { sku: 'gems_100' }, demoUserToken(0));
    expect(without.status).toBe(400);
    expect(without.body.error).toMatchObject({ code: 100, message: expect.stringContaining('user_id') });
    const own = await graphCall(w.emulator, 'POST', path, { user_id: PLAYER, sku: 'gems_100' }, demoUserToken(0));
    expect({ status: own.status, body: own.body }).toEqual({
      status: 200,
      body: { success: true, grant_time: SEED_GRANT_BASE + 3600 },
    });
    expect((await graphCall(w.emulator, 'POST', path, { user_id: demoUserId(1), sku: 'gems_100' }, demoUserToken(0))).body.error.code).toBe(10);
    const consumeWithout = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/consume_entitlement`, { sku: 'gems_100' }, demoUserToken(0));
    expect(consumeWithout.body.error.code).toBe(100);
    const refundWithout = await graphCall(
      w.emulator,
      'POST',
      `/${w.emulator.appId}/refund_iap_entitlement`,
      { sku: 'gems_100', reason: 'other' },
      demoUserToken(0),
    );
    expect(refundWithout.body.error.code).toBe(100);
    // viewer_purchases documents no user_id with a user token: not insisted on there.
    expect((await graphCall(w.emulator, 'GET', `/${w.emulator.appId}/viewer_purchases`, {}, demoUserToken(0))).status).toBe(200);
  });

  test('the client always sends user_id, so verify, consume, refund and the purchase list work with the token', async () => {
    const player = { userToken: demoUserToken(0), userId: PLAYER };
    expect(await w.client.purchases.verifyEntitlement(player, 'gems_100')).toEqual({ owned: true, grantedAt: new Date((SEED_GRANT_BASE + 3600) * 1000) });
    expect((await w.client.purchases.verifyEntitlement(player)).owned).toBe(true);
    expect(await w.client.purchases.consume(player, 'gems_100')).toBe(true);
    expect(await w.client.purchases.refund(player, 'dlc_frozen_peaks', 'customer_support')).toBe(true);
    expect((await w.client.purchases.listAllPurchases(player)).map((p) => p.sku)).toEqual(['vip_pass']);
    expect(w.emulator.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('listPurchases', () => {
  const w = freshWorld();

  test("a player's durables, unconsumed consumables and subscription, newest first, times as Dates", async () => {
    const page = await w.client.purchases.listAllPurchases(PLAYER);
    expect(page.map((p) => p.sku)).toEqual(['vip_pass', 'gems_100', 'dlc_frozen_peaks']);
    const [subscription, gems, dlc] = page;
    expect(dlc).toEqual({
      id: expect.stringMatching(/^\d{16}$/),
      sku: 'dlc_frozen_peaks',
      itemId: expect.stringMatching(/^\d{16}$/),
      grantedAt: new Date(SEED_GRANT_BASE * 1000),
      expiresAt: null,
    });
    expect(gems!.expiresAt).toBeNull();
    // Subscriptions expire: viewer_purchases gives a time (a few days past the period end, docs/horizon-api.md).
    expect(subscription!.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await w.client.purchases.listAllPurchases(NOBODY)).toEqual([]);
  });

  test('pages with Graph cursors; the last page has no `next`', async () => {
    const first = await w.client.purchases.listPurchases(COLLECTOR, { limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.after).toEqual(expect.any(String));
    const second = await w.client.purchases.listPurchases(COLLECTOR, { limit: 4, after: first.after });
    expect(second.items).toHaveLength(2);
    expect(second.after).toBeUndefined();
    const all = await w.client.purchases.listAllPurchases(COLLECTOR);
    expect([...first.items, ...second.items]).toEqual(all);
    expect(new Set(all.map((p) => p.sku))).toEqual(new Set(['dlc_frozen_peaks', 'skin_neon_visor', 'skin_golden_armor', 'gems_100', 'gems_500', 'gems_1200']));

    const path = `/${w.emulator.appId}/viewer_purchases`;
    const rawFirst = await graphCall(w.emulator, 'GET', path, { user_id: COLLECTOR, limit: '4', fields: 'id,item{sku}' });
    expect(rawFirst.body.paging.next).toContain('after=');
    expect(rawFirst.body.data[0]).toEqual({ id: all[0]!.id, item: { sku: all[0]!.sku } });
    const rawLast = await graphCall(w.emulator, 'GET', path, { user_id: COLLECTOR, limit: '4', after: rawFirst.body.paging.cursors.after });
    expect(rawLast.body.data).toHaveLength(2);
    expect(rawLast.body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    expect(rawLast.body.paging).not.toHaveProperty('next');
  });

  test('without fields only ids come back; an unknown field is code 100', async () => {
    const path = `/${w.emulator.appId}/viewer_purchases`;
    const ids = await graphCall(w.emulator, 'GET', path, { user_id: PLAYER });
    expect(Object.keys(ids.body.data[0])).toEqual(['id']);
    const bad = await graphCall(w.emulator, 'GET', path, { user_id: PLAYER, fields: 'id,is_refunded' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(100);
  });

  test("the user-token variant lists the token's own purchases", async () => {
    expect(await w.client.purchases.listAllPurchases({ userToken: demoUserToken(4) })).toEqual(await w.client.purchases.listAllPurchases(COLLECTOR));
    expect(w.emulator.requests.map((r) => r.token)).toEqual(['user', 'app']);
  });

  test('with the app token, user_id is required (code 100)', async () => {
    const response = await graphCall(w.emulator, 'GET', `/${w.emulator.appId}/viewer_purchases`, {});
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(100);
  });
});

describe('consume', () => {
  const w = freshWorld();

  test('consumes an owned consumable once; it leaves verify and viewer_purchases and can be bought again', async () => {
    expect(await w.client.purchases.consume(PLAYER, 'gems_100')).toBe(true);
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'gems_100')).owned).toBe(false);
    expect((await w.client.purchases.listAllPurchases(PLAYER)).map((p) => p.sku)).not.toContain('gems_100');
    const available = await w.client.purchases.listAvailable({ userToken: demoUserToken(0) });
    expect(available.map((p) => p.sku)).toContain('gems_100');
    // The second consume is refused, as HTTP 200 {"success":false}.
    expect(await w.client.purchases.consume(PLAYER, 'gems_100')).toBe(false);
    expect(w.emulator.requests.filter((r) => r.route === ROUTES.consumeEntitlement).map((r) => r.status)).toEqual([200, 200]);
  });

  test('a durable is not consumable: refused, and still owned', async () => {
    expect(await w.client.purchases.consume(PLAYER, 'dlc_frozen_peaks')).toBe(false);
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'dlc_frozen_peaks')).owned).toBe(true);
  });

  test('an unowned, a subscription or a wrongly cased SKU is refused; the real one stays', async () => {
    expect(await w.client.purchases.consume(PLAYER, 'gems_500')).toBe(false);
    expect(await w.client.purchases.consume(PLAYER, 'vip_pass')).toBe(false);
    expect(await w.client.purchases.consume(PLAYER, 'GEMS_100')).toBe(false);
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'gems_100')).owned).toBe(true);
  });

  test('with the player token, sending their user_id too', async () => {
    expect(await w.client.purchases.consume({ userToken: demoUserToken(1), userId: demoUserId(1) }, 'gems_500')).toBe(true);
    expect(w.emulator.requests.map((r) => [r.route, r.token, r.params.user_id])).toEqual([[ROUTES.consumeEntitlement, 'user', demoUserId(1)]]);
    expect((await w.client.purchases.verifyEntitlement(demoUserId(1), 'gems_500')).owned).toBe(false);
  });

  test('a missing sku is code 100 upstream, and the client refuses to send one', async () => {
    const response = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/consume_entitlement`, { user_id: PLAYER });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 100, message: expect.stringContaining('sku') });
    w.emulator.clearRequests();
    await expect(w.client.purchases.consume(PLAYER, '')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(w.emulator.requests).toHaveLength(0);
  });
});

describe('listAvailable', () => {
  const w = freshWorld();

  test('the app token lists the whole catalog, subscriptions once per term with their billing plans', async () => {
    const products = await w.client.purchases.listAvailable();
    expect(products.map((p) => p.sku)).toEqual([
      'dlc_frozen_peaks',
      'skin_neon_visor',
      'skin_golden_armor',
      'gems_100',
      'gems_500',
      'gems_1200',
      'vip_pass:SUBSCRIPTION__MONTHLY',
      'vip_pass:SUBSCRIPTION__ANNUAL',
    ]);
    const bySku = new Map(products.map((p) => [p.sku, p]));
    expect(bySku.get('skin_neon_visor')).toEqual<Product>({
      id: expect.stringMatching(/^\d{16}$/),
      sku: 'skin_neon_visor',
      name: 'Neon Visor',
      description: 'A glowing visor for your avatar.',
      price: { currency: 'USD', amountInHundredths: 299, formatted: '$2.99' },
      billingPlans: [],
    });
    expect(bySku.get('vip_pass:SUBSCRIPTION__MONTHLY')!.billingPlans).toEqual([
      {
        paidOffer: {
          name: 'VIP Pass (monthly plan)',
          description: 'Renews automatically at $4.99 per monthly term.',
          price: { currency: 'USD', amountInHundredths: 499, formatted: '$4.99' },
          term: 'MONTHLY',
        },
        trialOffers: [
          {
            name: 'First month free',
            description: 'Try VIP free for a month.',
            type: 'FREE_TRIAL',
            term: 'MONTHLY',
            maxTermCount: 1,
            price: { currency: 'USD', amountInHundredths: 0, formatted: '$0.00' },
          },
        ],
      },
    ]);
    expect(bySku.get('vip_pass:SUBSCRIPTION__ANNUAL')!.billingPlans[0]).toMatchObject({
      paidOffer: { term: 'ANNUAL' },
      trialOffers: [{ type: 'INTRO_OFFER', price: { amountInHundredths: 2999 } }],
    });
    expect(w.emulator.requests).toEqual([expect.objectContaining({ route: ROUTES.availablePurchases, token: 'app', status: 200 })]);
    // The documented paid offer (ps-iap-s2s): name, description, price and subscription_term.
    expect(w.emulator.requests[0]!.params.fields).toContain('paid_offer{name,description,price{currency,amount_in_hundredths,formatted},subscription_term}');
  });

  test("a paid offer's term is its subscription_term; without one, the SKU's :SUBSCRIPTION__{TERM} suffix", async () => {
    const plan = (sku: string) => w.emulator.state.purchases.items.get(sku)!.billing_plans![0]!;
    plan('vip_pass:SUBSCRIPTION__ANNUAL').paid_offer.subscription_term = 'SEMIANNUAL';
    delete (plan('vip_pass:SUBSCRIPTION__MONTHLY').paid_offer as { subscription_term?: string }).subscription_term;
    const bySku = new Map((await w.client.purchases.listAvailable()).map((p) => [p.sku, p]));
    expect(bySku.get('vip_pass:SUBSCRIPTION__ANNUAL')!.billingPlans[0]!.paidOffer!.term).toBe('SEMIANNUAL');
    expect(bySku.get('vip_pass:SUBSCRIPTION__MONTHLY')!.billingPlans[0]!.paidOffer).toMatchObject({ name: 'VIP Pass (monthly plan)', term: 'MONTHLY' });
  });

  test('a user token lists what that player can buy: not what they hold, nor the tier they subscribe to', async () => {
    const forPlayer = (await w.client.purchases.listAvailable({ userToken: demoUserToken(0) })).map((p) => p.sku);
    expect(forPlayer).toEqual(['skin_neon_visor', 'skin_golden_armor', 'gems_500', 'gems_1200']);
    const forNobody = await w.client.purchases.listAvailable({ userToken: demoUserToken(11) });
    expect(forNobody).toHaveLength(8);
  });

  test('every page is collected (Graph pages 25 items by default)', async () => {
    for (let i = 0; i < 30; i++) {
      const sku = `sticker_${String(i).padStart(2, '0')}`;
      w.emulator.state.purchases.items.set(sku, {
        id: w.emulator.state.newId(),
        sku,
        item_type: 'DURABLE',
        current_offer: {
          id: w.emulator.state.newId(),
          name: `Sticker ${i}`,
          description: 'A sticker.',
          price: { currency: 'USD', amount_in_hundredths: 49, formatted: '$0.49' },
        },
      });
    }
    const all = await w.client.purchases.listAvailable();
    expect(all).toHaveLength(38);
    expect(all.at(-1)!.sku).toBe('sticker_29');
    expect(w.emulator.requests.filter((r) => r.route === ROUTES.availablePurchases)).toHaveLength(2);
  });
});

describe('refund', () => {
  const w = freshWorld();

  test('refunds a durable: it leaves verify and viewer_purchases; a second refund is refused', async () => {
    expect(await w.client.purchases.refund(PLAYER, 'dlc_frozen_peaks', 'customer_support')).toBe(true);
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'dlc_frozen_peaks')).owned).toBe(false);
    expect((await w.client.purchases.listAllPurchases(PLAYER)).map((p) => p.sku)).not.toContain('dlc_frozen_peaks');
    expect(await w.client.purchases.refund(PLAYER, 'dlc_frozen_peaks', 'customer_support')).toBe(false);
  });

  test('an unconsumed consumable can be refunded; a consumed one cannot', async () => {
    expect(await w.client.purchases.refund(demoUserId(1), 'gems_500', 'unable_to_fulfill')).toBe(true);
    expect(await w.client.purchases.consume(PLAYER, 'gems_100')).toBe(true);
    expect(await w.client.purchases.refund(PLAYER, 'gems_100', 'other')).toBe(false);
  });

  test('reason is required and must be one of the three (code 100)', async () => {
    const path = `/${w.emulator.appId}/refund_iap_entitlement`;
    const missing = await graphCall(w.emulator, 'POST', path, { user_id: PLAYER, sku: 'dlc_frozen_peaks' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 100, message: expect.stringContaining('reason') });
    const wrong = await graphCall(w.emulator, 'POST', path, { user_id: PLAYER, sku: 'dlc_frozen_peaks', reason: 'changed_mind' });
    expect(wrong.body.error.code).toBe(100);
    // Nothing was refunded by the refused calls.
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'dlc_frozen_peaks')).owned).toBe(true);
    w.emulator.clearRequests();
    await expect(w.client.purchases.refund(PLAYER, 'dlc_frozen_peaks', 'changed_mind' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(w.emulator.requests).toHaveLength(0);
  });

  test('a subscription cannot be refunded this way (code 100)', async () => {
    expect(await apiError(w.client.purchases.refund(PLAYER, 'vip_pass:SUBSCRIPTION__MONTHLY', 'other'))).toMatchObject({ status: 400, code: 100 });
  });

  test("with the player's own token (ps-iap-s2s allows it), user_id sent too; another player's id is refused (code 10)", async () => {
    expect(await w.client.purchases.refund({ userToken: demoUserToken(0), userId: PLAYER }, 'dlc_frozen_peaks', 'unable_to_fulfill')).toBe(true);
    expect(w.emulator.requests.map((r) => [r.route, r.token, r.params.user_id, r.status])).toEqual([[ROUTES.refundEntitlement, 'user', PLAYER, 200]]);
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'dlc_frozen_peaks')).owned).toBe(false);
    const other = await apiError(w.client.purchases.refund({ userToken: demoUserToken(1), userId: PLAYER }, 'gems_100', 'other'));
    expect(other).toMatchObject({ status: 403, code: 10 });
    expect((await w.client.purchases.verifyEntitlement(PLAYER, 'gems_100')).owned).toBe(true);
    // The wire: a user token alone names its own user.
    const bare = await graphCall(w.emulator, 'POST', `/${w.emulator.appId}/refund_iap_entitlement`, { sku: 'gems_500', reason: 'other' }, demoUserToken(1));
    expect({ status: bare.status, body: bare.body }).toEqual({ status: 200, body: { success: true } });
  });
});
