/**
 * Checks of arguments that resolvers run first, before any upstream call (read or write):
 * everything that can be refused from the arguments alone is refused here, with
 * BAD_USER_INPUT. Checks that need Horizon's data (a bitfield's exact length, an achievement's
 * type) follow with reads, and still before any write. Also the guard of `_entities`'
 * representations.
 */
import { isUnionType, Kind, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { InvalidArgumentError } from '../horizon/ids.js';
import { assertLeaderboardInput, type LeaderboardInput } from '../horizon/leaderboards.js';

export { assertIdempotencyKey } from '../idempotency/ledger.js';

/** The longest bitfield the client writes (its `addBits` check). */
export const MAX_BITFIELD_LENGTH = 1024;

/** A bitfield's shape: 0s and 1s, 1 to 1024 of them. Its exact length is checked against the definition. */
export function assertBitsShape(bits: string): void {
  if (!/^[01]+$/.test(bits) || bits.length > MAX_BITFIELD_LENGTH) {
    throw new InvalidArgumentError('bits', `bits must be a string of 0 and 1, at most ${MAX_BITFIELD_LENGTH} characters`);
  }
}

/** Titles one leaderboard may carry: far more locales than Horizon supports. */
export const MAX_LEADERBOARD_TITLES = 100;

/** `upsertLeaderboard`'s input: api name, bounds after 1970 and in order, titles well formed and not too many. */
export function assertLeaderboardUpsert(input: Pick<LeaderboardInput, 'apiName' | 'earliestAllowedEntryTime' | 'latestAllowedEntryTime' | 'titles'>): void {
  if (input.titles && input.titles.length > MAX_LEADERBOARD_TITLES) {
    throw new InvalidArgumentError('input.titles', `input.titles may list at most ${MAX_LEADERBOARD_TITLES} locales`);
  }
  assertLeaderboardInput(input);
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
  const fields = new Set<string>();
  for (const node of [type.astNode, ...(type.extensionASTNodes ?? [])]) {
    for (const directive of node?.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const argument = directive.arguments?.find((a) => a.name.value === 'fields');
      if (argument?.value.kind === Kind.STRING)
        argument.value.value
          .split(/\s+/)
          .filter(Boolean)
          .forEach((f) => fields.add(f));
    }
  }
  return [...fields];
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
