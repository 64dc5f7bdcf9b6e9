/**
 * Per-request loaders for achievements. All definitions a request needs come from one
 * upstream call (the app's whole set, listed once), whatever fields ask for them and when; a
 * user's progress is one call per user, however many achievement fields the operation asks,
 * and it primes the definitions it carries. Progress records that do not name their
 * achievement are named from that same listing (through the shared cache), never another call.
 */
import type DataLoader from 'dataloader';
import type { AchievementDefinition, AchievementProgress } from '../../horizon/achievements.js';
import type { HorizonClient } from '../../horizon/client.js';
import { cachedLoader, eachLoader } from '../batch.js';
import type { LoaderOptions } from '../loaderOptions.js';
import type { SharedCaches } from '../sharedCache.js';

export interface AchievementLoaders {
  /** By api name, archived included; null when no such achievement exists. */
  definition: DataLoader<string, AchievementDefinition | null>;
  /** Every progress record of a user (untouched achievements have none). */
  progress: DataLoader<string, AchievementProgress[]>;
  /** Every definition of the app (archived ones only when asked), fetched at most once per request. */
  allDefinitions(includeArchived: boolean): Promise<AchievementDefinition[]>;
}

export function createAchievementLoaders(client: HorizonClient, { signal, onBatch }: LoaderOptions, caches: SharedCaches): AchievementLoaders {
  // Definitions are the same for every caller: served from the shared cache, misses answered
  // from ONE listing of the app's whole set per request (a game has tens of them, a page holds
  // 500), so a name asked on a later tick, or the full list, costs no second call. The listing
  // takes no request's signal: other requests may await it through the shared cache.
  let everyDefinition: Promise<AchievementDefinition[]> | undefined;
  const listEvery = () => {
    everyDefinition ??= client.achievements.listDefinitions({ includeArchived: true }).catch((error: unknown) => {
      everyDefinition = undefined;
      throw error;
    });
    return everyDefinition;
  };
  const fetchDefinitions = async (names: string[]) => {
    const found = new Map<string, AchievementDefinition | null>(names.map((n) => [n, null]));
    for (const d of await listEvery()) found.set(d.apiName, d);
    return found;
  };
  const definition = cachedLoader(onBatch, 'achievements.definition', caches.achievementDefinitions, fetchDefinitions);
  const lists = new Map<boolean, Promise<AchievementDefinition[]>>();
  const allDefinitions = (includeArchived: boolean) => {
    let list = lists.get(includeArchived);
    if (!list) {
      list = caches.achievementDefinitionLists
        .get(includeArchived ? 'archived' : 'active', async () => (await listEvery()).filter((d) => includeArchived || !d.archived))
        .then((definitions) => {
          for (const d of definitions) definition.prime(d.apiName, d);
          return definitions;
        });
      lists.set(includeArchived, list);
    }
    return list;
  };
  const progress = eachLoader(onBatch, 'achievements.progress', async (userId: string) => {
    // Archived too: a player keeps progress on an archived achievement.
    const records = await client.achievements.listProgress(userId, { signal, definitions: () => allDefinitions(true) });
    // Progress carries its full definition: no need to ask for it again.
    for (const record of records) {
      if (!record.definition) continue;
      definition.prime(record.apiName, record.definition);
      caches.achievementDefinitions.set(record.apiName, record.definition);
    }
    return records;
  });
  return { definition, progress, allDefinitions };
}
