/**
 * The cost estimate of one operation, from the costs the schema declares (src/graphql/costModel.ts):
 *
 *   cost(field) = own + items × cost(sub-selection), summed over an operation's fields,
 *
 * where `own` is the field's `@cost` (once per object for a `@costGroup`), and `items` is how many
 * objects a list field returns: for a list its parent field's `@listSize(sizedFields:)` names, that
 * field's largest slicing argument given (`first`); else the length of a list argument naming the
 * items (`apiNames`, `skus`); else the list's own `@listSize` (slicing argument, `assumedSize`);
 * else 10. The router's `_entities` costs, per representation, its type's `@cost` (1 without one)
 * plus what is asked of it. Batching and caching are ignored: the estimate bounds the work even
 * when every loader and cache misses.
 */
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
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { costModelOf, type CostModel, type FieldCost, type ListSize } from './costModel.js';
import { MAX_ENTRIES_PAGE } from './leaderboards/connection.js';
import { MAX_PURCHASES_PAGE } from './purchases/connection.js';

/** Items in a list that no `@listSize` sizes (the router's `list_size` should be the same). */
export const DEFAULT_LIST_SIZE = 10;

/** A representation of a type without `@cost` (not an entity: refused, but not for free). */
const DEFAULT_REFERENCE_COST = 1;

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
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const estimator = new CostEstimator(schema, costModelOf(schema), new Map(fragments.map((f) => [f.name.value, f])), coerced.coerced);
  try {
    return estimator.selectionCost(rootType, [operation.selectionSet], undefined);
  } catch (error) {
    if (error instanceof BudgetExceeded) return Infinity;
    throw error;
  }
}

class BudgetExceeded extends Error {}

/** What a field's `@listSize(sizedFields:)` says of the lists of the object it returns. */
interface SizedLists {
  size: number;
  fields: readonly string[];
}

const NO_COST: FieldCost = { weight: 0, declared: false };

class CostEstimator {
  private work = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly model: CostModel,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** The cost of selections on one object of `type`; `sized` sizes some of its lists. */
  selectionCost(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], sized: SizedLists | undefined): number {
    const fields = this.collectFields(type, selectionSets);
    // Per cost group, the weight already charged for this object.
    const charged = new Map<string, number>();
    let total = 0;
    for (const nodes of fields.values()) {
      const node = nodes[0]!;
      const name = node.name.value;
      if (name.startsWith('__')) continue;
      const definition = type.getFields()[name];
      if (!definition) continue;
      const cost = this.model.fields.get(`${type.name}.${name}`) ?? NO_COST;
      let own = cost.weight;
      if (cost.group !== undefined) {
        const already = charged.get(cost.group) ?? 0;
        own = Math.max(0, cost.weight - already);
        charged.set(cost.group, Math.max(already, cost.weight));
      }
      total += own + this.fieldChildrenCost(type, definition, cost, nodes, sized);
    }
    return total;
  }

  private fieldChildrenCost(
    parent: GraphQLObjectType,
    definition: GraphQLField<unknown, unknown>,
    cost: FieldCost,
    nodes: FieldNode[],
    sized: SizedLists | undefined,
  ): number {
    const subSelections = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => s !== undefined);
    if (subSelections.length === 0) return 0;
    const key = `${parent.name}.${definition.name}`;
    const args = argumentValues(definition, nodes[0]!, this.variables);
    const returnType = getNamedType(definition.type);

    if (key === 'Query._entities') return this.entitiesCost(args.representations, subSelections);

    const sliced = this.slicedSize(key, cost.listSize, args);
    const childSized = cost.listSize?.sizedFields.length ? { size: sliced ?? DEFAULT_LIST_SIZE, fields: cost.listSize.sizedFields } : undefined;
    let items = 1;
    if (isListType(getNullableType(definition.type))) {
      items = sized?.fields.includes(definition.name) ? sized.size : (this.listArgumentSize(definition, args) ?? sliced ?? DEFAULT_LIST_SIZE);
    }
    let each: number;
    if (isObjectType(returnType)) each = this.selectionCost(returnType, subSelections, childSized);
    else if (isAbstractType(returnType))
      each = Math.max(0, ...this.schema.getPossibleTypes(returnType).map((t) => this.selectionCost(t, subSelections, childSized)));
    else each = 0;
    return items * each;
  }

  /** The size `@listSize` gives: the largest slicing argument given (capped where the resolver refuses), else `assumedSize`. */
  private slicedSize(key: string, listSize: ListSize | undefined, args: Record<string, unknown>): number | undefined {
    if (!listSize) return undefined;
    const given = listSize.slicingArguments.filter((name) => name in args);
    if (given.length > 0) return Math.max(...given.map((name) => clampCount(args[name], PAGE_CAP[key] ?? LIST_ARGUMENT_CAP)));
    return listSize.assumedSize;
  }

  /** A list asked for by a list of names or ids (`apiNames`, `skus`) holds at most one item per name. */
  private listArgumentSize(definition: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | undefined {
    let size: number | undefined;
    for (const arg of definition.args) {
      const value = args[arg.name];
      if (isListType(getNullableType(arg.type)) && Array.isArray(value)) size = Math.max(size ?? 0, Math.min(value.length, LIST_ARGUMENT_CAP));
    }
    return size;
  }

  /** The router's representations: each costs its type's `@cost` (else 1) plus what is asked of that type. */
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
      total += count * ((this.model.types.get(typename) ?? DEFAULT_REFERENCE_COST) + this.selectionCost(type, subSelections, undefined));
    }
    return total;
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

/** A field's argument values; none when they do not coerce (execution refuses the operation then). */
export function argumentValues(definition: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(definition, node, variables);
  } catch {
    return {};
  }
}

function clampCount(value: unknown, cap: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.min(Math.trunc(value), cap)) : cap;
}
