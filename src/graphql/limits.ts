/**
 * Limits on what one operation may ask, so a hostile or careless query cannot turn into
 * thousands of Horizon calls or a runaway response:
 *
 * - size: at most `maxTokens` lexical tokens (graphql-js's own parser limit);
 * - shape: depth, aliases and directives (graphql-armor validation rules);
 * - cost: an estimate of the Horizon calls the operation can make, computed once the
 *   variables are known, so list sizes (`first`, `apiNames`, the router's `representations`)
 *   multiply what is asked of each item.
 *
 * Every refusal is a `QueryTooComplexError`, reported as `extensions.code: QUERY_TOO_COMPLEX`
 * (HTTP 400) before any resolver runs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { MAX_ENTRIES_PAGE } from './leaderboards/connection.js';
import { MAX_PURCHASES_PAGE } from './purchases/connection.js';
import { QueryTooComplexError, type QueryLimitKind } from './queryLimitError.js';

export { QUERY_TOO_COMPLEX, QueryTooComplexError } from './queryLimitError.js';

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

/**
 * Calibrated so a router's `_entities` fetch of 100 representations passes with room to spare
 * (100 `User`s with a profile field, achievements and a leaderboard entry cost 300; 100
 * `AchievementDefinition`s cost 100), while lists of players nested in lists of players,
 * hundreds of aliases, or many full pages of entries with purchases do not.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxAliases: 30,
  maxCost: 1000,
  maxTokens: 10_000,
};

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

// --- The cost model ----------------------------------------------------------------------------
//
// cost(field) = own + items × cost(sub-selection), summed over an operation's fields, where
// `own` is the Horizon calls one resolution of the field makes (0 for fields read from their
// parent), and `items` is how many objects a list field returns. Batching and caching are
// ignored: the estimate bounds the work even when every loader and cache misses.

/** Horizon calls per resolution. Fields naming the same group share one call per parent object. */
const FIELD_COST: Record<string, number | { group: string }> = {
  'Query.user': 1,
  'Query.viewer': 1,
  'Query.achievementDefinitions': 1,
  'Query.achievementDefinition': 1,
  'Query.leaderboards': 1,
  'Query.leaderboard': 1,
  'Query.products': 1,
  'Query.product': 1,
  'Query.moderatedRoom': 1,
  // One profile read per player, whichever profile fields are asked.
  'User.alias': { group: 'profile' },
  'User.displayName': { group: 'profile' },
  'User.profileUrl': { group: 'profile' },
  'User.orgScopedId': { group: 'profile' },
  // One progress read per player for every achievement field.
  'User.achievements': { group: 'progress' },
  'User.achievement': { group: 'progress' },
  'User.leaderboardEntry': 1,
  'User.purchases': 1,
  'User.entitlement': 1,
  'User.ownsApp': 1,
  'User.subscriptions': { group: 'subscriptions' },
  'Leaderboard.entries': 1,
  'LeaderboardEntry.leaderboard': 1,
  'AchievementWritePayload.progress': 1,
  'SubmitLeaderboardScorePayload.leaderboard': 1,
  'UpsertLeaderboardPayload.leaderboard': 1,
  'DeleteLeaderboardEntryPayload.leaderboard': 1,
  'RemoveAllLeaderboardEntriesPayload.leaderboard': 1,
  'CancelSubscriptionPayload.subscription': 1,
  'ExtendSubscriptionPayload.subscription': 1,
};

/** A write with its checks and read-backs (definition or board, snapshot, write, settle). */
const MUTATION_COST = 5;

/** What resolving one `_entities` representation costs before any field is asked. */
const REFERENCE_COST: Record<string, number> = { User: 0, AchievementDefinition: 1, Leaderboard: 1, LeaderboardEntry: 1 };

/** Items assumed in lists whose size no argument states (the app's definitions, boards, catalog, ...). */
const ASSUMED_LIST_SIZE: Record<string, number> = {
  'User.achievements': 50,
  'Query.achievementDefinitions': 50,
  'Query.leaderboards': 10,
  'Query.products': 50,
  'ModeratedRoom.users': 100,
};
const DEFAULT_LIST_SIZE = 10;

/** List arguments and page sizes past these are refused by the resolvers; the estimate stops there too. */
const LIST_ARGUMENT_CAP = 100;
const PAGE_CAP: Record<string, number> = { 'Leaderboard.entries': MAX_ENTRIES_PAGE, 'User.purchases': MAX_PURCHASES_PAGE };

/** Nodes visited before the estimate gives up and calls the operation too costly (fragment bombs). */
const WORK_BUDGET = 200_000;

/**
 * The estimated cost of one operation with its variables; `Infinity` when it is too large to
 * even estimate. Variables that do not coerce cost nothing here: execution refuses them.
 */
export function estimateCost(
  schema: GraphQLSchema,
  fragments: readonly FragmentDefinitionNode[],
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (coerced.errors) return 0;
  const rootType =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!rootType) return 0;
  const estimator = new CostEstimator(schema, new Map(fragments.map((f) => [f.name.value, f])), coerced.coerced);
  try {
    return estimator.selectionCost(rootType, [operation.selectionSet], undefined);
  } catch (error) {
    if (error instanceof BudgetExceeded) return Infinity;
    throw error;
  }
}

class BudgetExceeded extends Error {}

class CostEstimator {
  private work = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** The cost of selections on one object of `type`; `pageSize` sizes a connection's lists. */
  selectionCost(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], pageSize: number | undefined): number {
    const fields = this.collectFields(type, selectionSets);
    const groups = new Set<string>();
    let total = 0;
    for (const nodes of fields.values()) {
      const node = nodes[0]!;
      const name = node.name.value;
      if (name.startsWith('__')) continue;
      const definition = type.getFields()[name];
      if (!definition) continue;
      const key = `${type.name}.${name}`;
      let own = type === this.schema.getMutationType() ? MUTATION_COST : 0;
      const weight = FIELD_COST[key];
      if (typeof weight === 'number') own += weight;
      else if (weight && !groups.has(weight.group)) {
        groups.add(weight.group);
        own += 1;
      }
      total += own + this.fieldChildrenCost(type, definition, nodes, pageSize);
    }
    return total;
  }

  private fieldChildrenCost(parent: GraphQLObjectType, definition: GraphQLField<unknown, unknown>, nodes: FieldNode[], pageSize: number | undefined): number {
    const subSelections = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => s !== undefined);
    if (subSelections.length === 0) return 0;
    const key = `${parent.name}.${definition.name}`;
    const args = this.argumentsOf(definition, nodes[0]!);
    const returnType = getNamedType(definition.type);

    if (key === 'Query._entities') return this.entitiesCost(args.representations, subSelections);

    // A field with `first` returns a connection whose lists hold `first` items.
    const first = 'first' in args ? clampCount(args.first, PAGE_CAP[key] ?? LIST_ARGUMENT_CAP) : undefined;
    let items = 1;
    if (isListType(getNullableType(definition.type))) {
      items = parent.name.endsWith('Connection') && pageSize !== undefined ? pageSize : this.listSize(key, args);
    }
    let each: number;
    if (isObjectType(returnType)) each = this.selectionCost(returnType, subSelections, first);
    else if (isAbstractType(returnType))
      each = Math.max(0, ...this.schema.getPossibleTypes(returnType).map((t) => this.selectionCost(t, subSelections, first)));
    else each = 0;
    return items * each;
  }

  /** The router's representations: each costs its type's reference plus what is asked of that type. */
  private entitiesCost(representations: unknown, subSelections: SelectionSetNode[]): number {
    if (!Array.isArray(representations)) return 0;
    const perType = new Map<string, number>();
    for (const representation of representations) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename === 'string') perType.set(typename, (perType.get(typename) ?? 0) + 1);
    }
    let total = 0;
    for (const [typename, count] of perType) {
      const type = this.schema.getType(typename);
      if (!isObjectType(type)) continue;
      total += count * ((REFERENCE_COST[typename] ?? 1) + this.selectionCost(type, subSelections, undefined));
    }
    return total;
  }

  private listSize(key: string, args: Record<string, unknown>): number {
    for (const name of ['apiNames', 'userIds', 'skus']) {
      if (Array.isArray(args[name])) return Math.min((args[name] as unknown[]).length, LIST_ARGUMENT_CAP);
    }
    return ASSUMED_LIST_SIZE[key] ?? DEFAULT_LIST_SIZE;
  }

  private argumentsOf(definition: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(definition, node, this.variables);
    } catch {
      return {};
    }
  }

  /** Fields of one selection on an object of `type`, by response name, as execution merges them. */
  private collectFields(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visitedFragments = new Set<string>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (++this.work > WORK_BUDGET) throw new BudgetExceeded();
        switch (selection.kind) {
          case Kind.FIELD: {
            const name = selection.alias?.value ?? selection.name.value;
            const list = fields.get(name);
            if (list) list.push(selection);
            else fields.set(name, [selection]);
            break;
          }
          case Kind.INLINE_FRAGMENT:
            if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) visit(selection.selectionSet);
            break;
          case Kind.FRAGMENT_SPREAD: {
            const name = selection.name.value;
            if (visitedFragments.has(name)) break;
            visitedFragments.add(name);
            const fragment = this.fragments.get(name);
            if (fragment && this.applies(fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
            break;
          }
        }
      }
    };
    for (const selectionSet of selectionSets) visit(selectionSet);
    return fields;
  }

  private applies(typeCondition: string, type: GraphQLObjectType): boolean {
    if (typeCondition === type.name) return true;
    const conditionType = this.schema.getType(typeCondition);
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }
}

function clampCount(value: unknown, cap: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.min(Math.trunc(value), cap)) : cap;
}
