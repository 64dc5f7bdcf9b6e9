/** Per-request loaders for leaderboards. */
import type { HorizonClient } from '../../horizon/client.js';
import type { LoaderOptions } from '../loaderOptions.js';
import type { UserLoaders } from '../users/loaders.js';

export type LeaderboardLoaders = Record<string, never>;

export function createLeaderboardLoaders(_client: HorizonClient, _options: LoaderOptions, _users: UserLoaders): LeaderboardLoaders {
  return {};
}

