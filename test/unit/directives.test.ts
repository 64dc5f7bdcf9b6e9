/**
 * The directive reader behind caller authorization: what rule `@authenticated` and
 * `@requiresScopes` declare, alone, together, repeated on a type and its extensions, and
 * malformed; and how `applyAuthorization` guards resolvers and entity references with it.
 * Schemas are built straight from SDL (graphql-js), so each case shows exactly what it declares.
 */
import {
  buildSchema,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { AUTH_DISABLED, anonymousCaller, tokenCaller, type Caller } from '../../src/auth/caller.js';
import { applyAuthorization, fieldRule, guardedFields, ruleOf, scopesDeclared } from '../../src/auth/directives.js';

const DEFINITIONS = `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @federation__authenticated on FIELD_DEFINITION | OBJECT
  directive @federation__requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT
`;

/** A schema from SDL as written; a directive may repeat on a type and its extensions, as the subgraph's SDL files do. */
function schemaOf(sdl: string): GraphQLSchema {
  return buildSchema(DEFINITIONS + sdl, { assumeValidSDL: true });
}

/** The directives of the first type definition in `sdl` (`type T @a @b { f: Int }`). */
function directivesOf(sdl: string): readonly ConstDirectiveNode[] {
  return (parse(sdl).definitions[0] as ObjectTypeDefinitionNode).directives ?? [];
}

const typeOf = (schema: GraphQLSchema, name: string) => schema.getType(name) as GraphQLObjectType;
const ruleFor = (schema: GraphQLSchema, type: string, field: string) => fieldRule(typeOf(schema, type), typeOf(schema, type).getFields()[field]!);

describe('ruleOf', () => {
  test.each<[string, string, unknown]>([
    ['no directive', 'type T { f: Int }', undefined],
    ['only other directives', 'type T @tag(name: "x") @key(fields: "id") { f: Int }', undefined],
    ['@authenticated', 'type T @authenticated { f: Int }', { authenticated: true }],
    ['@federation__authenticated', 'type T @federation__authenticated { f: Int }', { authenticated: true }],
    ['@requiresScopes', 'type T @requiresScopes(scopes: [["a", "b"], ["c"]]) { f: Int }', { authenticated: true, anyOf: [['a', 'b'], ['c']] }],
    ['@federation__requiresScopes', 'type T @federation__requiresScopes(scopes: [["a"]]) { f: Int }', { authenticated: true, anyOf: [['a']] }],
    ['@requiresScopes with no scope set (no caller may)', 'type T @requiresScopes(scopes: []) { f: Int }', { authenticated: true, anyOf: [] }],
    ['@requiresScopes with an empty set (any caller with a token)', 'type T @requiresScopes(scopes: [[]]) { f: Int }', { authenticated: true, anyOf: [[]] }],
    ['both', 'type T @authenticated @requiresScopes(scopes: [["a"]]) { f: Int }', { authenticated: true, anyOf: [['a']] }],
    ['both, the other way round', 'type T @requiresScopes(scopes: [["a"]]) @authenticated { f: Int }', { authenticated: true, anyOf: [['a']] }],
  ])('%s', (_label, sdl, expected) => {
    expect(ruleOf(directivesOf(sdl))).toStrictEqual(expected);
  });

  test('no lists, or empty or missing ones, declare nothing', () => {
    expect(ruleOf()).toBeUndefined();
    expect(ruleOf(undefined, [], undefined)).toBeUndefined();
  });

  test('two @requiresScopes must both hold: their sets are ANDed, each pair merged without repeats', () => {
    const first = directivesOf('type T @requiresScopes(scopes: [["a"], ["b", "x"]]) { f: Int }');
    const second = directivesOf('type T @requiresScopes(scopes: [["c"], ["x"]]) { f: Int }');
    const expected = {
      authenticated: true,
      anyOf: [
        ['a', 'c'],
        ['a', 'x'],
        ['b', 'x', 'c'],
        ['b', 'x'],
      ],
    };
    // On one element, or across the type and its extension.
    expect(ruleOf([...first, ...second])).toEqual(expected);
    expect(ruleOf(first, second)).toEqual(expected);
    expect(ruleOf(second, first)).toEqual({
      authenticated: true,
      anyOf: [
        ['c', 'a'],
        ['c', 'b', 'x'],
        ['x', 'a'],
        ['x', 'b'],
      ],
    });
  });

  test('@authenticated in one list and @requiresScopes in another combine', () => {
    expect(ruleOf(directivesOf('type T @authenticated { f: Int }'), directivesOf('type T @requiresScopes(scopes: [["a"]]) { f: Int }'))).toEqual({
      authenticated: true,
      anyOf: [['a']],
    });
  });

  test.each([
    ['no scopes argument', '@requiresScopes'],
    ['a misspelt argument', '@requiresScopes(scope: [["a"]])'],
    ['a string', '@requiresScopes(scopes: "a")'],
    ['a flat list', '@requiresScopes(scopes: ["a", "b"])'],
    ['a list mixing lists and strings', '@requiresScopes(scopes: [["a"], "b"])'],
    ['a number among the scopes', '@requiresScopes(scopes: [["a", 1]])'],
    ['null among the scopes', '@requiresScopes(scopes: [[null]])'],
    ['an object', '@requiresScopes(scopes: { a: "b" })'],
  ])('a malformed @requiresScopes (%s) is refused with a message naming the expected shape', (_label, directive) => {
    expect(() => ruleOf(directivesOf(`type T ${directive} { f: Int }`))).toThrow(
      new Error('@requiresScopes needs scopes: [[String!]!]! (a list of lists of scope names)'),
    );
  });

  test('a directive node built without an arguments list is read like one with none', () => {
    const bare = (value: string) => ({ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value } }) as ConstDirectiveNode;
    expect(ruleOf([bare('authenticated')])).toStrictEqual({ authenticated: true });
    expect(() => ruleOf([bare('requiresScopes')])).toThrow('@requiresScopes needs scopes');
  });

  test('a malformed @federation__requiresScopes is refused under its own name', () => {
    expect(() => ruleOf(directivesOf('type T @federation__requiresScopes(scopes: "a") { f: Int }'))).toThrow('@federation__requiresScopes needs scopes');
  });
});

describe('fieldRule and guardedFields', () => {
  const schema = schemaOf(`
    type Query { open: Int, guarded: Int @requiresScopes(scopes: [["q"]]), thing: Thing, plain: Plain }
    type Thing @authenticated {
      id: ID
      secret: String @requiresScopes(scopes: [["s"]])
    }
    extend type Thing @requiresScopes(scopes: [["t1"], ["t2"]])
    extend type Thing @requiresScopes(scopes: [["t3"]]) { added: String }
    type Plain { value: String }
    extend type Plain { extra: String @authenticated }
    interface Named { name: String }
    enum Kind @authenticated { A }
  `);

  test("a field's own rule wins over its type's", () => {
    expect(ruleFor(schema, 'Thing', 'secret')).toEqual({ authenticated: true, anyOf: [['s']] });
  });

  test("a field without its own rule takes its type's, including every extension's, all of which must hold", () => {
    const typeRule = {
      authenticated: true,
      anyOf: [
        ['t1', 't3'],
        ['t2', 't3'],
      ],
    };
    expect(ruleFor(schema, 'Thing', 'id')).toEqual(typeRule);
    expect(ruleFor(schema, 'Thing', 'added')).toEqual(typeRule);
  });

  test('a field of a type without a rule is open, unless it has its own, even on an extension', () => {
    expect(ruleFor(schema, 'Query', 'open')).toBeUndefined();
    expect(ruleFor(schema, 'Plain', 'value')).toBeUndefined();
    expect(ruleFor(schema, 'Plain', 'extra')).toEqual({ authenticated: true });
  });

  test('guardedFields lists every guarded field of the object types, in schema order, saying whose rule it is', () => {
    const typeRule = {
      authenticated: true,
      anyOf: [
        ['t1', 't3'],
        ['t2', 't3'],
      ],
    };
    expect(guardedFields(schema)).toEqual([
      { coordinate: 'Query.guarded', typeName: 'Query', fieldName: 'guarded', rule: { authenticated: true, anyOf: [['q']] }, own: true },
      { coordinate: 'Thing.id', typeName: 'Thing', fieldName: 'id', rule: typeRule, own: false },
      { coordinate: 'Thing.secret', typeName: 'Thing', fieldName: 'secret', rule: { authenticated: true, anyOf: [['s']] }, own: true },
      { coordinate: 'Thing.added', typeName: 'Thing', fieldName: 'added', rule: typeRule, own: false },
      { coordinate: 'Plain.extra', typeName: 'Plain', fieldName: 'extra', rule: { authenticated: true }, own: true },
    ]);
  });

  test('fields and types built in code, without SDL, have no rule', () => {
    const query = new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString } } });
    const coded = new GraphQLSchema({ query });
    expect(fieldRule(query, query.getFields().hello!)).toBeUndefined();
    expect(guardedFields(coded)).toEqual([]);
    expect(applyAuthorization(coded).getQueryType()!.getFields().hello!.resolve).toBeUndefined();
  });

  test('a field built in code on a type whose SDL declares a rule inherits it, as not its own', () => {
    const definition = parse('type Coded @authenticated { f: String }').definitions[0] as ObjectTypeDefinitionNode;
    const coded = new GraphQLObjectType({ name: 'Coded', astNode: definition, fields: { f: { type: GraphQLString } } });
    const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { coded: { type: coded } } }) });
    expect(guardedFields(schema)).toStrictEqual([{ coordinate: 'Coded.f', typeName: 'Coded', fieldName: 'f', rule: { authenticated: true }, own: false }]);
  });

  test('a type whose name merely ends with __ is listed like any other', () => {
    const schema = schemaOf('type Query { legacy: Legacy__ } type Legacy__ { old: Int @authenticated }');
    expect(guardedFields(schema).map((g) => g.coordinate)).toEqual(['Legacy__.old']);
  });

  test('a schema without rules has no guarded field', () => {
    expect(guardedFields(schemaOf('type Query { a: Int }'))).toEqual([]);
  });
});

describe('scopesDeclared', () => {
  test('every scope of every @requiresScopes in the documents, once, sorted; other directives and malformed values are skipped', () => {
    const first = parse(`
      type A @requiresScopes(scopes: [["z", "m"], ["a"]]) { f: Int @federation__requiresScopes(scopes: [["fed"]]) }
      type B @tag(name: "not-a-scope") { g: Int @requiresScopes(scopes: "flat") h: Int @requiresScopes(scopes: ["flat2", [1, "ok"]]) }
    `);
    const second = parse(`type C {
      f: Int @requiresScopes(scopes: [["m", "b"]])
      g: Int @requiresScopes
      h: Int @requiresScopes(scope: [["misspelt"]])
      i: Int @other(scopes: [["not-a-scope"]])
      j: Int @requiresScopes(other: [["also-not"]], scopes: [["y"]])
    }`);
    expect(scopesDeclared(first, second)).toEqual(['a', 'b', 'fed', 'm', 'ok', 'y', 'z']);
  });

  test('a directive node built without an arguments list names no scope', () => {
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OBJECT_TYPE_DEFINITION,
          name: { kind: Kind.NAME, value: 'T' },
          directives: [{ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'requiresScopes' } }],
        },
      ],
    };
    expect(scopesDeclared(document)).toEqual([]);
  });

  test('no documents, no scopes', () => {
    expect(scopesDeclared()).toEqual([]);
    expect(scopesDeclared(parse('type Q { f: Int @authenticated }'))).toEqual([]);
  });
});

describe('applyAuthorization', () => {
  const SDL = `
    type Query { open: Int, guarded: Int @requiresScopes(scopes: [["q"]]), plain: Int @authenticated, thing: Thing }
    type Thing @requiresScopes(scopes: [["t"]]) { id: ID, name: String }
    type Loose { id: ID }
  `;
  const reader = (caller: Caller | undefined) => (caller === undefined ? {} : { caller });

  function build(resolveReference?: (reference: unknown, context: unknown, info: unknown) => unknown) {
    const schema = schemaOf(SDL);
    typeOf(schema, 'Query').getFields().guarded!.resolve = () => 42;
    typeOf(schema, 'Query').getFields().open!.resolve = () => 1;
    const thing = typeOf(schema, 'Thing');
    (thing as { extensions: unknown }).extensions = {
      other: 'kept',
      apollo: { subgraph: { keep: true, ...(resolveReference ? { resolveReference } : {}) }, more: 'kept too' },
    };
    return applyAuthorization(schema);
  }

  const resolve = (schema: GraphQLSchema, type: string, field: string, source: unknown, context: unknown) =>
    typeOf(schema, type).getFields()[field]!.resolve!(source, {}, context, { fieldName: field } as never);

  test('returns the schema it guards', () => {
    const schema = schemaOf(SDL);
    expect(applyAuthorization(schema)).toBe(schema);
  });

  test('a guarded field resolves for a caller its rule admits, and throws the refusal for others', () => {
    const schema = build();
    expect(resolve(schema, 'Query', 'guarded', {}, reader(tokenCaller('u', ['q'])))).toBe(42);
    let refusal: unknown;
    try {
      resolve(schema, 'Query', 'guarded', {}, reader(tokenCaller('u', ['other'])));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect(refusal).toMatchObject({ message: expect.stringContaining('Query.guarded needs the scope q'), extensions: { code: 'FORBIDDEN' } });
    expect(() => resolve(schema, 'Query', 'plain', { plain: 3 }, reader(anonymousCaller('CALLER_TOKEN_MISSING', 'no token')))).toThrow(
      'no token (Query.plain needs an authenticated caller)',
    );
  });

  test("a guarded field without a resolver reads its parent's property once allowed", () => {
    const schema = build();
    expect(resolve(schema, 'Thing', 'name', { name: 'N' }, reader(tokenCaller('u', ['t'])))).toBe('N');
    expect(resolve(schema, 'Query', 'plain', { plain: 3 }, reader(tokenCaller('u', [])))).toBe(3);
  });

  test('an open field is left as it was', () => {
    const schema = schemaOf(SDL);
    const open = () => 1;
    typeOf(schema, 'Query').getFields().open!.resolve = open;
    applyAuthorization(schema);
    expect(typeOf(schema, 'Query').getFields().open!.resolve).toBe(open);
    expect(typeOf(schema, 'Loose').extensions).toEqual({});
  });

  test('a context without a caller, or no context, means authentication is off: everything resolves', () => {
    const schema = build();
    for (const context of [{}, null, undefined, { caller: AUTH_DISABLED }]) expect(resolve(schema, 'Query', 'guarded', {}, context)).toBe(42);
  });

  test("an entity type's rule guards its reference resolver: refused as a rejection, allowed through to the original", async () => {
    const seen: unknown[] = [];
    const schema = build((reference) => {
      seen.push(reference);
      return { id: 'loaded' };
    });
    const extensions = typeOf(schema, 'Thing').extensions as any;
    expect(extensions.other).toBe('kept');
    expect(extensions.apollo.more).toBe('kept too');
    expect(extensions.apollo.subgraph.keep).toBe(true);
    const guard = extensions.apollo.subgraph.resolveReference;
    const refused = guard({ id: '1' }, reader(tokenCaller('u', [])), {});
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('Thing (entity) needs the scope t'), extensions: { code: 'FORBIDDEN' } });
    expect(seen).toEqual([]);
    expect(await guard({ id: '1' }, reader(tokenCaller('u', ['t'])), {})).toEqual({ id: 'loaded' });
    expect(seen).toEqual([{ id: '1' }]);
  });

  test('without an original reference resolver, an allowed reference is returned as it came', async () => {
    const schema = build();
    const guard = (typeOf(schema, 'Thing').extensions as any).apollo.subgraph.resolveReference;
    const reference = { __typename: 'Thing', id: '7' };
    expect(await guard(reference, reader(tokenCaller('u', ['t'])), {})).toBe(reference);
  });

  test('applied twice, it guards once', () => {
    const schema = build();
    const guarded = typeOf(schema, 'Query').getFields().guarded!.resolve;
    const guard = (typeOf(schema, 'Thing').extensions as any).apollo.subgraph.resolveReference;
    applyAuthorization(schema);
    expect(typeOf(schema, 'Query').getFields().guarded!.resolve).toBe(guarded);
    expect((typeOf(schema, 'Thing').extensions as any).apollo.subgraph.resolveReference).toBe(guard);
  });

  test('a type whose name merely ends with __ is guarded like any other', () => {
    const schema = applyAuthorization(schemaOf('type Query { legacy: Legacy__ } type Legacy__ { old: Int @requiresScopes(scopes: [["o"]]) }'));
    expect(() => resolve(schema, 'Legacy__', 'old', { old: 1 }, reader(tokenCaller('u', [])))).toThrow('Legacy__.old needs the scope o');
  });

  test('an entity type whose apollo extensions have no subgraph part is still guarded', async () => {
    const schema = schemaOf(SDL);
    (typeOf(schema, 'Thing') as { extensions: unknown }).extensions = { apollo: {} };
    applyAuthorization(schema);
    const guard = (typeOf(schema, 'Thing').extensions as any).apollo.subgraph.resolveReference;
    await expect(guard({ id: '1' }, reader(tokenCaller('u', [])), {})).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await guard({ id: '1' }, reader(tokenCaller('u', ['t'])), {})).toEqual({ id: '1' });
  });

  test('a type without a rule gets no reference guard', () => {
    const schema = build();
    expect(typeOf(schema, 'Query').extensions).toEqual({});
  });
});
