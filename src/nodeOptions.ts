/**
 * The Node.js flags production runs this subgraph with: the Dockerfile's `NODE_OPTIONS` and
 * `npm run start:prod` (a test keeps both equal to this), and `npm run bench` and `npm run
 * soak` run the subgraph with them too, so what they measure is what ships.
 *
 * Why: the live heap after a full collection is about 30-40 MB, but on a host with lots of
 * memory V8 lets the old generation grow to 4x that between full collections (its largest
 * growth factor, chosen from the heap's size limit). A 512 MB limit makes V8 pick about 1.4x,
 * which keeps peak RSS under load near 170-190 MB instead of 215-260 MB. A lower limit alone also
 * shrinks the young generation, so objects of operations in flight get promoted and collected
 * at great CPU cost; 32 MB semi-spaces keep young collections as rare as by default and most
 * of an operation's objects die young (measured with `npm run bench`, S1 and S2 at c=64).
 * 512 MB stays far above what the subgraph needs; set NODE_OPTIONS to change it.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=32';
