/**
 * Per-request loaders for entitlements, purchases and the catalog (subscriptions: ../subscriptions/loaders.ts).
 *
 * - Entitlements: one `verify_entitlement` per distinct (user, SKU) per request. Graph has no
 *   multi-SKU verify, so the only batching left is reuse: when this request is also listing
 *   the user's purchases, a SKU found there with no expiration (a durable or an unconsumed
 *   consumable) is owned, with that grant time, and verify is skipped. Only positive answers
 *   are taken from the list: an absent SKU may be on a page not fetched, and subscription
 *   entries are left to verify because viewer_purchases' expiration runs days past the real
 *   one (docs/horizon-api.md quirk). The base app is never in the list, so it is always verified.
 * - Purchases: each page fetched at most once per request, keyed by (user, limit, cursor).
 * - Catalog: one listing (all pages) per request, shared by `products` and `product(sku:)`.
 * After a write, `clearUser` drops everything cached about that user, so later reads in the
 * same request see the change.
 */
import type { HorizonClient } from '../../horizon/client.js';
import type { Page } from '../../horizon/params.js';
import type { EntitlementCheck, Product, Purchase } from '../../horizon/purchases.js';
import { eachLoader } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';
import type { SharedCaches } from '../sharedCache.js';

export interface PurchaseLoaders {
  /** Whether the user owns the SKU; `null` for the base application. */
  entitlement(userId: string, sku: string | null): Promise<EntitlementCheck>;
  /** One page of viewer_purchases, fetched at most once per (user, limit, after). */
  purchasesPage(userId: string, limit: number, after: string | undefined): Promise<Page<Purchase>>;
  /** The whole catalog (app token), fetched at most once per request. */
  products(): Promise<Product[]>;
  /** Forgets what this request cached about the user: call after any write for them. */
  clearUser(userId: string): void;
}

export function createPurchaseLoaders(client: HorizonClient, { signal, onBatch }: LoaderOptions, caches: SharedCaches): PurchaseLoaders {
  /** user id → page key → page. */
  const pages = new Map<string, Map<string, Promise<Page<Purchase>>>>();
  /** user id → entitlement keys loaded, so clearUser can find them. */
  const entitlementKeys = new Map<string, Set<string>>();
  let products: Promise<Product[]> | undefined;

  /** An answer from purchases this request already listed, or undefined to ask verify. */
  async function fromListedPurchases(userId: string, sku: string): Promise<EntitlementCheck | undefined> {
    const listed = [...(pages.get(userId)?.values() ?? [])];
    for (const pending of listed) {
      const page = await pending.catch(() => undefined);
      const purchase = page?.items.find((p) => p.sku === sku && p.expiresAt === null);
      if (purchase) return { owned: true, grantedAt: purchase.grantedAt };
    }
    return undefined;
  }

  // Keys are `${userId}:${sku}`; ids are digits only, so the first `:` splits them (SKUs may hold `:`).
  const entitlement = eachLoader(onBatch, 'purchases.entitlement', async (key: string): Promise<EntitlementCheck> => {
    const split = key.indexOf(':');
    const userId = key.slice(0, split);
    const sku = key.slice(split + 1);
    if (sku === '') return client.purchases.verifyEntitlement(userId, undefined, signal);
    return (await fromListedPurchases(userId, sku)) ?? client.purchases.verifyEntitlement(userId, sku, signal);
  });

  return {
    entitlement(userId, sku) {
      const key = `${userId}:${sku ?? ''}`;
      let keys = entitlementKeys.get(userId);
      if (!keys) entitlementKeys.set(userId, (keys = new Set()));
      keys.add(key);
      return entitlement.load(key);
    },
    purchasesPage(userId, limit, after) {
      let byKey = pages.get(userId);
      if (!byKey) pages.set(userId, (byKey = new Map()));
      const pageKey = `${limit}:${after ?? ''}`;
      let page = byKey.get(pageKey);
      if (!page) {
        page = client.purchases.listPurchases(userId, { limit, after, signal });
        byKey.set(pageKey, page);
      }
      return page;
    },
    products() {
      // The app token's catalog is the same for every caller: shared across requests.
      products ??= caches.catalog.get('all', () => client.purchases.listAvailable());
      return products;
    },
    clearUser(userId) {
      pages.delete(userId);
      for (const key of entitlementKeys.get(userId) ?? []) entitlement.clear(key);
      entitlementKeys.delete(userId);
    },
  };
}
