/** Every domain's resolvers, merged into one map for `buildSubgraphSchema`. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { achievementResolvers } from './achievements/resolvers.js';
import type { Resolvers } from './generated/types.js';
import { DateTimeScalar, LongScalar } from './scalars.js';
import { leaderboardResolvers } from './leaderboards/resolvers.js';
import { purchaseResolvers } from './purchases/resolvers.js';
import { roomResolvers } from './rooms/resolvers.js';
import { userResolvers } from './users/resolvers.js';

// Each domain is checked where it is defined (`satisfies Resolvers`, types generated from schema/
// by `npm run codegen`).
const domains: Resolvers[] = [userResolvers, achievementResolvers, leaderboardResolvers, purchaseResolvers, roomResolvers];
const scalars: Resolvers = { DateTime: DateTimeScalar, Long: LongScalar };

export function buildResolvers(): GraphQLResolverMap<unknown> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const [typeName, fields] of Object.entries(domain)) {
      merged[typeName] = { ...merged[typeName], ...fields };
    }
  }
  return { ...scalars, ...merged } as unknown as GraphQLResolverMap<unknown>;
}
