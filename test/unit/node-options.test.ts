/**
 * Production's Node.js flags live in src/nodeOptions.ts (the bench runs the subgraph with
 * them); the Dockerfile and `npm run start:prod` must say the same, or the bench would
 * measure something other than what ships.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTION_NODE_OPTIONS } from '../../src/nodeOptions';

const root = join(__dirname, '..', '..');

describe('production Node.js options', () => {
  it('are the Dockerfile runtime stage NODE_OPTIONS', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^\s*NODE_OPTIONS="([^"]*)"/m);
    expect(/^\s*NODE_OPTIONS="([^"]*)"/m.exec(runtime)![1]).toBe(PRODUCTION_NODE_OPTIONS);
  });

  it('are what npm run start:prod passes to node', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['start:prod']).toBe(`node ${PRODUCTION_NODE_OPTIONS} dist/main.js`);
  });

  it('are flags Node accepts in NODE_OPTIONS and that set the heap as documented', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', "const v8=require('v8');process.stdout.write(JSON.stringify({limit:v8.getHeapStatistics().heap_size_limit}))"],
      { env: { PATH: process.env.PATH, NODE_OPTIONS: PRODUCTION_NODE_OPTIONS }, encoding: 'utf8' },
    );
    const limitMb = JSON.parse(out).limit / 2 ** 20;
    // 512 MB of old generation plus the young generation's three 16 MB semi-spaces.
    expect(limitMb).toBeGreaterThanOrEqual(512);
    expect(limitMb).toBeLessThan(700);
  });
});
