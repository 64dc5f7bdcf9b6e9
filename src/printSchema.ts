/**
 * Prints the subgraph's SDL: the files in `schema/`, in the order the server loads them, as
 * one document (what `_service { sdl }` serves, less Federation's additions; without
 * `@authenticated`/`@requiresScopes` when `SDL_AUTH_DIRECTIVES=omit`, as it serves then). For
 * `rover subgraph publish --schema -` and `rover subgraph check`, which take a single file:
 *
 *   npm run --silent schema:print | rover subgraph publish <graph>@<variant> --name horizon --schema - --routing-url <url>
 *   npm run --silent schema:print -- horizon.graphql    # or write it to a file
 */
import { writeFile } from 'node:fs/promises';
import { publishedTypeDefs } from './auth/publishedSdl.js';
import { loadSdlAuthDirectives, startProcess } from './config.js';

startProcess('schema:print', loadSdlAuthDirectives, async (choice) => {
  const sdl = publishedTypeDefs(choice);
  const out = process.argv[2];
  if (out) await writeFile(out, sdl);
  else process.stdout.write(sdl);
});
