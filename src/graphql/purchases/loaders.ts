/** Per-request loaders for purchases, entitlements, the catalog and subscriptions. */
import type { HorizonClient } from '../../horizon/client.js';
import type { LoaderOptions } from '../loaderOptions.js';

export type PurchaseLoaders = Record<string, never>;

export function createPurchaseLoaders(_client: HorizonClient, _options: LoaderOptions): PurchaseLoaders {
  return {};
}
