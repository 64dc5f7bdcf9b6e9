/**
 * Limits on what one operation may ask, so a hostile or careless query cannot turn into
 * thousands of Horizon calls or a runaway response:
 *
 * - size: at most `maxTokens` lexical tokens (graphql-js's own parser limit);
 * - shape: depth, aliases and directives (graphql-armor validation rules);
 * - cost: an estimate of the Horizon calls the operation can make, computed once the
 *   variables are known, so list sizes (`first`, `apiNames`, the router's `representations`)
 *   multiply what is asked of each item. The costs are the schema's own `@cost`, `@listSize`
 *   and `@costGroup` (schema/*.graphql), read once at start-up (src/graphql/costModel.ts);
 *   src/graphql/cost.ts estimates with them.
 *
 * Every refusal is a `QueryTooComplexError`, reported as `extensions.code: QUERY_TOO_COMPLEX`
 * (HTTP 400) before any resolver runs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type FragmentDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';
import { estimateCost } from './cost.js';
import { costModelOf } from './costModel.js';
import { QueryTooComplexError, type QueryLimitKind } from './queryLimitError.js';

export { QUERY_TOO_COMPLEX, QueryTooComplexError } from './queryLimitError.js';
export { estimateCost } from './cost.js';

export interface QueryLimits {
  /** Deepest field nesting (fragments do not count as a level). */
  maxDepth: number;
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: number;
  /** Largest estimated cost: roughly the Horizon calls the operation may make, before batching and caching. */
  maxCost: number;
  /** Largest document, in lexical tokens. */
  maxTokens: number;
}

/** Directives per operation: no legitimate operation comes near it. */
const MAX_DIRECTIVES = 50;

/** graphql-armor's messages end with "..., found N." */
function foundIn(message: string): number | undefined {
  const match = /found (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function reporter(limit: QueryLimitKind, max: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(new QueryTooComplexError(limit, max, foundIn(error.message)));
  };
}

/**
 * Depth, alias and directive limits: graphql-armor's validation rules (they need no variables),
 * each refusal reported as a QueryTooComplexError. Its cost rule is off (it cannot size lists by
 * variables: `queryCostPlugin` does), and so are its token plugin (graphql-js's parser limit,
 * `parseOptions.maxTokens`, does it) and its suggestion mask (Apollo's
 * `hideSchemaDetailsFromClientErrors` and `formatError` do it in production). Subscription
 * operations are refused too (`noSubscriptionsRule`).
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  const { validationRules } = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    maxDepth: { ...common, n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, onReject: [reporter('depth', limits.maxDepth)] },
    maxAliases: { ...common, n: limits.maxAliases, onReject: [reporter('aliases', limits.maxAliases)] },
    maxDirectives: { ...common, n: MAX_DIRECTIVES, onReject: [reporter('directives', MAX_DIRECTIVES)] },
  }).protect();
  return [...validationRules, noSubscriptionsRule];
}

/**
 * Refuses subscription operations with a clear message: the subgraph serves none (a player's
 * add-on subscriptions are the `PlayerSubscription` type, never a root).
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(new GraphQLError('This subgraph serves queries and mutations only, not subscription operations', { nodes: node }));
    }
  },
});

/** The cost limit: once the operation and its variables are known, before anything executes. */
export function queryCostPlugin(limits: QueryLimits): ApolloServerPlugin<any> {
  return {
    // Reads the costs from the schema's directives once, now: a malformed one fails the start.
    async serverWillStart({ schema }) {
      costModelOf(schema);
    },
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
          const cost = estimateCost(schema, fragments, operation, request.variables ?? {});
          if (cost > limits.maxCost) throw new QueryTooComplexError('cost', limits.maxCost, Number.isFinite(cost) ? Math.ceil(cost) : undefined);
        },
      };
    },
  };
}
