/** Resolver tests for purchases, entitlements, the catalog and subscriptions, against a real emulator. */
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import { createContext } from '../../src/graphql/context.js';
import { ROUTES, silentLogger, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const PLAYER = demoUserId(0); // app, dlc_frozen_peaks, gems_100, active vip_pass
const SECOND = demoUserId(1); // skin_neon_visor, gems_500, cancelled vip_pass
const COLLECTOR = demoUserId(4); // six items
const TRIAL = demoUserId(2); // QuietStorm, in a free trial of vip_pass
const EXPIRED = demoUserId(3); // LunaByte
const NOBODY = demoUserId(11);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY_MS = 86_400_000;
const SEED_GRANT = new Date(1_750_000_000 * 1000).toISOString();

/** Runs an operation as the gateway would for a player: their Horizon user token in the context. */
const asPlayer = (query: string, userToken: string | undefined, variables?: Record<string, unknown>) => h.execute(query, variables, { userToken });

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await h.execute(query, variables);
  expect(result.errors).toBeUndefined();
  return result.data!;
}

describe('User.purchases', () => {
  test('durables, unconsumed consumables and the subscription, newest first, with ISO times', async () => {
    const data = await ok(
      `query($id: ID!) { user(id: $id) { purchases { nodes { id sku grantedAt expiresAt item { id sku } } pageInfo { hasNextPage hasPreviousPage } } } }`,
      { id: PLAYER },
    );
    const { nodes, pageInfo } = data.user.purchases;
    expect(nodes.map((p: any) => p.sku)).toEqual(['vip_pass', 'gems_100', 'dlc_frozen_peaks']);
    expect(nodes[2]).toEqual({
      id: expect.stringMatching(/^\d{16}$/),
      sku: 'dlc_frozen_peaks',
      grantedAt: SEED_GRANT,
      expiresAt: null,
      item: { id: expect.stringMatching(/^\d{16}$/), sku: 'dlc_frozen_peaks' },
    });
    expect(nodes[0].expiresAt).toMatch(ISO);
    expect(pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  test('pages forward with cursors, from the end cursor or from any edge', async () => {
    const query = `query($id: ID!, $first: Int, $after: String) { user(id: $id) { purchases(first: $first, after: $after) {
      edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    const page = async (first: number, after?: string) => (await ok(query, { id: COLLECTOR, first, after })).user.purchases;
    const all = (await page(100)).nodes.map((n: any) => n.id);
    expect(all).toHaveLength(6);

    const first = await page(4);
    expect(first.nodes.map((n: any) => n.id)).toEqual(all.slice(0, 4));
    expect(first.edges.map((e: any) => e.node.id)).toEqual(all.slice(0, 4));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[3].cursor });
    const second = await page(4, first.pageInfo.endCursor);
    expect(second.nodes.map((n: any) => n.id)).toEqual(all.slice(4));
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // Every edge's cursor resumes right after it, though Graph only has cursors per page.
    const fromSecondEdge = await page(3, first.edges[1].cursor);
    expect(fromSecondEdge.nodes.map((n: any) => n.id)).toEqual(all.slice(2, 5));
    expect(fromSecondEdge.pageInfo.hasNextPage).toBe(true);
    const chained = await page(2, fromSecondEdge.pageInfo.endCursor);
    expect(chained.nodes.map((n: any) => n.id)).toEqual(all.slice(5));
    expect(chained.pageInfo.hasNextPage).toBe(false);
  });

  test('first is capped at 100, must be positive, and a foreign cursor is refused, before any upstream call', async () => {
    h.resetUpstream();
    for (const [args, argument] of [
      ['first: 101', 'first'],
      ['first: 0', 'first'],
      ['after: "not-a-cursor!"', 'after'],
      [`after: "${Buffer.from('[1,2,3]').toString('base64url')}"`, 'after'],
    ] as const) {
      const result = await h.execute(
        `{ _entities(representations: [{ __typename: "User", id: "${PLAYER}" }]) { ... on User { purchases(${args}) { nodes { id } } } } }`,
      );
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    expect(h.upstream(ROUTES.viewerPurchases)).toHaveLength(0);
  });

  test('a user Horizon does not know is NOT_FOUND', async () => {
    const result = await h.execute(`{ _entities(representations: [{ __typename: "User", id: "4242424242" }]) { ... on User { purchases { nodes { id } } } } }`);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { code: 100 } });
  });
});

describe('User.entitlement and ownsApp', () => {
  test('owned with its grant time; not owned with null; app ownership', async () => {
    const data = await ok(
      `query($a: ID!, $b: ID!) {
      a: user(id: $a) { ownsApp dlc: entitlement(sku: "dlc_frozen_peaks") { sku owned grantedAt user { id } } skin: entitlement(sku: "skin_neon_visor") { owned grantedAt } }
      b: user(id: $b) { ownsApp dlc: entitlement(sku: "dlc_frozen_peaks") { owned } } }`,
      { a: PLAYER, b: NOBODY },
    );
    expect(data.a).toEqual({
      ownsApp: true,
      dlc: { sku: 'dlc_frozen_peaks', owned: true, grantedAt: SEED_GRANT, user: { id: PLAYER } },
      skin: { owned: false, grantedAt: null },
    });
    expect(data.b).toEqual({ ownsApp: false, dlc: { owned: false } });
  });

  test('the same entitlement asked 3 times for each of 2 users makes exactly 2 verify calls', async () => {
    h.resetUpstream();
    const fields = `e1: entitlement(sku: "gems_100") { owned } e2: entitlement(sku: "gems_100") { grantedAt } e3: entitlement(sku: "gems_100") { owned sku }`;
    const data = await ok(
      `{ _entities(representations: [{ __typename: "User", id: "${PLAYER}" }, { __typename: "User", id: "${SECOND}" }]) { ... on User { ${fields} } } }`,
    );
    expect(data._entities[0]).toMatchObject({ e1: { owned: true }, e3: { owned: true, sku: 'gems_100' } });
    expect(data._entities[1]).toMatchObject({ e1: { owned: false }, e2: { grantedAt: null } });
    expect(h.upstream(ROUTES.verifyEntitlement)).toHaveLength(2);
    expect(h.upstream()).toHaveLength(2);
  });

  test('with the purchases listed in the same request, durables found there skip verify (same answer)', async () => {
    const alone = await ok(`{ user(id: "${PLAYER}") { entitlement(sku: "dlc_frozen_peaks") { owned grantedAt } } }`);
    h.resetUpstream();
    const data = await ok(`{ _entities(representations: [{ __typename: "User", id: "${PLAYER}" }]) { ... on User {
      purchases { nodes { sku } }
      dlc: entitlement(sku: "dlc_frozen_peaks") { owned grantedAt }
      skin: entitlement(sku: "skin_neon_visor") { owned }
      vip: entitlement(sku: "vip_pass") { owned }
      ownsApp } } }`);
    expect(data._entities[0]).toMatchObject({ dlc: alone.user.entitlement, skin: { owned: false }, vip: { owned: true }, ownsApp: true });
    // dlc came from the list; the unlisted SKU, the subscription and the base app were verified.
    expect(h.upstream(ROUTES.viewerPurchases)).toHaveLength(1);
    expect(h.upstream(ROUTES.verifyEntitlement)).toHaveLength(3);
  });

  test('an invalid SKU is BAD_USER_INPUT and nothing is sent', async () => {
    h.resetUpstream();
    const result = await h.execute(
      `{ _entities(representations: [{ __typename: "User", id: "${PLAYER}" }]) { ... on User { entitlement(sku: "no spaces") { owned } } } }`,
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'sku' });
    expect(h.upstream()).toHaveLength(0);
  });

  test("viewer: the player's own entitlements need their token (UNAUTHENTICATED without)", async () => {
    const query = `{ viewer { id ownsApp entitlement(sku: "skin_neon_visor") { owned } } }`;
    const anonymous = await h.execute(query);
    expect(anonymous.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const response = await h.server.executeOperation(
      { query },
      { contextValue: createContext({ horizon: h.horizon, logger: silentLogger, requestId: 'viewer', userToken: demoUserToken(1) }) },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    expect(result?.errors).toBeUndefined();
    expect(result?.data).toEqual({ viewer: { id: SECOND, ownsApp: true, entitlement: { owned: true } } });
  });
});

describe('consumePurchase', () => {
  test('consumes, and a read of the same user later in the request is fresh', async () => {
    const data = await ok(
      `mutation($u: ID!) {
      first: consumePurchase(userId: $u, sku: "gems_500") { consumed status user { entitlement(sku: "gems_100") { owned } purchases { nodes { sku } } } }
      second: consumePurchase(userId: $u, sku: "gems_100") { consumed status sku user { id entitlement(sku: "gems_100") { owned } purchases { nodes { sku } } } }
    }`,
      { u: PLAYER },
    );
    // The first (refused: not owned) loaded gems_100 as owned; the second consumed it.
    expect(data.first).toEqual({
      consumed: false,
      status: 'REFUSED',
      user: { entitlement: { owned: true }, purchases: { nodes: [{ sku: 'vip_pass' }, { sku: 'gems_100' }, { sku: 'dlc_frozen_peaks' }] } },
    });
    expect(data.second).toEqual({
      consumed: true,
      status: 'CONSUMED',
      sku: 'gems_100',
      user: { id: PLAYER, entitlement: { owned: false }, purchases: { nodes: [{ sku: 'vip_pass' }, { sku: 'dlc_frozen_peaks' }] } },
    });
  });

  test('a refusal is a typed result, not an error: durable, second consume', async () => {
    const consume = (sku: string) => ok(`mutation { consumePurchase(userId: "${PLAYER}", sku: "${sku}") { consumed status } }`);
    expect((await consume('dlc_frozen_peaks')).consumePurchase).toEqual({ consumed: false, status: 'REFUSED' });
    expect((await consume('gems_100')).consumePurchase).toEqual({ consumed: true, status: 'CONSUMED' });
    expect((await consume('gems_100')).consumePurchase).toEqual({ consumed: false, status: 'REFUSED' });
  });

  test('a malformed user id or SKU is BAD_USER_INPUT before any upstream call', async () => {
    h.resetUpstream();
    const bad = await h.execute(`mutation { a: consumePurchase(userId: "12; DROP", sku: "gems_100") { consumed } }`);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'userId' });
    const badSku = await h.execute(`mutation { a: consumePurchase(userId: "${PLAYER}", sku: "gems/100") { consumed } }`);
    expect(badSku.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'sku' });
    expect(h.upstream()).toHaveLength(0);
  });
});

describe('refundPurchase', () => {
  test('refunds once; the second is REFUSED; ownership reads fresh', async () => {
    const refund = () =>
      ok(
        `mutation { refundPurchase(userId: "${SECOND}", sku: "skin_neon_visor", reason: CUSTOMER_SUPPORT) { refunded status sku user { entitlement(sku: "skin_neon_visor") { owned } } } }`,
      );
    expect((await refund()).refundPurchase).toEqual({ refunded: true, status: 'REFUNDED', sku: 'skin_neon_visor', user: { entitlement: { owned: false } } });
    expect((await refund()).refundPurchase).toMatchObject({ refunded: false, status: 'REFUSED' });
  });

  test('the reason is required and must be a RefundReason: refused before any call', async () => {
    h.resetUpstream();
    const missing = await h.execute(`mutation { refundPurchase(userId: "${SECOND}", sku: "skin_neon_visor") { refunded } }`);
    expect(missing.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const wrong = await h.execute(`mutation { refundPurchase(userId: "${SECOND}", sku: "skin_neon_visor", reason: CHANGED_MIND) { refunded } }`);
    expect(wrong.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(h.upstream()).toHaveLength(0);
  });

  test("asPlayer refunds with the player's own token, sending their user_id too; the app token otherwise", async () => {
    const refund = (sku: string, asPlayerArg: boolean) =>
      asPlayer(
        `mutation { refundPurchase(userId: "${SECOND}", sku: "${sku}", reason: UNABLE_TO_FULFILL, asPlayer: ${asPlayerArg}) { refunded status user { entitlement(sku: "${sku}") { owned } } } }`,
        demoUserToken(1),
      );
    h.resetUpstream();
    const mine = await refund('skin_neon_visor', true);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.refundPurchase).toEqual({ refunded: true, status: 'REFUNDED', user: { entitlement: { owned: false } } });
    expect(h.upstream(ROUTES.me)).toHaveLength(1); // the token is checked to be this player's
    expect(h.upstream(ROUTES.refundEntitlement).map((r) => [r.token, r.params.user_id])).toEqual([['user', SECOND]]);
    h.resetUpstream();
    // Without asPlayer the forwarded token is not used: the app's credentials refund, with no /me call.
    expect((await refund('gems_500', false)).data!.refundPurchase.status).toBe('REFUNDED');
    expect(h.upstream(ROUTES.refundEntitlement).map((r) => [r.token, r.params.user_id])).toEqual([['app', SECOND]]);
    expect(h.upstream(ROUTES.me)).toHaveLength(0);
  });

  test('asPlayer needs the token of this very player: UNAUTHENTICATED without one, FORBIDDEN for another, and nothing refunded', async () => {
    const query = `mutation { refundPurchase(userId: "${SECOND}", sku: "skin_neon_visor", reason: OTHER, asPlayer: true) { refunded } }`;
    h.resetUpstream();
    const anonymous = await asPlayer(query, undefined);
    expect(anonymous.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_TOKEN_MISSING' });
    const other = await asPlayer(query, demoUserToken(0));
    expect(other.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(h.upstream(ROUTES.refundEntitlement)).toHaveLength(0);
    expect((await ok(`{ user(id: "${SECOND}") { entitlement(sku: "skin_neon_visor") { owned } } }`)).user.entitlement.owned).toBe(true);
  });

  test('a subscription SKU is BAD_USER_INPUT from Horizon', async () => {
    const result = await h.execute(`mutation { refundPurchase(userId: "${PLAYER}", sku: "vip_pass:SUBSCRIPTION__MONTHLY", reason: OTHER) { refunded } }`);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { code: 100 } });
  });
});

describe('Query.products', () => {
  test('the whole catalog with prices and billing plans; product(sku:) from the same single call', async () => {
    h.resetUpstream();
    const data = await ok(`{
      products { sku name description price { currency amountInHundredths formatted } billingPlans { paidOffer { name description term price { formatted } } trialOffers { type term maxTermCount name price { amountInHundredths } } } }
      monthly: product(sku: "vip_pass:SUBSCRIPTION__MONTHLY") { id sku }
      gems: product(sku: "gems_500") { name price { formatted } }
      missing: product(sku: "no_such_item") { id }
    }`);
    expect(data.products).toHaveLength(8);
    expect(data.products[0]).toEqual({
      sku: 'dlc_frozen_peaks',
      name: 'Frozen Peaks Expansion',
      description: 'Three new mountain tracks and a snowboard.',
      price: { currency: 'USD', amountInHundredths: 999, formatted: '$9.99' },
      billingPlans: [],
    });
    const annual = data.products.find((p: any) => p.sku === 'vip_pass:SUBSCRIPTION__ANNUAL');
    expect(annual.billingPlans).toEqual([
      {
        paidOffer: {
          name: 'VIP Pass (annual plan)',
          description: 'Renews automatically at $49.99 per annual term.',
          term: 'ANNUAL',
          price: { formatted: '$49.99' },
        },
        trialOffers: [{ type: 'INTRO_OFFER', term: 'ANNUAL', maxTermCount: 1, name: 'First year $29.99', price: { amountInHundredths: 2999 } }],
      },
    ]);
    expect(data.monthly).toEqual({ id: expect.stringMatching(/^\d{16}$/), sku: 'vip_pass:SUBSCRIPTION__MONTHLY' });
    expect(data.gems).toEqual({ name: '500 Gems', price: { formatted: '$3.99' } });
    expect(data.missing).toBeNull();
    expect(h.upstream(ROUTES.availablePurchases)).toHaveLength(1);
  });
});

describe('User.subscriptions', () => {
  const FIELDS = `id sku owner { id } periodStart periodEnd nextRenewal cancelledAt isActive isTrial trialType currentPriceTerm { price term currency } nextPriceTerm { price term currency }`;

  test('every field, times as ISO DateTime', async () => {
    const data = await ok(`query($id: ID!) { user(id: $id) { subscriptions { ${FIELDS} } } }`, { id: PLAYER });
    const [s] = data.user.subscriptions;
    expect(s).toMatchObject({
      sku: 'vip_pass',
      owner: { id: PLAYER },
      cancelledAt: null,
      isActive: true,
      isTrial: false,
      trialType: null,
      currentPriceTerm: { price: '4.99', term: 'MONTHLY', currency: 'USD' },
      nextPriceTerm: { price: '4.99', term: 'MONTHLY', currency: 'USD' },
    });
    for (const time of [s.periodStart, s.periodEnd, s.nextRenewal]) expect(time).toMatch(ISO);
    expect(Date.parse(s.periodEnd)).toBeGreaterThan(Date.now());
  });

  test('a trial has a null term; filters apply; several views of one user cost one call', async () => {
    h.resetUpstream();
    const data = await ok(`{ trial: user(id: "${demoUserId(2)}") { subscriptions { isTrial trialType currentPriceTerm { price term } } }
      expired: user(id: "${EXPIRED}") { all: subscriptions { isActive } active: subscriptions(active: true) { id } inactive: subscriptions(active: false) { isActive } other: subscriptions(skus: ["gold_pass"]) { id } vip: subscriptions(skus: ["vip_pass"]) { sku } } }`);
    expect(data.trial.subscriptions).toEqual([{ isTrial: true, trialType: 'FREE_TRIAL', currentPriceTerm: { price: '0.00', term: null } }]);
    expect(data.expired).toEqual({ all: [{ isActive: false }], active: [], inactive: [{ isActive: false }], other: [], vip: [{ sku: 'vip_pass' }] });
    expect(h.upstream(ROUTES.subscriptions)).toHaveLength(2);
  });

  test('an invalid SKU filter is BAD_USER_INPUT', async () => {
    const result = await h.execute(`{ user(id: "${PLAYER}") { subscriptions(skus: ["ok", "not ok"]) { id } } }`);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'skus' });
  });
});

describe('cancelSubscription and extendSubscription', () => {
  test('cancel: still active until period end, no renewal; cancelling again is BAD_USER_INPUT', async () => {
    const cancel = () =>
      h.execute(
        `mutation { cancelSubscription(userId: "${PLAYER}", sku: "vip_pass", reason: PURCHASED_BY_MISTAKE) { cancelled sku user { id } subscription { isActive nextRenewal cancelledAt } } }`,
      );
    const first = await cancel();
    expect(first.errors).toBeUndefined();
    expect(first.data!.cancelSubscription).toMatchObject({
      cancelled: true,
      sku: 'vip_pass',
      user: { id: PLAYER },
      subscription: { isActive: true, nextRenewal: null },
    });
    expect(first.data!.cancelSubscription.subscription.cancelledAt).toMatch(ISO);
    expect(h.emulator.state.subscriptions.all.find((s) => s.owner_id === PLAYER)!.cancel_reason).toBe(4);
    const second = await cancel();
    expect(second.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { code: 100 } });
    expect(second.errors?.[0].message).toMatch(/already cancelled/);
  });

  test('cancelling an expired subscription is BAD_USER_INPUT', async () => {
    const result = await h.execute(`mutation { cancelSubscription(userId: "${EXPIRED}", sku: "vip_pass", reason: OTHER) { cancelled } }`);
    expect(result.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('extend returns the subscription re-read: period end and next renewal moved by the days', async () => {
    const before = (await ok(`{ user(id: "${PLAYER}") { subscriptions { periodEnd nextRenewal } } }`)).user.subscriptions[0];
    const data = await ok(
      `mutation { extendSubscription(userId: "${PLAYER}", sku: "vip_pass", days: 14) { extended sku subscription { periodEnd nextRenewal } } }`,
    );
    expect(data.extendSubscription.extended).toBe(true);
    const after = data.extendSubscription.subscription;
    expect(Date.parse(after.nextRenewal) - Date.parse(before.nextRenewal)).toBe(14 * DAY_MS);
    expect(Date.parse(after.periodEnd) - Date.parse(before.periodEnd)).toBe(14 * DAY_MS);
  });

  test('by ownerAlias: owner_alias is sent, and the payload names the subscriber it resolved to', async () => {
    h.resetUpstream();
    const data = await ok(
      `mutation { cancelSubscription(ownerAlias: "QuietStorm", sku: "vip_pass", reason: TECHNICAL) { cancelled sku user { id alias } subscription { owner { id } isActive nextRenewal } } }`,
    );
    expect(data.cancelSubscription).toEqual({
      cancelled: true,
      sku: 'vip_pass',
      user: { id: TRIAL, alias: 'QuietStorm' },
      subscription: { owner: { id: TRIAL }, isActive: true, nextRenewal: null },
    });
    const [write] = h.upstream(ROUTES.cancelSubscription);
    expect(write!.params).toMatchObject({ owner_alias: 'QuietStorm', sku: 'vip_pass', cancel_reason: '5' });
    expect(write!.params).not.toHaveProperty('owner_id');
    expect(h.emulator.state.subscriptions.all.find((x) => x.owner_id === TRIAL)!.cancel_reason).toBe(5);

    const extended = await ok(`mutation { extendSubscription(ownerAlias: "NovaRider", sku: "vip_pass", days: 2) { extended user { id } settledBy } }`);
    expect(extended.extendSubscription).toEqual({ extended: true, user: { id: PLAYER }, settledBy: 'REPLY' });
    expect(h.upstream(ROUTES.extendSubscription)[0]!.params).toMatchObject({ owner_alias: 'NovaRider', number_of_days: '2' });
  });

  test('exactly one of userId and ownerAlias, well formed: BAD_USER_INPUT before any upstream call', async () => {
    h.resetUpstream();
    for (const [mutation, args, argument] of [
      ['cancelSubscription', 'reason: OTHER', 'userId'],
      ['extendSubscription', 'days: 1', 'userId'],
      ['cancelSubscription', `userId: "${PLAYER}", ownerAlias: "NovaRider", reason: OTHER`, 'ownerAlias'],
      ['extendSubscription', `userId: "${PLAYER}", ownerAlias: "NovaRider", days: 1`, 'ownerAlias'],
      ['cancelSubscription', 'userId: null, ownerAlias: "two words", reason: OTHER', 'ownerAlias'],
      ['extendSubscription', 'ownerAlias: "", days: 1', 'ownerAlias'],
    ] as const) {
      const result = await h.execute(`mutation { ${mutation}(sku: "vip_pass", ${args}) { sku } }`);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    expect(h.upstream()).toHaveLength(0);
  });

  test('an alias without an active subscription to the tier is BAD_USER_INPUT, and nothing is written', async () => {
    h.resetUpstream();
    for (const alias of ['LunaByte', 'NoSuchPlayer']) {
      const result = await h.execute(`mutation { cancelSubscription(ownerAlias: "${alias}", sku: "vip_pass", reason: OTHER) { cancelled } }`);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ownerAlias' });
      expect(result.errors?.[0].message).toContain(alias);
    }
    expect(h.upstream(ROUTES.cancelSubscription)).toHaveLength(0);
    expect(h.upstream(ROUTES.subscriptions)).toHaveLength(2);
  });

  test("when Horizon refuses owners' aliases, ownerAlias is BAD_USER_INPUT (use userId) and nothing is written", async () => {
    const strict = await startHarness({ emulator: { behavior: { refuseGuessedFields: true } } });
    try {
      const result = await strict.execute(`mutation { extendSubscription(ownerAlias: "NovaRider", sku: "vip_pass", days: 3) { extended } }`);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ownerAlias' });
      expect(result.errors?.[0].message).toMatch(/userId/);
      expect(strict.upstream(ROUTES.extendSubscription)).toHaveLength(0);
      const byId = await strict.execute(`mutation { extendSubscription(userId: "${PLAYER}", sku: "vip_pass", days: 3) { extended } }`);
      expect(byId.data!.extendSubscription).toEqual({ extended: true });
    } finally {
      await strict.close();
    }
  });

  test('an idempotencyKey with ownerAlias: replayed for the same alias, refused with userId, the days added once', async () => {
    const extend = (who: string, key: string) =>
      h.execute(`mutation { extendSubscription(${who}, sku: "vip_pass", days: 4, idempotencyKey: "${key}") { extended settledBy user { id } } }`);
    const periodEnd = () => h.emulator.state.subscriptions.all.find((x) => x.owner_id === PLAYER)!.period_end;
    const before = periodEnd();
    expect((await extend('ownerAlias: "NovaRider"', 'alias-key-1')).data!.extendSubscription).toEqual({
      extended: true,
      settledBy: 'REPLY',
      user: { id: PLAYER },
    });
    h.resetUpstream();
    expect((await extend('ownerAlias: "NovaRider"', 'alias-key-1')).data!.extendSubscription).toEqual({
      extended: true,
      settledBy: 'REPLAYED',
      user: { id: PLAYER },
    });
    expect(h.upstream(ROUTES.extendSubscription)).toHaveLength(0);
    const reused = await extend(`userId: "${PLAYER}"`, 'alias-key-1');
    expect(reused.errors?.[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(periodEnd() - before).toBe(4 * 86_400);
  });

  test("a lost reply to an alias-named extend is settled by reading the resolved player's renewal back: applied once", async () => {
    const key = 'alias-lost-reply';
    const extend = () =>
      h.execute(`mutation { extendSubscription(ownerAlias: "NovaRider", sku: "vip_pass", days: 6, idempotencyKey: "${key}") { extended settledBy } }`);
    const periodEnd = () => h.emulator.state.subscriptions.all.find((x) => x.owner_id === PLAYER)!.period_end;
    const before = periodEnd();
    Object.assign(h.emulator.faults, { modes: ['reset_after'], errorRate: 1, routes: [ROUTES.extendSubscription] });
    let first;
    try {
      first = await extend();
    } finally {
      Object.assign(h.emulator.faults, { errorRate: 0 });
    }
    expect(first.data!.extendSubscription).toEqual({ extended: true, settledBy: 'READ_BACK' });
    expect((await extend()).data!.extendSubscription).toEqual({ extended: true, settledBy: 'REPLAYED' });
    expect(periodEnd() - before).toBe(6 * 86_400);
  });

  test('days outside 1..365 is BAD_USER_INPUT before any upstream call', async () => {
    h.resetUpstream();
    for (const days of [0, 366, -5]) {
      const result = await h.execute(`mutation { extendSubscription(userId: "${PLAYER}", sku: "vip_pass", days: ${days}) { extended } }`);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'days' });
    }
    expect(h.upstream()).toHaveLength(0);
  });
});
