/** Per-request loaders for users: one upstream call per distinct user per request. */
import type DataLoader from 'dataloader';
import type { HorizonClient } from '../../horizon/client.js';
import type { HorizonUser, ProfileField } from '../../horizon/users.js';
import { eachLoader, nullIfUnknown } from '../batch.js';
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
  /**
   * Caches a profile read nested in another answer (a leaderboard entry's player). A complete
   * one answers every field; one with `missingFields` answers only the others.
   */
  primeNested(user: HorizonUser): void;
  /**
   * One profile field: from a nested profile that has it, else from the profile
   * (`GET /{user_id}`); undefined when Horizon has no such user.
   */
  field<F extends ProfileField>(userId: string, field: F): Promise<HorizonUser[F] | undefined>;
}

export function createUserLoaders(client: HorizonClient, { signal, userToken, onBatch }: LoaderOptions): UserLoaders {
  let viewer: Promise<HorizonUser> | undefined;
  /** `GET /{user_id}` per user, once per request. */
  const fetched = new Map<string, Promise<HorizonUser | null>>();
  const fetch = (userId: string): Promise<HorizonUser | null> => {
    let user = fetched.get(userId);
    if (!user) {
      user = nullIfUnknown(client.users.get(userId, signal));
      fetched.set(userId, user);
    }
    return user;
  };
  const profile = eachLoader(onBatch, 'users.profile', fetch);
  // Nested profiles that lack some fields, by user id; complete ones go straight into `profile`.
  const partial = new Map<string, HorizonUser>();
  return {
    profile,
    ownProfile: fetch,
    primeNested(user) {
      if (user.missingFields?.length) partial.set(user.id, user);
      else profile.prime(user.id, user);
    },
    async field(userId, field) {
      const nested = partial.get(userId);
      if (nested && !nested.missingFields!.includes(field)) return nested[field];
      const found = await profile.load(userId);
      return found ? found[field] : undefined;
    },
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
