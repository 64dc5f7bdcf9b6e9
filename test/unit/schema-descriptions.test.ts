/** Sandbox shows descriptions: every type, field, argument, enum value and input field of ours has one. */
import { buildASTSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse } from 'graphql';
import { loadTypeDefs } from '../../src/schema.js';

const FEDERATION_OWNED = new Set(['Query', 'Mutation', '_Any', '_Entity', '_Service', 'link__Purpose', 'link__Import', 'federation__FieldSet']);

test('every type, field, argument and enum value has a description', () => {
  const sdl = loadTypeDefs();
  // Federation's own directives and types are declared only so the SDL parses on its own.
  const prelude = `
    directive @link(url: String, as: String, for: String, import: [String]) repeatable on SCHEMA
    directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
    type Query { _placeholder: Boolean } type Mutation { _placeholder: Boolean }`;
  const schema = buildASTSchema(parse(prelude + sdl), { assumeValidSDL: true });
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    if (!FEDERATION_OWNED.has(type.name) && !type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.name === '_placeholder') continue;
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        if ('args' in field) for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  expect(missing).toEqual([]);
});
