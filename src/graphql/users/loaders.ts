/** Per-request loaders for users: one upstream call per distinct user per request. */
import DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import { CODE_INVALID_PARAMETER, HorizonApiError, SUBCODE_UNKNOWN_NODE } from '../../horizon/errors.js';
import type { HorizonUser } from '../../horizon/users.js';
import { loadEach, observed } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface UserLoaders {
  /** A user's profile by app-scoped id; null when Horizon has no such user. */
  profile: DataLoader<string, HorizonUser | null>;
  /** The calling player (`GET /me` with their token), fetched at most once per request. */
  viewer(): Promise<HorizonUser>;
}

export function createUserLoaders(client: HorizonClient, { signal, userToken, onBatch }: LoaderOptions): UserLoaders {
  let viewer: Promise<HorizonUser> | undefined;
  const profile = new DataLoader<string, HorizonUser | null>(
    observed(onBatch, 'users.profile', (userIds) =>
      loadEach(userIds, async (userId) => {
        try {
          return await client.users.get(userId, signal);
        } catch (error) {
          if (isUnknownNode(error)) return null;
          throw error;
        }
      }),
    ),
  );
  return {
    profile,
    viewer() {
      if (!userToken) return Promise.reject(new Error('viewer() needs a user token: check requireUserToken first'));
      viewer ??= client.users.me(userToken, signal).then((me) => {
        profile.prime(me.id, me);
        return me;
      });
      return viewer;
    },
  };
}

function isUnknownNode(error: unknown): boolean {
  return error instanceof HorizonApiError && error.code === CODE_INVALID_PARAMETER && error.subcode === SUBCODE_UNKNOWN_NODE;
}
