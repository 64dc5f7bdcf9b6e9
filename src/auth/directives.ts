/**
 * Authorization driven by the SDL itself: the `@authenticated` and `@requiresScopes`
 * directives a router enforces are read from the built schema's AST and enforced here too,
 * so the subgraph and the router can never disagree about who may do what.
 *
 * A field's rule is its own directives, else its object type's (Federation allows neither
 * directive on interfaces or their fields). Every guarded field's resolver is wrapped, so the
 * check runs before anything is fetched or written, whether the field is reached from `Query`,
 * `Mutation` or `_entities`; an entity type with a type-level rule also guards its
 * `__resolveReference`, so `_entities` loads nothing for a caller that may not see it. A
 * refusal is an error on that field alone.
 */
import {
  defaultFieldResolver,
  isObjectType,
  valueFromASTUntyped,
  visit,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { AUTH_DISABLED, checkAccess, type AccessRule, type Caller } from './caller.js';

// Imported under their own names in schema/base.graphql's @link (an `as:` rename would hide
// them from here: test/graphql/authz.test.ts then finds root fields unguarded and fails); the
// `federation__` forms are their names when not imported.
const AUTHENTICATED = new Set(['authenticated', 'federation__authenticated']);
const REQUIRES_SCOPES = new Set(['requiresScopes', 'federation__requiresScopes']);

type Directives = ReadonlyArray<ConstDirectiveNode> | undefined;

/** `@authenticated` or `@requiresScopes`, under either of its names. */
export function isAuthorizationDirective(name: string): boolean {
  return AUTHENTICATED.has(name) || REQUIRES_SCOPES.has(name);
}

/** The rule declared by one set of directive applications, or undefined when there is none. */
export function ruleOf(...directiveLists: Directives[]): AccessRule | undefined {
  let authenticated = false;
  let anyOf: string[][] | undefined;
  let found = false;
  for (const directives of directiveLists) {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (AUTHENTICATED.has(name)) {
        found = true;
        authenticated = true;
      } else if (REQUIRES_SCOPES.has(name)) {
        found = true;
        authenticated = true;
        const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
        const value = arg ? valueFromASTUntyped(arg.value) : undefined;
        if (!Array.isArray(value) || !value.every((all) => Array.isArray(all) && all.every((s) => typeof s === 'string'))) {
          throw new Error(`@${name} needs scopes: [[String!]!]! (a list of lists of scope names)`);
        }
        // Two @requiresScopes on one element (field and extension) must both hold: AND them.
        const sets = value as string[][];
        anyOf = anyOf === undefined ? sets : anyOf.flatMap((left) => sets.map((right) => [...new Set([...left, ...right])]));
      }
    }
  }
  return found ? { authenticated, ...(anyOf !== undefined ? { anyOf } : {}) } : undefined;
}

function typeRule(type: GraphQLObjectType): AccessRule | undefined {
  return ruleOf(type.astNode?.directives, ...type.extensionASTNodes.map((n) => n.directives));
}

/** The rule guarding `type.field`: the field's own directives, else its type's; undefined when open. */
export function fieldRule(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): AccessRule | undefined {
  return ruleOf(field.astNode?.directives) ?? typeRule(type);
}

export interface GuardedField {
  /** `Type.field` */
  coordinate: string;
  typeName: string;
  fieldName: string;
  rule: AccessRule;
  /** Whether the rule is the field's own (false: inherited from its type). */
  own: boolean;
}

/** Every guarded field of the schema's object types, in schema order. */
export function guardedFields(schema: GraphQLSchema): GuardedField[] {
  const out: GuardedField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = fieldRule(type, field);
      if (rule)
        out.push({
          coordinate: `${type.name}.${field.name}`,
          typeName: type.name,
          fieldName: field.name,
          rule,
          own: ruleOf(field.astNode?.directives) !== undefined,
        });
    }
  }
  return out;
}

/** Every scope named by a `@requiresScopes` in these SDL documents, sorted (for the demo token). */
export function scopesDeclared(...documents: DocumentNode[]): string[] {
  const scopes = new Set<string>();
  for (const document of documents) {
    visit(document, {
      Directive(node) {
        if (!REQUIRES_SCOPES.has(node.name.value)) return;
        const arg = node.arguments?.find((a) => a.name.value === 'scopes');
        const value = arg ? valueFromASTUntyped(arg.value) : undefined;
        if (Array.isArray(value)) for (const all of value) if (Array.isArray(all)) for (const s of all) if (typeof s === 'string') scopes.add(s);
      },
    });
  }
  return [...scopes].sort();
}

type ResolveReference = (reference: unknown, context: unknown, info: unknown) => unknown;

function callerOf(context: unknown): Caller {
  // Contexts built by createContext always carry a caller; anything else (a bare test
  // context) is treated as "authentication off", like createContext's own default.
  const caller = (context as { caller?: Caller } | null | undefined)?.caller;
  return caller ?? AUTH_DISABLED;
}

const APPLIED = Symbol.for('horizon-subgraph.authorization-applied');

/**
 * Wraps the resolver of every guarded field (and the reference resolver of every entity type
 * with a type-level rule) so it checks `context.caller` first. Mutates and returns `schema`.
 */
export function applyAuthorization(schema: GraphQLSchema): GraphQLSchema {
  const marked = schema as GraphQLSchema & { [APPLIED]?: true };
  if (marked[APPLIED]) return schema;
  marked[APPLIED] = true;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = fieldRule(type, field);
      if (!rule) continue;
      const coordinate = `${type.name}.${field.name}`;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const refused = checkAccess(rule, callerOf(context), coordinate);
        if (refused) throw refused;
        return resolve(source, args, context, info);
      };
    }
    const rule = typeRule(type);
    if (rule) guardReferenceResolver(type, rule);
  }
  return schema;
}

/** `_entities` calls `extensions.apollo.subgraph.resolveReference` (or returns the representation as is). */
function guardReferenceResolver(type: GraphQLObjectType, rule: AccessRule): void {
  const extensions = (type.extensions ?? {}) as { apollo?: { subgraph?: { resolveReference?: ResolveReference } } };
  const original = extensions.apollo?.subgraph?.resolveReference;
  const coordinate = `${type.name} (entity)`;
  const guarded: ResolveReference = (reference, context, info) => {
    const refused = checkAccess(rule, callerOf(context), coordinate);
    // Rejected, not thrown: a throw here would fail the whole `_entities` list, not this entity.
    if (refused) return Promise.reject(refused);
    return original ? original(reference, context, info) : reference;
  };
  (type as { extensions: unknown }).extensions = {
    ...extensions,
    apollo: { ...extensions.apollo, subgraph: { ...extensions.apollo?.subgraph, resolveReference: guarded } },
  };
}
