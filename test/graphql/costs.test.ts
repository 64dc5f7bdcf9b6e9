/**
 * Costs live in the SDL (`@cost`, `@listSize`, our `@costGroup`; src/graphql/costModel.ts):
 * every field that can call Horizon declares one, every list has a size, and composition hands
 * the same numbers to the router's demand control.
 *
 * "Can call Horizon" is read from the resolvers themselves: a resolver reaches Horizon only
 * through its context (`ctx.horizon`, `ctx.loaders`; nothing else holds a client), so every
 * field resolver that takes the context (`(parent, args, ctx)`), and every `__resolveReference`
 * that does (`(reference, ctx)`), is upstream-backed and must have a declared `@cost` (0 is a
 * declaration too). A field without a resolver reads its parent and costs nothing.
 */
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildSchema as buildGraphQLSchema, getNamedType, getNullableType, isListType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { readCostModel, type CostModel } from '../../src/graphql/costModel.js';
import { buildResolvers } from '../../src/graphql/schema.js';
import { loadTypeDefs } from '../../src/schema.js';
import { GAMES_SDL } from '../helpers/federation.js';
import { withoutAuthDirectives } from '../../src/auth/publishedSdl.js';

type ResolverMap = Record<string, unknown>;

/** The subgraph schema of some SDL (no resolvers needed to read its directives). */
function subgraphSchema(typeDefs = loadTypeDefs()): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(typeDefs) });
}

/** How many parameters a resolver declares (a `{ resolve }` object's `resolve`). */
function arity(resolver: unknown): number {
  const fn = typeof resolver === 'function' ? resolver : (resolver as { resolve?: unknown } | undefined)?.resolve;
  return typeof fn === 'function' ? fn.length : 0;
}

/** `Type.field` of every field resolver that takes the context, and `Type` of every reference resolver that does. */
function upstreamBacked(resolvers: ResolverMap): { fields: string[]; references: string[] } {
  const fields: string[] = [];
  const references: string[] = [];
  for (const [typeName, map] of Object.entries(resolvers)) {
    if (typeof map !== 'object' || map === null) continue;
    for (const [fieldName, resolver] of Object.entries(map)) {
      if (fieldName === '__resolveReference') {
        if (arity(resolver) >= 2) references.push(typeName);
      } else if (!fieldName.startsWith('__') && arity(resolver) >= 3) {
        fields.push(`${typeName}.${fieldName}`);
      }
    }
  }
  return { fields: fields.sort(), references: references.sort() };
}

/** What the cost check reports: upstream-backed fields and entity types without a declared `@cost`. */
function withoutCost(model: CostModel, resolvers: ResolverMap): string[] {
  const { fields, references } = upstreamBacked(resolvers);
  return [
    ...fields.filter((coordinate) => !model.fields.get(coordinate)?.declared),
    ...references.filter((type) => !model.types.has(type)).map((type) => `${type}.__resolveReference`),
  ];
}

/** Every list field of our object types without a size: its own `@listSize`, or its parent's `sizedFields` wherever it is returned. */
function unsizedLists(schema: GraphQLSchema, model: CostModel): string[] {
  const objects = Object.values(schema.getTypeMap()).filter(isObjectType);
  const returning = (typeName: string) =>
    objects.flatMap((type) =>
      Object.values(type.getFields())
        .filter((f) => getNamedType(f.type).name === typeName)
        .map((f) => `${type.name}.${f.name}`),
    );
  const missing: string[] = [];
  for (const type of objects) {
    if (type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (!isListType(getNullableType(field.type)) || coordinate === 'Query._entities') continue; // Federation's: sized by its representations
      const own = model.fields.get(coordinate)?.listSize;
      if (own && (own.assumedSize !== undefined || own.slicingArguments.length > 0)) continue;
      const parents = returning(type.name);
      const sizedByParents = parents.length > 0 && parents.every((p) => model.fields.get(p)?.listSize?.sizedFields.includes(field.name));
      if (!sizedByParents) missing.push(coordinate);
    }
  }
  return missing;
}

const schema = subgraphSchema();
const model = readCostModel(schema);
const resolvers = buildResolvers() as unknown as ResolverMap;

describe('every upstream-backed field has a cost', () => {
  test('each resolver that takes the context has a declared @cost; each reference resolver that does, its type', () => {
    expect(withoutCost(model, resolvers)).toEqual([]);
    // Not vacuous: the resolvers were read, with their context parameter.
    const { fields, references } = upstreamBacked(resolvers);
    expect(fields.length).toBeGreaterThan(40);
    expect(fields).toEqual(
      expect.arrayContaining(['Query.user', 'User.avatarUrl', 'Leaderboard.entries', 'Mutation.unlockAchievement', 'CancelSubscriptionPayload.subscription']),
    );
    expect(references).toEqual(['AchievementDefinition', 'Leaderboard', 'LeaderboardEntry']);
    expect(fields).not.toContain('LeaderboardEntry.user'); // read from its parent
  });

  test('a field that costs something is upstream-backed (no stale cost on a field that no longer calls Horizon)', () => {
    const { fields } = upstreamBacked(resolvers);
    const stale = [...model.fields].filter(([coordinate, cost]) => cost.declared && cost.weight > 0 && !fields.includes(coordinate)).map(([c]) => c);
    expect(stale).toEqual([]);
  });

  test('the check fails for an upstream field without @cost, a new resolver taking the context, and an entity type without @cost', () => {
    const withoutAvatarCost = loadTypeDefs().replace(/(avatarUrl: String) @cost\(weight: 1\) @costGroup\(name: "profile"\)/, '$1');
    expect(withoutAvatarCost).not.toBe(loadTypeDefs());
    expect(withoutCost(readCostModel(subgraphSchema(withoutAvatarCost)), resolvers)).toEqual(['User.avatarUrl']);

    const withNewResolver = {
      ...resolvers,
      Leaderboard: { ...(resolvers.Leaderboard as object), titles: (_board: unknown, _args: unknown, _ctx: unknown) => [] },
    };
    expect(withoutCost(model, withNewResolver)).toEqual(['Leaderboard.titles']);

    const withoutBoardCost = loadTypeDefs().replace('type Leaderboard @key(fields: "apiName") @cost(weight: 1)', 'type Leaderboard @key(fields: "apiName")');
    expect(withoutBoardCost).not.toBe(loadTypeDefs());
    // The type's weight was also what its fields fell back to: the board-returning fields all declare their own.
    expect(withoutCost(readCostModel(subgraphSchema(withoutBoardCost)), resolvers)).toEqual(['Leaderboard.__resolveReference']);
  });
});

describe('every list has a size', () => {
  test('its own @listSize, or the sizedFields of the field returning its object', () => {
    expect(unsizedLists(schema, model)).toEqual([]);
    expect(model.fields.get('Leaderboard.entries')?.listSize).toEqual({ slicingArguments: ['first'], sizedFields: ['edges', 'nodes'] });
  });

  test('the check fails for a list without one', () => {
    const unsized = loadTypeDefs().replace('billingPlans: [BillingPlan!]! @listSize(assumedSize: 10)', 'billingPlans: [BillingPlan!]!');
    expect(unsized).not.toBe(loadTypeDefs());
    const changed = subgraphSchema(unsized);
    expect(unsizedLists(changed, readCostModel(changed))).toEqual(['Product.billingPlans']);
  });
});

describe('@costGroup', () => {
  test('is read, and a group must agree on its @cost and have one', () => {
    expect(['alias', 'displayName', 'profileUrl', 'avatarUrl', 'orgScopedId'].map((f) => model.fields.get(`User.${f}`)?.group)).toEqual(
      Array(5).fill('profile'),
    );
    const disagreeing = loadTypeDefs().replace('avatarUrl: String @cost(weight: 1)', 'avatarUrl: String @cost(weight: 2)');
    expect(() => readCostModel(subgraphSchema(disagreeing))).toThrow(/User\.\w+: every field of User's cost group "profile" needs the same @cost/);
    const costless = loadTypeDefs().replace('avatarUrl: String @cost(weight: 1)', 'avatarUrl: String');
    expect(() => readCostModel(subgraphSchema(costless))).toThrow("User.avatarUrl: @costGroup needs the field's own @cost");
  });
});

describe('composition hands the same costs to the router', () => {
  const composition = composeServices([
    { name: 'horizon', typeDefs: parse(loadTypeDefs()), url: 'http://horizon.invalid/' },
    { name: 'games', typeDefs: parse(GAMES_SDL), url: 'http://games.invalid/' },
  ]);

  test('the supergraph links the cost spec and keeps every @cost and @listSize', () => {
    expect(composition.errors).toBeUndefined();
    const supergraphSdl = composition.supergraphSdl!;
    // No `for:` purpose: a gateway that does not do demand control (@apollo/gateway) may ignore it.
    expect(supergraphSdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/cost\/v0\.1", import: \["@listSize"\]\)/);
    // ...also when this subgraph publishes its SDL for @apollo/gateway (SDL_AUTH_DIRECTIVES=omit).
    const forApolloGateway = composeServices([
      { name: 'horizon', typeDefs: parse(withoutAuthDirectives(loadTypeDefs())), url: 'http://horizon.invalid/' },
      { name: 'games', typeDefs: parse(GAMES_SDL), url: 'http://games.invalid/' },
    ]);
    expect(forApolloGateway.errors).toBeUndefined();
    expect(forApolloGateway.supergraphSdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/cost\/v0\.1", import: \["@listSize"\]\)/);
    expect(forApolloGateway.supergraphSdl).not.toContain('for: SECURITY');
    const supergraph = readCostModel(buildGraphQLSchema(supergraphSdl, { assumeValidSDL: true }));
    // What the fields declare. @costGroup is this subgraph's own: not composed, so the router
    // charges each field of a group.
    const declared = (m: CostModel) =>
      [...m.fields].filter(([, cost]) => cost.declared || cost.listSize).map(([coordinate, { group: _group, ...cost }]) => [coordinate, cost]);
    expect(declared(supergraph).sort()).toEqual(declared(model).sort());
    expect([...supergraph.types].sort()).toEqual([...model.types].sort());
    // The other subgraph's fields that return our entities fall back to their type's @cost, as in
    // this subgraph: the router charges the reference resolution they lead to.
    expect(supergraph.fields.get('Game.featuredAchievements')).toEqual({ weight: 1, declared: false });
    expect(supergraph.fields.get('Game.topPlayers')).toBeUndefined(); // User's @cost is 0
  });
});
