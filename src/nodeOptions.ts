/**
 * The Node.js flags production runs this subgraph with: the Dockerfile's `NODE_OPTIONS` and
 * `npm run start:prod` (a test keeps both equal to this), and `npm run bench` and `npm run
 * soak` run the subgraph with them too, so what they measure is what ships.
 *
 * Why: the live heap after a full collection is about 30-40 MB, but on a host with lots of
 * memory V8 lets the old generation grow to 4x that between full collections (its largest
 * growth factor, chosen from the heap's size limit). A 512 MB limit makes V8 pick about 1.4x.
 * The 16 MB semi-spaces are what V8 picks here anyway (a 32 MB young generation, whatever the
 * old-space limit); they are spelled out because the young generation is the other half of
 * peak RSS. 32 MB ones are cheaper in CPU (S2 about 25% more throughput at c=64, S1 about 7%),
 * but take a 64 MB young generation, and S2's peak RSS at c=64 went over 200 MB with them
 * (202-213 MB against 165-169 MB, `npm run bench`). 512 MB stays far above what the subgraph
 * needs; set NODE_OPTIONS to change it. On Node 24 S2 peaks at 235-250 MB with these flags;
 * smaller semi-spaces or old space cost more throughput than they save (docs/benchmark.md).
 */
export const PRODUCTION_NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=16';
