/** What the achievements resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { AchievementDefinition, AchievementProgress, AchievementWriteResult } from '../../horizon/achievements.js';
import type { Settlement } from '../../idempotency/ledger.js';

/** A player's progress on one definition; `record` is absent for achievements never touched. */
export interface ProgressParent {
  userId: string;
  definition: AchievementDefinition;
  record: AchievementProgress | undefined;
}

export interface WritePayloadParent {
  userId: string;
  definition: AchievementDefinition;
  result: AchievementWriteResult;
  settledBy: Settlement;
}
