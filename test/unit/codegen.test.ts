/**
 * The resolver types generated from schema/ (src/graphql/codegen.yml, `npm run codegen`):
 * the committed file is what codegen makes of the SDL today, and Federation 2 directives
 * imported with @link (caller auth, @shareable, ...) neither break nor change it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, 'src/graphql/codegen.yml');
const OUTPUT = 'src/graphql/generated/types.ts';

/**
 * Runs the codegen CLI (jest cannot load it in-process) with the project's config, reading
 * `schemaGlob` and writing to a scratch file, and returns what it wrote.
 */
async function codegen(schemaGlob: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-out-'));
  try {
    const original = readFileSync(CONFIG, 'utf8');
    const config = original
      .replace(/^schema: schema\/\*\.graphql$/m, `schema: ${JSON.stringify(schemaGlob)}`)
      .replace(`  ${OUTPUT}:`, `  ${JSON.stringify(join(dir, 'types.ts'))}:`);
    expect(config.split('\n').filter((line, i) => line !== original.split('\n')[i])).toHaveLength(2);
    writeFileSync(join(dir, 'codegen.yml'), config);
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', join(dir, 'codegen.yml'), '--silent'], { cwd: ROOT });
    return readFileSync(join(dir, 'types.ts'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`${OUTPUT} is up to date with schema/ (else: npm run codegen)`, async () => {
  const committed = readFileSync(join(ROOT, OUTPUT), 'utf8');
  expect(await codegen(join(ROOT, 'schema/*.graphql'))).toBe(committed);
  // The mappers are in force: resolvers see the internal parent shapes.
  expect(committed).toMatch(/User: ResolverTypeWrapper<UserRefModel>/);
  expect(committed).toMatch(/import type \{ Context \} from '\.\.\/context\.js'/);
});

test('Federation 2 directives (auth, @shareable, @tag, @inaccessible, @override) neither break nor change the generated types', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-fed2-'));
  try {
    for (const file of readdirSync(join(ROOT, 'schema'))) writeFileSync(join(dir, file), readFileSync(join(ROOT, 'schema', file)));
    const extra = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@tag", "@inaccessible", "@override", "@authenticated", "@requiresScopes", "@policy"])
      extend type Query @authenticated
      extend type UserNonceValidation @shareable @tag(name: "internal")
    `;
    writeFileSync(join(dir, 'zz-federation2.graphql'), extra);
    const users = readFileSync(join(dir, 'users.graphql'), 'utf8');
    const annotated = users
      .replace(/^(\s*alias: String)/m, '$1 @policy(policies: [["players"]])')
      .replace(/^(\s*orgScopedId: ID)/m, '$1 @inaccessible @override(from: "accounts")');
    expect(annotated).not.toBe(users);
    writeFileSync(join(dir, 'users.graphql'), annotated);
    expect(await codegen(join(dir, '*.graphql'))).toBe(readFileSync(join(ROOT, OUTPUT), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
