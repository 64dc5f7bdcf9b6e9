/** The executable schema: the SDL of schema/ (src/schema.ts), every domain's resolvers, and the caller checks. */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { applyAuthorization } from '../auth/directives.js';
import { withoutAuthDirectives, type SdlAuthDirectives } from '../auth/publishedSdl.js';
import { loadTypeDefs } from '../schema.js';
import { accountResolvers } from './accounts/resolvers.js';
import { achievementResolvers } from './achievements/resolvers.js';
import type { Resolvers } from './generated/types.js';
import { integrityResolvers } from './integrity/resolvers.js';
import { leaderboardResolvers } from './leaderboards/resolvers.js';
import { purchaseResolvers } from './purchases/resolvers.js';
import { roomResolvers } from './rooms/resolvers.js';
import { DateTimeScalar, LongScalar } from './scalars.js';
import { subscriptionResolvers } from './subscriptions/resolvers.js';
import { userResolvers } from './users/resolvers.js';
import { webhookResolvers } from './webhooks/resolvers.js';

/** What `buildSubgraphSchema` takes as resolvers, named through its public signature. */
export type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;

// Each domain is checked where it is defined (`satisfies Resolvers`, types generated from schema/
// by `npm run codegen`).
const domains: Resolvers[] = [
  userResolvers,
  accountResolvers,
  achievementResolvers,
  leaderboardResolvers,
  purchaseResolvers,
  subscriptionResolvers,
  roomResolvers,
  webhookResolvers,
  integrityResolvers,
];
const scalars: Resolvers = { DateTime: DateTimeScalar, Long: LongScalar };

/** Every domain's resolvers, merged into one map (the cost test reads which fields reach Horizon). */
export function buildResolvers(): SubgraphResolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const [typeName, fields] of Object.entries(domain)) merged[typeName] = { ...merged[typeName], ...fields };
  }
  return { ...scalars, ...merged } as unknown as SubgraphResolvers;
}

/**
 * Every field guarded by @authenticated/@requiresScopes checks the caller first (src/auth/directives.ts).
 * `sdlAuthDirectives: 'omit'` changes only what `_service { sdl }` publishes (src/auth/publishedSdl.ts).
 */
export function buildSchema(typeDefs = loadTypeDefs(), sdlAuthDirectives: SdlAuthDirectives = 'publish'): GraphQLSchema {
  const schema = applyAuthorization(buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: buildResolvers() }));
  if (sdlAuthDirectives === 'omit') {
    const service = schema.getQueryType()!.getFields()._service!;
    const { sdl } = (service.resolve as () => { sdl: string })();
    const published = { sdl: withoutAuthDirectives(sdl) };
    service.resolve = () => published;
  }
  return schema;
}
