/** Per-request loaders for users: one upstream call per distinct user per request. */
import DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import { CODE_INVALID_PARAMETER, HorizonApiError, SUBCODE_UNKNOWN_NODE } from '../../horizon/errors.js';
import type { HorizonUser } from '../../horizon/users.js';
import { loadEach, observed } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';

export interface UserLoaders {
  /**
   * A user's profile by app-scoped id; null when Horizon has no such user. Other domains prime
   * it with the users nested in their answers, which lack the avatar.
   */
  profile: DataLoader<string, HorizonUser | null>;
  /**
   * The user as `GET /{user_id}` itself returns it (with the avatar), never primed: at most one
   * call per user per request, shared with `profile` when that one was fetched, not primed.
   */
  ownProfile(userId: string): Promise<HorizonUser | null>;
  /** The calling player (`GET /me` with their token), fetched at most once per request. */
  viewer(): Promise<HorizonUser>;
}

export function createUserLoaders(client: HorizonClient, { signal, userToken, onBatch }: LoaderOptions): UserLoaders {
  let viewer: Promise<HorizonUser> | undefined;
  /** `GET /{user_id}` per user, once per request. */
  const fetched = new Map<string, Promise<HorizonUser | null>>();
  const fetch = (userId: string): Promise<HorizonUser | null> => {
    let user = fetched.get(userId);
    if (!user) {
      user = client.users.get(userId, signal).catch((error: unknown) => {
        if (isUnknownNode(error)) return null;
        throw error;
      });
      fetched.set(userId, user);
    }
    return user;
  };
  const profile = new DataLoader<string, HorizonUser | null>(observed(onBatch, 'users.profile', (userIds) => loadEach(userIds, fetch)));
  return {
    profile,
    ownProfile: fetch,
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
