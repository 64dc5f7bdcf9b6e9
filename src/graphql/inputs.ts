/**
 * The limits only this API sets on arguments (page sizes, list lengths), and the guard of
 * `_entities`' representations. What Horizon itself accepts (ids, api names, bits, counts,
 * days, paging arguments) is checked by the client's own assertions in src/horizon/, which
 * resolvers call first, so one check with one message refuses a bad argument before any
 * upstream call.
 */
import { isUnionType, Kind, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { InvalidArgumentError } from '../lib/errors.js';

/** A page size: 1 to `max`. */
export function assertFirst(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) throw new InvalidArgumentError('first', `first must be from 1 to ${max}`);
  return first;
}

/** A list argument this API caps at `max` (`noun` names its items in the message). */
export function assertAtMost<T>(argument: string, list: readonly T[], max: number, noun: string): readonly T[] {
  if (list.length > max) throw new InvalidArgumentError(argument, `${argument} may list at most ${max} ${noun}`);
  return list;
}

/**
 * Guards `Query._entities` (built by @apollo/subgraph) against malformed representations: one
 * that is not an object, names no entity type of this subgraph, or lacks a key field as a
 * string fails alone, at its own index, with BAD_USER_INPUT; the library would otherwise fail
 * the whole list with an internal error. A router never sends such representations; a hostile
 * or broken caller might.
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const entity = schema.getType('_Entity');
  if (!field?.resolve || !entity || !isUnionType(entity)) return schema;
  const keyFields = new Map(entity.getTypes().map((type) => [type.name, keyFieldsOf(type)]));
  const resolve = field.resolve;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    const refused = representations.map((representation, index) => refusedRepresentation(representation, index, keyFields));
    if (refused.every((r) => r === undefined)) return resolve(source, args, context, info);
    const accepted = representations.filter((_, index) => refused[index] === undefined);
    const merge = (resolved: unknown) => {
      const list = Array.isArray(resolved) ? resolved : [];
      let next = 0;
      return representations.map((_, index) => refused[index] ?? list[next++]);
    };
    const resolved = accepted.length > 0 ? resolve(source, { ...args, representations: accepted }, context, info) : [];
    return resolved instanceof Promise ? resolved.then(merge) : merge(resolved);
  };
  return schema;
}

/** The fields of a type's `@key(fields: "...")` directives (simple keys: the only kind this schema has). */
function keyFieldsOf(type: GraphQLObjectType): string[] {
  const keys = [type.astNode, ...(type.extensionASTNodes ?? [])].flatMap((node) => node?.directives ?? []).filter((d) => d.name.value === 'key');
  const fields = keys.map((key) => key.arguments?.find((a) => a.name.value === 'fields')?.value);
  return [...new Set(fields.flatMap((value) => (value?.kind === Kind.STRING ? value.value.split(/\s+/).filter(Boolean) : [])))];
}

function refusedRepresentation(representation: unknown, index: number, keyFields: Map<string, string[]>): InvalidArgumentError | undefined {
  const argument = `representations[${index}]`;
  if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
    return new InvalidArgumentError(argument, `${argument} must be an object with __typename and the entity's key`);
  }
  const { __typename: typename } = representation as Record<string, unknown>;
  const keys = typeof typename === 'string' ? keyFields.get(typename) : undefined;
  if (!keys) {
    return new InvalidArgumentError(argument, `${argument} must name an entity type of this subgraph in __typename (${[...keyFields.keys()].join(', ')})`);
  }
  for (const key of keys) {
    if (typeof (representation as Record<string, unknown>)[key] !== 'string')
      return new InvalidArgumentError(argument, `${argument} must give ${typename}'s key ${key} as a string`);
  }
  return undefined;
}
