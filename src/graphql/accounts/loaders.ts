/** Per-request loaders for federated users: one upstream call per distinct user per request. */
import type DataLoader from 'dataloader';
import type { FederatedUser } from '../../horizon/accounts.js';
import type { HorizonClient } from '../../horizon/client.js';
import { eachLoader } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface AccountLoaders {
  /** A federated user by Horizon id (`GET /{id}`); null when there is none. */
  federatedUser: DataLoader<string, FederatedUser | null>;
  /** A federated user by persistent id (`GET /{federated_app_id}/federated_users?persistent_id=`); null when there is none. */
  federatedUserByPersistentId: DataLoader<string, FederatedUser | null>;
}

export function createAccountLoaders(client: HorizonClient, { signal, onBatch }: LoaderOptions): AccountLoaders {
  return {
    federatedUser: eachLoader(onBatch, 'accounts.federatedUser', (id: string) => client.accounts.getFederatedUser(id, signal)),
    federatedUserByPersistentId: eachLoader(onBatch, 'accounts.federatedUserByPersistentId', (id: string) => client.accounts.findFederatedUser(id, signal)),
  };
}
