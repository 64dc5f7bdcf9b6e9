/**
 * The costs the cost limit charges, as the schema declares them with federation's cost spec
 * (imported in schema/base.graphql), the directives the router's demand control reads too:
 *
 * - `@cost(weight:)` on a field: the Horizon calls one resolution of it makes (a mutation: 5,
 *   a write with its checks and read-backs). Without one, a field costs its type's `@cost`, else
 *   0 (read from its parent). On an entity type, it is also what resolving one `_entities`
 *   representation of that type costs (`User`: 0, its key is all it needs).
 * - `@listSize(assumedSize:, slicingArguments:, sizedFields:)`: how many items a list holds,
 *   or (`sizedFields`) how many the named lists of the returned object hold.
 * - `@costGroup(name:)`, ours: fields of one type answered by one call per object (a player's
 *   profile fields) are charged once per object.
 *
 * Read once per schema (the cost plugin asks at start-up); src/graphql/cost.ts estimates with them.
 */
import { getNamedType, isObjectType, valueFromASTUntyped, type ConstDirectiveNode, type GraphQLNamedType, type GraphQLSchema } from 'graphql';

// Imported under their own names in schema/base.graphql's @link (an `as:` rename would hide them
// from here: test/graphql/costs.test.ts then finds upstream fields without a cost and fails); the
// `federation__` forms are their names when not imported.
const COST = new Set(['cost', 'federation__cost']);
const LIST_SIZE = new Set(['listSize', 'federation__listSize']);
const COST_GROUP = 'costGroup';

export interface ListSize {
  assumedSize?: number;
  slicingArguments: string[];
  sizedFields: string[];
}

export interface FieldCost {
  /** The field's own `@cost`, else its type's, else 0. */
  weight: number;
  /** Whether `weight` is the field's own `@cost` (false: its type's, or none). */
  declared: boolean;
  group?: string;
  listSize?: ListSize;
}

export interface CostModel {
  /** `Type.field` → its cost; fields not listed cost 0. */
  fields: ReadonlyMap<string, FieldCost>;
  /** Type name → its `@cost`: what a field returning it costs, and resolving one representation of it. */
  types: ReadonlyMap<string, number>;
}

type Directives = ReadonlyArray<ConstDirectiveNode> | undefined;

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

function find(names: Set<string> | string, ...lists: Directives[]): Record<string, unknown> | undefined {
  for (const directives of lists) {
    const found = directives?.find((d) => (typeof names === 'string' ? d.name.value === names : names.has(d.name.value)));
    if (found) return argumentsOf(found);
  }
  return undefined;
}

function weightOf(coordinate: string, args: Record<string, unknown> | undefined): number | undefined {
  if (!args) return undefined;
  const weight = args.weight;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) throw new Error(`${coordinate}: @cost needs a weight: a non-negative Int`);
  return weight;
}

function typeDirectives(type: GraphQLNamedType): Directives[] {
  return [type.astNode?.directives, ...(type.extensionASTNodes ?? []).map((n) => n.directives)];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads every `@cost`, `@listSize` and `@costGroup` of the schema; throws on a group whose fields disagree. */
export function readCostModel(schema: GraphQLSchema): CostModel {
  const types = new Map<string, number>();
  for (const type of Object.values(schema.getTypeMap())) {
    const weight = weightOf(type.name, find(COST, ...typeDirectives(type)));
    if (weight !== undefined) types.set(type.name, weight);
  }
  const fields = new Map<string, FieldCost>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const groupWeights = new Map<string, number>();
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const directives = field.astNode?.directives;
      const own = weightOf(coordinate, find(COST, directives));
      const weight = own ?? types.get(getNamedType(field.type).name) ?? 0;
      const cost: FieldCost = { weight, declared: own !== undefined };
      const group = find(COST_GROUP, directives)?.name;
      if (typeof group === 'string') {
        if (own === undefined) throw new Error(`${coordinate}: @costGroup needs the field's own @cost`);
        const others = groupWeights.get(group);
        if (others !== undefined && others !== own) throw new Error(`${coordinate}: every field of ${type.name}'s cost group "${group}" needs the same @cost`);
        groupWeights.set(group, own);
        cost.group = group;
      }
      const listSize = find(LIST_SIZE, directives);
      if (listSize) {
        cost.listSize = {
          ...(typeof listSize.assumedSize === 'number' ? { assumedSize: listSize.assumedSize } : {}),
          slicingArguments: strings(listSize.slicingArguments),
          sizedFields: strings(listSize.sizedFields),
        };
      }
      if (cost.weight !== 0 || cost.declared || cost.group || cost.listSize) fields.set(coordinate, cost);
    }
  }
  return { fields, types };
}

const models = new WeakMap<GraphQLSchema, CostModel>();

/** The schema's cost model, read on first use (the cost plugin asks at start-up) and kept. */
export function costModelOf(schema: GraphQLSchema): CostModel {
  let model = models.get(schema);
  if (!model) {
    model = readCostModel(schema);
    models.set(schema, model);
  }
  return model;
}
