/**
 * The house rule for src/: a hand-written module over 300 lines says why near its top, in a
 * comment line that starts "Over 300 lines" and gives the reason after a colon. Everything else
 * stays small enough to read in one sitting; generated code (src/graphql/generated) is exempt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 300;
const HEAD_LINES = 20;
const REASON = /^\s*(?:\*|\/\/)\s*Over 300 lines[^:\n]{0,20}: (.{20,})$/m;

function modules(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.split(/[\\/]/).includes('generated'))
    .map((file) => join(SRC, file));
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

test('src/ has hand-written modules to check', () => {
  expect(modules().length).toBeGreaterThan(100);
});

test(`no module in src/ is over ${MAX_LINES} lines without a stated reason`, () => {
  const unexplained = modules()
    .map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => lineCount(text) > MAX_LINES && !REASON.test(text.split('\n').slice(0, HEAD_LINES).join('\n')))
    .map(({ file, text }) => `${file} (${lineCount(text)} lines)`);
  expect(unexplained).toEqual([]);
});

test('the reason pattern takes a stated reason and refuses a bare marker', () => {
  expect(REASON.test(' * Over 300 lines: the table of every setting, one entry each')).toBe(true);
  expect(REASON.test('// Over 300 lines on purpose: one state machine that reads best whole')).toBe(true);
  expect(REASON.test(' * Over 300 lines: why not')).toBe(false);
  expect(REASON.test(' * This module is long.')).toBe(false);
});
