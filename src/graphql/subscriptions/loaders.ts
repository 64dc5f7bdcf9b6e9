/** Per-request loaders for subscriptions: one listing per user per request; the field's filters apply locally. */
import type DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import type { Subscription } from '../../horizon/subscriptions.js';
import { eachLoader } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface SubscriptionLoaders {
  /** Every subscription of a user, past and present. Cleared by every purchase or subscription write for the user. */
  ofUser: DataLoader<string, Subscription[]>;
}

export function createSubscriptionLoaders(client: HorizonClient, { signal, onBatch }: LoaderOptions): SubscriptionLoaders {
  return {
    // The metric's loader label is the one it had when subscriptions were loaded with purchases: dashboards read it.
    ofUser: eachLoader(onBatch, 'purchases.subscriptions', (ownerId: string) => client.subscriptions.list({ ownerId, signal })),
  };
}
