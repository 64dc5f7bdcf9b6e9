/**
 * The response's `Cache-Control`, computed from the operation and the schema's `@cacheControl`
 * hints once the operation is known, instead of by Apollo Server's cache-control plugin, which
 * hooks every resolved field (a fifth of the memory an `_entities` fetch allocates, and as much
 * of a leaderboard page's CPU under load). No resolver here sets a dynamic hint, so the policy
 * follows from the document alone, by the plugin's own rules:
 *
 * - a field takes its return type's hint (object, interface or union), then its own hint
 *   replaces it; `inheritMaxAge` (on either) takes the parent's instead;
 * - a field with no maxAge gets maxAge 0 when it returns a composite type without
 *   `inheritMaxAge`, or when it is a root field; a scalar field inherits its parent's;
 * - `_entities` is restricted by the hint of each representation's type (as @apollo/subgraph
 *   does through the plugin);
 * - a `@sensitive` field (a credential) is `maxAge: 0, PRIVATE`, its type's hint notwithstanding;
 * - the response's policy is the most restrictive of all its fields; `max-age=N, public|private`
 *   when N > 0 and the response has no errors, `no-store` otherwise.
 *
 * Statically, every field the document selects counts, including ones under a null parent or a
 * fragment whose type did not match: the policy can only come out stricter than the plugin's.
 */
// Kept over Apollo's per-field plugin, which costs +0.29 ms CPU per S1 operation (+52% of execution) and +0.16 per S2 (+60%), Node 24.22.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { argumentValues } from './cost.js';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
  inheritMaxAge?: boolean;
}

/** A policy being narrowed down: `restrict` keeps the lower maxAge and PRIVATE over PUBLIC. */
export class CachePolicy {
  maxAge: number | undefined = undefined;
  scope: CacheScope | undefined = undefined;

  restrict(hint: CacheHint): void {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
  }

  replace(hint: CacheHint): void {
    if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined) this.scope = hint.scope;
  }

  /** The header's value. */
  header(): string {
    return this.maxAge !== undefined && this.maxAge > 0 ? `max-age=${this.maxAge}, ${(this.scope ?? 'PUBLIC').toLowerCase()}` : 'no-store';
  }
}

/** Hints read from the schema's AST, once per type and field. */
class Hints {
  private readonly types = new WeakMap<GraphQLNamedType, CacheHint>();
  private readonly fields = new WeakMap<GraphQLField<unknown, unknown>, CacheHint>();

  ofType(type: GraphQLNamedType): CacheHint {
    let hint = this.types.get(type);
    if (!hint) {
      hint = hintOf([type.astNode, ...(type.extensionASTNodes ?? [])].flatMap((node) => node?.directives ?? []));
      this.types.set(type, hint);
    }
    return hint;
  }

  ofField(field: GraphQLField<unknown, unknown>): CacheHint {
    let hint = this.fields.get(field);
    if (!hint) {
      const directives = field.astNode?.directives ?? [];
      // A credential (`@sensitive`) is never cached, whatever the hints around it.
      hint = directives.some((d) => d.name.value === 'sensitive') ? { maxAge: 0, scope: 'PRIVATE' } : hintOf(directives);
      this.fields.set(field, hint);
    }
    return hint;
  }
}

function hintOf(directives: readonly DirectiveNode[]): CacheHint {
  const directive = directives.find((d) => d.name.value === 'cacheControl');
  if (!directive) return {};
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const scopeNode = argument('scope');
  const scope = scopeNode?.kind === Kind.ENUM && (scopeNode.value === 'PUBLIC' || scopeNode.value === 'PRIVATE') ? scopeNode.value : undefined;
  const inherit = argument('inheritMaxAge');
  if (inherit?.kind === Kind.BOOLEAN && inherit.value) return { inheritMaxAge: true, scope };
  const maxAge = argument('maxAge');
  return { maxAge: maxAge?.kind === Kind.INT ? parseInt(maxAge.value, 10) : undefined, scope };
}

/** The policy of one operation of `document`, with `variables`. */
export function operationCachePolicy(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  hints: Hints = new Hints(),
): CachePolicy {
  const overall = new CachePolicy();
  const root = schema.getRootType(operation.operation);
  if (!root) {
    overall.restrict({ maxAge: 0 });
    return overall;
  }
  const included = (node: { directives?: readonly DirectiveNode[] }) => {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  };

  /** Every field node the selection set asks of `parent`, fragments flattened. */
  const fieldsOf = (
    parent: GraphQLCompositeType,
    selectionSet: SelectionSetNode,
    out: Array<{ parent: GraphQLCompositeType; node: FieldNode }>,
    seen: Set<string>,
  ) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        out.push({ parent, node: selection });
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments[selection.name.value] : selection;
      if (!fragment) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
      }
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
      if (condition && isCompositeType(condition)) fieldsOf(condition, fragment.selectionSet, out, seen);
    }
  };

  const visit = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode, isRoot: boolean) => {
    const selected: Array<{ parent: GraphQLCompositeType; node: FieldNode }> = [];
    fieldsOf(parent, selectionSet, selected, new Set());
    for (const { parent: owner, node } of selected) {
      const name = node.name.value;
      if (name === '__typename') {
        if (isRoot) overall.restrict({ maxAge: 0 });
        continue;
      }
      // A field asked of an interface or union runs as the field of each object type it may be.
      const objects: readonly GraphQLObjectType[] = isAbstractType(owner) ? schema.getPossibleTypes(owner) : isObjectType(owner) ? [owner] : [];
      const definitions = objects.map((type) => type.getFields()[name]).filter((field): field is GraphQLField<unknown, unknown> => field !== undefined);
      if (definitions.length === 0) {
        // Introspection and other meta fields: never cached.
        overall.restrict({ maxAge: 0 });
        continue;
      }
      for (const field of definitions) {
        const policy = new CachePolicy();
        const target = getNamedType(field.type);
        let inheritMaxAge = false;
        if (isCompositeType(target)) {
          const typeHint = hints.ofType(target);
          policy.replace(typeHint);
          inheritMaxAge = !!typeHint.inheritMaxAge;
        }
        const fieldHint = hints.ofField(field);
        if (fieldHint.inheritMaxAge && policy.maxAge === undefined) {
          inheritMaxAge = true;
          if (fieldHint.scope) policy.replace({ scope: fieldHint.scope });
        } else {
          policy.replace(fieldHint);
        }
        if (isRoot && name === '_entities') restrictByRepresentations(policy, field, node);
        if (policy.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRoot)) policy.restrict({ maxAge: 0 });
        overall.restrict(policy);
        if (isCompositeType(target) && node.selectionSet) visit(target, node.selectionSet, false);
      }
    }
  };

  /** `_entities`: the hint of each representation's type, as @apollo/subgraph applies it. */
  const restrictByRepresentations = (policy: CachePolicy, field: GraphQLField<unknown, unknown>, node: FieldNode) => {
    const { representations } = argumentValues(field, node, variables);
    if (!Array.isArray(representations)) return;
    const names = new Set(representations.map((r) => (r && typeof r === 'object' ? (r as { __typename?: unknown }).__typename : undefined)));
    for (const name of names) {
      const type = typeof name === 'string' ? schema.getType(name) : undefined;
      if (type && isCompositeType(type)) policy.restrict(hints.ofType(type));
    }
  };

  visit(root, operation.selectionSet, true);
  return overall;
}

/** Sets `Cache-Control` on every response from the operation's static policy (see above). */
export function cachePolicyPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  const hints = new Hints();
  return {
    async requestDidStart() {
      let policy: CachePolicy | undefined;
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          policy = operationCachePolicy(schema, operation, fragments, request.variables ?? {}, hints);
        },
        async willSendResponse({ response }) {
          const failed = response.body.kind !== 'single' || !!response.body.singleResult.errors?.length;
          response.http.headers.set('cache-control', !policy || failed ? 'no-store' : policy.header());
        },
      };
    },
  };
}
