/**
 * Prints the subgraph's SDL: the files in `schema/`, in the order the server loads them, as
 * one document (what `_service { sdl }` serves, less Federation's additions). For
 * `rover subgraph publish --schema -` and `rover subgraph check`, which take a single file:
 *
 *   npm run --silent schema:print | rover subgraph publish <graph>@<variant> --name horizon --schema - --routing-url <url>
 *   npm run --silent schema:print -- horizon.graphql    # or write it to a file
 */
import { writeFileSync } from 'node:fs';
import { loadTypeDefs } from './schema.js';

const sdl = loadTypeDefs();
const out = process.argv[2];
if (out) writeFileSync(out, sdl);
else process.stdout.write(sdl);
