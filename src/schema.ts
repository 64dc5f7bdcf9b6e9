/** The subgraph's SDL: the files in `schema/`, read without the resolvers (src/graphql/schema.ts adds them). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `schema/` at the project root, found from this file whether it runs from `src/` or `dist/`. */
export function schemaDirectory(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schema');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`schema/ directory not found above ${__dirname}`);
}

/** The SDL files in a stable order: `base.graphql` first, then the domains alphabetically. */
export function loadTypeDefs(directory = schemaDirectory()): string {
  const files = readdirSync(directory)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(join(directory, f), 'utf8')).join('\n');
}
