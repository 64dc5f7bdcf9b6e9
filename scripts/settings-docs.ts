/**
 * `npm run settings:docs`: writes the settings' documentation from the schema
 * (src/settings/schema.ts): the tables between the markers of docs/configuration.md, and the
 * whole `.env.example`. test/observability/settings.test.ts fails when either is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTIONS, SETTINGS, type SectionId, type Setting } from '../src/settings/schema.js';

const GENERATED = 'Generated from src/settings/schema.ts by `npm run settings:docs`: edit the schema, not this';
const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';

const entries = Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>;
const sectionIds = Object.keys(SECTIONS) as SectionId[];
const inSection = (id: SectionId) => entries.filter(([, s]) => s.section === id);
const plain = (s: Setting<unknown>) => (s.default === undefined ? '' : s.kind.format(s.default));
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + (/[.)]$/.test(text) ? '' : '.');

/** `text`, then `tail` unbroken, as `# ` comment lines of at most `width` characters. */
function comment(text: string, tail: string | undefined, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of [...text.split(/\s+/), ...(tail ? [tail] : [])]) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

export function envExample(): string {
  const out = [
    '# horizon-subgraph: every setting, with its default. The app reads the ENVIRONMENT only (it does',
    '# not load this file): copy it to .env, uncomment what you change, and pass it with',
    "# `docker run --env-file .env`, compose's `env_file:`, or `set -a; . ./.env; set +a` in a shell.",
    '# Every value is checked at start-up: each bad one gets its own message and the process exits 1.',
    '# docs/configuration.md says the same in more words.',
    `# ${GENERATED} file.`,
  ];
  for (const id of sectionIds) {
    const section: { title: string; note?: string } = SECTIONS[id];
    out.push('', `# --- ${section.title}${section.note ? ` (${section.note})` : ''} ---`);
    for (const [name, s] of inSection(id)) {
      out.push(...comment(s.doc, s.kind.allowed && `[${s.kind.allowed.replace(/`/g, '')}]`), `#${name}=${s.example ?? plain(s)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function settingsTables(): string {
  const out = [START, `<!-- ${GENERATED} table. -->`];
  for (const id of sectionIds) {
    const section: { title: string; note?: string; more?: string } = SECTIONS[id];
    out.push('', `### ${section.title}`, '');
    if (section.note || section.more) out.push([section.note && sentence(section.note), section.more].filter(Boolean).join(' '), '');
    out.push('| variable | default | allowed | meaning |', '|---|---|---|---|');
    for (const [name, s] of inSection(id)) {
      const shown = s.shown ?? (plain(s) === '' ? '(none)' : `\`${plain(s)}\``);
      out.push(`| \`${name}\` | ${cell(shown)} | ${cell(s.kind.allowed)} | ${cell([s.doc, s.more].filter(Boolean).join(' '))} |`);
    }
  }
  out.push('', END);
  return out.join('\n');
}

/** docs/configuration.md with its generated part replaced. */
export function configurationDoc(current: string): string {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/configuration.md has no ${START} ... ${END} markers`);
  return current.slice(0, start) + settingsTables() + current.slice(end + END.length);
}

/** Every generated file under `root`, with the content it should have. */
export function generatedFiles(root: string): Record<string, string> {
  return {
    'docs/configuration.md': configurationDoc(readFileSync(join(root, 'docs/configuration.md'), 'utf8')),
    '.env.example': envExample(),
  };
}

if (require.main === module) {
  const root = process.cwd();
  for (const [path, content] of Object.entries(generatedFiles(root))) {
    const before = readFileSync(join(root, path), 'utf8');
    if (before !== content) writeFileSync(join(root, path), content);
    process.stdout.write(`${path}: ${before === content ? 'up to date' : 'written'}\n`);
  }
}
