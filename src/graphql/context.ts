/** What every resolver receives: the caller's request identity and per-request loaders. */
import type { Logger } from 'pino';
import type { HorizonClient } from '../horizon/client.js';
import { createAchievementLoaders, type AchievementLoaders } from './achievements/loaders.js';
import { createUserLoaders, type UserLoaders } from './users/loaders.js';

export interface Loaders {
  achievements: AchievementLoaders;
  users: UserLoaders;
}

export interface Context {
  requestId: string;
  horizon: HorizonClient;
  loaders: Loaders;
  logger: Logger;
}

export function createContext(options: { horizon: HorizonClient; logger: Logger; requestId: string; signal?: AbortSignal }): Context {
  const { horizon, signal } = options;
  return {
    requestId: options.requestId,
    horizon,
    logger: options.logger,
    loaders: {
      achievements: createAchievementLoaders(horizon, signal),
      users: createUserLoaders(horizon, signal),
    },
  };
}
