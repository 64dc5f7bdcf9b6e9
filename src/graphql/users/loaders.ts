/** Per-request loaders for users: one upstream call per distinct user per request. */
import DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import { CODE_INVALID_PARAMETER, HorizonApiError, SUBCODE_UNKNOWN_NODE } from '../../horizon/errors.js';
import type { HorizonUser } from '../../horizon/users.js';
import { loadEach } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface UserLoaders {
  /** A user's profile by app-scoped id; null when Horizon has no such user. */
  profile: DataLoader<string, HorizonUser | null>;
}

export function createUserLoaders(client: HorizonClient, { signal }: LoaderOptions): UserLoaders {
  return {
    profile: new DataLoader((userIds) =>
      loadEach(userIds, async (userId) => {
        try {
          return await client.users.get(userId, signal);
        } catch (error) {
          if (isUnknownNode(error)) return null;
          throw error;
        }
      }),
    ),
  };
}

function isUnknownNode(error: unknown): boolean {
  return error instanceof HorizonApiError && error.code === CODE_INVALID_PARAMETER && error.subcode === SUBCODE_UNKNOWN_NODE;
}
