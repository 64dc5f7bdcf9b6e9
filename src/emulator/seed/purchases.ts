/** The demo store: the catalog (add-ons and the VIP subscription's terms) and who owns what. */
import type { EmulatedEntitlement, EmulatedItem, EmulatedPrice, EmulatedTrialOffer, OfferTerm } from '../data/purchases.js';
import { DAY_SECONDS } from '../graph.js';
import type { EmulatorState } from '../state.js';
import { demoUserId } from './demo.js';

const usd = (hundredths: number): EmulatedPrice => ({ currency: 'USD', amount_in_hundredths: hundredths, formatted: `$${(hundredths / 100).toFixed(2)}` });

/** The demo tier and its two terms, each with a trial offer. */
export const DEMO_SUBSCRIPTION_SKU = 'vip_pass';

/**
 * A deterministic store: two durables of each kind a game sells (DLC, cosmetics), three gem
 * packs, and a VIP subscription with MONTHLY (first month free) and ANNUAL (intro price)
 * terms. Player 0 owns the app, a durable and an unconsumed consumable; others own a mix;
 * player 4 owns six items (paging); player 11 owns nothing, not even the app.
 */
export function seedPurchases(state: EmulatorState): void {
  const purchases = state.purchases;
  const addItem = (
    sku: string,
    itemType: EmulatedItem['item_type'],
    name: string,
    description: string,
    price: EmulatedPrice,
    extra: Partial<EmulatedItem> = {},
  ) => {
    const item: EmulatedItem = { id: state.newId(), sku, item_type: itemType, current_offer: { id: state.newId(), name, description, price }, ...extra };
    purchases.items.set(sku, item);
    return item;
  };
  addItem('dlc_frozen_peaks', 'DURABLE', 'Frozen Peaks Expansion', 'Three new mountain tracks and a snowboard.', usd(999));
  addItem('skin_neon_visor', 'DURABLE', 'Neon Visor', 'A glowing visor for your avatar.', usd(299));
  addItem('skin_golden_armor', 'DURABLE', 'Golden Armor', 'A full set of golden armor.', usd(499));
  addItem('gems_100', 'CONSUMABLE', '100 Gems', 'A pouch of 100 gems.', usd(99));
  addItem('gems_500', 'CONSUMABLE', '500 Gems', 'A chest of 500 gems.', usd(399));
  addItem('gems_1200', 'CONSUMABLE', '1200 Gems', 'A vault of 1200 gems.', usd(799));
  const term = (t: OfferTerm, price: EmulatedPrice, trial: Omit<EmulatedTrialOffer, 'id' | 'max_term_count'>) =>
    addItem(`${DEMO_SUBSCRIPTION_SKU}:SUBSCRIPTION__${t}`, 'SUBSCRIPTION', `VIP Pass (${t.toLowerCase()})`, 'Double XP and a monthly skin drop.', price, {
      subscription_sku: DEMO_SUBSCRIPTION_SKU,
      billing_plans: [
        {
          paid_offer: {
            id: state.newId(),
            name: `VIP Pass (${t.toLowerCase()} plan)`,
            description: `Renews automatically at ${price.formatted} per ${t.toLowerCase()} term.`,
            price,
            subscription_term: t,
          },
          trial_offers: [{ id: state.newId(), max_term_count: 1, ...trial }],
        },
      ],
    });
  term('MONTHLY', usd(499), {
    trial_type: 'FREE_TRIAL',
    trial_term: 'MONTHLY',
    price: usd(0),
    name: 'First month free',
    description: 'Try VIP free for a month.',
  });
  term('ANNUAL', usd(4999), {
    trial_type: 'INTRO_OFFER',
    trial_term: 'ANNUAL',
    price: usd(2999),
    name: 'First year $29.99',
    description: 'Your first year at a lower price.',
  });

  const base = 1_750_000_000;
  for (let i = 0; i <= 10; i++) purchases.appOwners.set(demoUserId(i), base - 30 * DAY_SECONDS + i * DAY_SECONDS);
  const own: Array<[player: number, skus: string[]]> = [
    [0, ['dlc_frozen_peaks', 'gems_100']],
    [1, ['skin_neon_visor', 'gems_500']],
    [2, ['dlc_frozen_peaks', 'skin_neon_visor']],
    [3, ['gems_1200']],
    [4, ['dlc_frozen_peaks', 'skin_neon_visor', 'skin_golden_armor', 'gems_100', 'gems_500', 'gems_1200']],
  ];
  for (const [player, skus] of own) {
    const owned = purchases.entitlementsOf(demoUserId(player));
    skus.forEach((sku, k) => {
      const entitlement: EmulatedEntitlement = {
        id: state.newId(),
        sku,
        item_id: purchases.items.get(sku)!.id,
        grant_time: base + player * DAY_SECONDS + k * 3600,
      };
      owned.set(sku, entitlement);
    });
  }
}
