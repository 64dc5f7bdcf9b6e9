/** Per-request loaders for federated users: one upstream call per distinct user per request. */
import DataLoader from 'dataloader';
import type { FederatedUser } from '../../horizon/accounts.js';
import type { HorizonClient } from '../../horizon/client.js';
import { loadEach, observed } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface AccountLoaders {
  /** A federated user by Horizon id (`GET /{id}`); null when there is none. */
  federatedUser: DataLoader<string, FederatedUser | null>;
  /** A federated user by persistent id (`GET /{federated_app_id}/federated_users?persistent_id=`); null when there is none. */
  federatedUserByPersistentId: DataLoader<string, FederatedUser | null>;
}

export function createAccountLoaders(client: HorizonClient, { signal, onBatch }: LoaderOptions): AccountLoaders {
  const federatedUser = new DataLoader<string, FederatedUser | null>(
    observed(onBatch, 'accounts.federatedUser', (ids) => loadEach(ids, (id) => client.accounts.getFederatedUser(id, signal))),
  );
  const federatedUserByPersistentId = new DataLoader<string, FederatedUser | null>(
    observed(onBatch, 'accounts.federatedUserByPersistentId', (ids) => loadEach(ids, (id) => client.accounts.findFederatedUser(id, signal))),
  );
  return { federatedUser, federatedUserByPersistentId };
}
