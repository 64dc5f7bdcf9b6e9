/** Every domain's resolvers, merged into one map for `buildSubgraphSchema`. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { achievementResolvers } from './achievements/resolvers.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './scalars.js';
import { userResolvers } from './users/resolvers.js';

const domains = [userResolvers, achievementResolvers];

export function buildResolvers(): GraphQLResolverMap<unknown> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const [typeName, fields] of Object.entries(domain)) {
      merged[typeName] = { ...merged[typeName], ...fields };
    }
  }
  return { DateTime: DateTimeScalar, ...merged } as unknown as GraphQLResolverMap<unknown>;
}
