/**
 * The SDL this subgraph publishes for composition (`_service { sdl }`), with or without its
 * `@authenticated`/`@requiresScopes`. With them (the default), the composed supergraph links
 * both features `for: SECURITY`, which the GraphOS Router and Hive Gateway accept, and
 * @apollo/gateway refuses ("feature ... is for: SECURITY but is unsupported"). Without them
 * (`SDL_AUTH_DIRECTIVES=omit`), @apollo/gateway composes and serves it unchanged; the rules stay
 * in the schema this subgraph executes (src/auth/directives.ts reads the SDL files, not this
 * text), so every field is refused here exactly as before.
 */
import { Kind, parse, print, visit, type ConstArgumentNode, type ConstValueNode } from 'graphql';
import { loadTypeDefs } from '../schema.js';
import { isAuthorizationDirective } from './directives.js';

export type SdlAuthDirectives = 'publish' | 'omit';

const AUTH_SPEC_LINK = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\//;

/** The name an `@link` import item brings in (`"@key"` or `{ name: "@key", as: ... }`). */
function importedName(item: ConstValueNode): string | undefined {
  if (item.kind === Kind.STRING) return item.value;
  if (item.kind === Kind.OBJECT) {
    const field = item.fields.find((f) => f.name.value === 'name');
    return field?.value.kind === Kind.STRING ? field.value.value : undefined;
  }
  return undefined;
}

/** `import:` of an `@link` without the authorization directives. */
function withoutAuthImports(argument: ConstArgumentNode): ConstArgumentNode {
  if (argument.name.value !== 'import' || argument.value.kind !== Kind.LIST) return argument;
  const values = argument.value.values.filter((item) => !isAuthorizationDirective(importedName(item)?.replace(/^@/, '') ?? ''));
  return { ...argument, value: { ...argument.value, values } };
}

/** The SDL with every `@authenticated`/`@requiresScopes` (uses, definitions, imports and spec links) taken out. */
export function withoutAuthDirectives(sdl: string): string {
  const document = visit(parse(sdl), {
    Directive(node) {
      if (isAuthorizationDirective(node.name.value)) return null;
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((a) => a.name.value === 'url')?.value;
      if (url?.kind === Kind.STRING && AUTH_SPEC_LINK.test(url.value)) return null;
      return { ...node, arguments: node.arguments?.map((a) => withoutAuthImports(a as ConstArgumentNode)) };
    },
    DirectiveDefinition(node) {
      return isAuthorizationDirective(node.name.value) ? null : undefined;
    },
  });
  return print(document);
}

/** The SDL of `schema/` as this subgraph publishes it under `SDL_AUTH_DIRECTIVES` (`npm run schema:print`). */
export function publishedTypeDefs(choice: SdlAuthDirectives, typeDefs = loadTypeDefs()): string {
  return choice === 'omit' ? withoutAuthDirectives(typeDefs) : typeDefs;
}
