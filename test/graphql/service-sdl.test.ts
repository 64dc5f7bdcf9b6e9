/**
 * What the subgraph serves at `_service { sdl }` (what rover introspects and the router
 * composes) is exactly the SDL in `schema/` (what `npm run schema:print` publishes and codegen
 * reads), plus only what Federation itself adds.
 *
 * Both are flattened into one entry per schema element: a type's description, each of its
 * directives, each field (with its description, arguments and directives), enum value, union
 * member, directive definition. Extensions are merged into their type, and block and plain
 * strings are treated alike, since the printer is free to choose. Definition order is not
 * compared (the subgraph printer groups directive definitions first).
 */
import { Kind, parse, print, visit, type DefinitionNode, type DirectiveNode, type DocumentNode } from 'graphql';
import { publishedTypeDefs } from '../../src/auth/publishedSdl.js';
import { loadSdlAuthDirectives } from '../../src/config.js';
import { loadTypeDefs } from '../../src/schema.js';
import { startHarness, type Harness } from '../helpers/harness.js';

type Elements = Map<string, string>;

/** One entry per schema element, keyed by its coordinate (`Type`, `Type.field`, `Type @directive(args)`, `@directive`). */
function elements(document: DocumentNode): Elements {
  const plain = visit(document, { StringValue: (node) => ({ ...node, block: false }) });
  const out: Elements = new Map();
  const add = (key: string, value: string) => {
    if (out.has(key)) throw new Error(`${key} is defined twice`);
    out.set(key, value);
  };
  // Keyed by the whole use, arguments included; the value counts the uses (`extend type User
  // @key(fields: "id")` is repeated on each extension, as Federation 2 allows).
  const directivesOf = (owner: string, node: DefinitionNode & { directives?: readonly DirectiveNode[] }) => {
    for (const directive of node.directives ?? []) {
      const key = `${owner} ${print(directive)}`;
      out.set(key, `${Number(out.get(key) ?? 0) + 1} use(s)`);
    }
  };
  for (const definition of plain.definitions) {
    switch (definition.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        for (const operation of definition.operationTypes ?? []) add(`schema.${operation.operation}`, operation.type.name.value);
        directivesOf('schema', definition);
        break;
      case Kind.DIRECTIVE_DEFINITION:
        add(`@${definition.name.value}`, print(definition));
        break;
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION: {
        const name = definition.name.value;
        const kind = definition.kind.replace('Extension', 'Definition');
        if (!out.has(name)) add(name, kind);
        else if (out.get(name) !== kind) throw new Error(`${name} is both ${out.get(name)} and ${kind}`);
        if ('description' in definition && definition.description) add(`${name}#description`, definition.description.value);
        directivesOf(name, definition);
        if ('fields' in definition) for (const field of definition.fields ?? []) add(`${name}.${field.name.value}`, print(field));
        if ('values' in definition) for (const value of definition.values ?? []) add(`${name}.${value.name.value}`, print(value));
        if ('types' in definition) for (const member of definition.types ?? []) add(`${name}|${member.name.value}`, member.name.value);
        if ('interfaces' in definition) for (const iface of definition.interfaces ?? []) add(`${name}&${iface.name.value}`, iface.name.value);
        break;
      }
      default:
        throw new Error(`unexpected ${definition.kind} in a schema`);
    }
  }
  return out;
}

/** Names the files import from the federation spec with `@link(import:)` (Federation defines them). */
function federationImports(files: Elements): Set<string> {
  const names = new Set<string>();
  for (const key of files.keys()) {
    if (!key.startsWith('schema @link(')) continue;
    for (const match of key.matchAll(/"@?([A-Za-z_][A-Za-z0-9_]*)"/g)) names.add(match[1]!);
  }
  return names;
}

/** What Federation adds to a subgraph's SDL: its own namespaced types and directives, the imported definitions, `_entities`/`_service`, the root operations. */
function addedByFederation(key: string, imported: Set<string>): boolean {
  if (/^schema\.(query|mutation|subscription)$/.test(key) || key.startsWith('schema @link(')) return true;
  if (/^Query(\._entities|\._service)?$/.test(key)) return true;
  const name = key.replace(/^@/, '').split(/[ .#|&]/)[0]!;
  return /^(_|link__|federation__)/.test(name) || name === 'link' || imported.has(name);
}

/** The differences between the files and the served SDL; empty when they agree. */
function compare(files: Elements, served: Elements): string[] {
  const imported = federationImports(files);
  const problems: string[] = [];
  for (const [key, value] of files) {
    if (!served.has(key)) problems.push(`missing from _service: ${key}`);
    else if (served.get(key) !== value) problems.push(`differs: ${key}\n  schema/:  ${value}\n  _service: ${served.get(key)}`);
  }
  for (const key of served.keys()) if (!files.has(key) && !addedByFederation(key, imported)) problems.push(`not in schema/: ${key}`);
  return problems;
}

describe('_service { sdl }', () => {
  let harness: Harness;
  let served: string;
  beforeAll(async () => {
    harness = await startHarness();
    const result = await harness.execute('{ _service { sdl } }');
    expect(result.errors).toBeUndefined();
    served = result.data!._service.sdl;
  });
  afterAll(() => harness.close());

  test('is the SDL in schema/, plus only what Federation adds', () => {
    const files = elements(parse(loadTypeDefs()));
    const problems = compare(files, elements(parse(served)));
    expect(problems).toEqual([]);
    // Not vacuous: every type, field, enum value and directive use of ours was compared.
    expect(files.size).toBeGreaterThan(300);
    expect([...files.keys()].filter((k) => k.includes(' @cacheControl(')).length).toBeGreaterThan(3);
    expect([...files.keys()].filter((k) => k.endsWith('#description')).length).toBeGreaterThan(50);
  });

  test('the comparison catches a dropped directive, a changed description, an extra field and a missing type', () => {
    const files = elements(parse(loadTypeDefs()));
    const mutate = (edit: (sdl: string) => string) => compare(files, elements(parse(edit(served))));

    const withoutCacheHint = mutate((sdl) => sdl.replace(/(type AchievementDefinition[^{]*?)\s*@cacheControl\(maxAge: 60\)/, '$1'));
    expect(withoutCacheHint).toEqual(['missing from _service: AchievementDefinition @cacheControl(maxAge: 60)']);

    const reworded = mutate((sdl) => sdl.replace("The player's unique Horizon username (Oculus alias).", 'Alias.'));
    expect(reworded).toEqual([expect.stringMatching(/^differs: User\.alias\n/)]);

    const extraField = mutate((sdl) => sdl.replace('type UserNonceValidation {', 'type UserNonceValidation {\n  leaked: String'));
    expect(extraField).toEqual(['not in schema/: UserNonceValidation.leaked']);

    const missingType = mutate((sdl) => sdl.replace(/\n"""[^"]*"""\ntype RoomDataEntry \{[^}]*\}\n/, '\n'));
    expect(missingType).toEqual(expect.arrayContaining(['missing from _service: RoomDataEntry', 'missing from _service: RoomDataEntry.key']));
  });
});

describe('npm run schema:print', () => {
  test('prints schema/ as served by default, and without the auth directives under SDL_AUTH_DIRECTIVES=omit, as _service then serves', async () => {
    expect(publishedTypeDefs(loadSdlAuthDirectives({}))).toBe(loadTypeDefs());
    const harness = await startHarness({ server: { sdlAuthDirectives: 'omit' } });
    try {
      const result = await harness.execute('{ _service { sdl } }');
      expect(result.errors).toBeUndefined();
      const printed = publishedTypeDefs(loadSdlAuthDirectives({ SDL_AUTH_DIRECTIVES: 'omit' }));
      expect(printed).not.toMatch(/@authenticated|@requiresScopes|specs\.apollo\.dev\/(authenticated|requiresScopes)/);
      expect(compare(elements(parse(printed)), elements(parse(result.data!._service.sdl)))).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  test('refuses a value SDL_AUTH_DIRECTIVES does not take, naming it', () => {
    expect(() => loadSdlAuthDirectives({ SDL_AUTH_DIRECTIVES: 'drop' })).toThrow(/SDL_AUTH_DIRECTIVES must be/);
  });
});
