// `npm run test:mutation [-- MODULE ...]`: Stryker over the core modules, one at a time (see
// docs/testing.md). With no module named, all of them, in the order of stryker.config.mjs.
// After each run it reads Stryker's JSON report and prints one table: the raw mutation score,
// and the score once the mutants listed in test/mutation/equivalent.json (same behaviour
// either way, each with its reason) are set aside. Exits 1 when a module is below its target.
// `--report` prints the table from the last run's reports without running Stryker again.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { MODULES } from '../../stryker.config.mjs';

/** The least score, counting only non-equivalent mutants, each module must keep. */
const TARGETS = { ledger: 90, errors: 90, directives: 90, limits: 90, transport: 85, params: 85, ids: 85 };

const root = new URL('../../', import.meta.url);
const reportOnly = process.argv.includes('--report');
const args = process.argv.slice(2).filter((a) => a !== 'all' && a !== '--report');
const unknown = args.filter((a) => !(a in MODULES));
if (unknown.length) {
  console.error(`test:mutation: unknown module ${unknown.join(', ')}; one of ${Object.keys(MODULES).join(', ')}, or all`);
  process.exit(2);
}
const selected = args.length ? args : Object.keys(MODULES);
const equivalents = JSON.parse(readFileSync(new URL('test/mutation/equivalent.json', root), 'utf8')).mutants;

/** An equivalent mutant is named by its mutator, the trimmed source line it starts on, and its replacement. */
function isEquivalent(name, mutant, lines) {
  const line = lines[mutant.location.start.line - 1].trim();
  return equivalents.some((e) => e.module === name && e.mutator === mutant.mutatorName && e.line === line && e.replacement === mutant.replacement);
}

function summarize(name, seconds) {
  const report = JSON.parse(readFileSync(new URL(`reports/mutation/${name}.json`, root), 'utf8'));
  const row = { module: name, killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0, equivalent: 0, seconds };
  const undetected = [];
  for (const file of Object.values(report.files)) {
    const lines = file.source.split('\n');
    for (const mutant of file.mutants) {
      if (mutant.status === 'Killed') row.killed++;
      else if (mutant.status === 'Timeout') row.timeout++;
      else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
        if (mutant.status === 'Survived') row.survived++;
        else row.noCoverage++;
        if (isEquivalent(name, mutant, lines)) row.equivalent++;
        else undetected.push(`${mutant.status} ${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName}: ${mutant.replacement}`);
      } else row.other++; // CompileError, RuntimeError, Ignored: not counted, as Stryker does.
    }
  }
  const detected = row.killed + row.timeout;
  const valid = detected + row.survived + row.noCoverage;
  row.score = valid ? (100 * detected) / valid : 100;
  row.net = valid - row.equivalent ? (100 * detected) / (valid - row.equivalent) : 100;
  return { row, undetected };
}

const rows = [];
for (const name of selected) {
  if (reportOnly) {
    rows.push(summarize(name, undefined).row);
    continue;
  }
  console.log(`\n== mutation testing ${MODULES[name].mutate} with ${MODULES[name].tests.join(' ')}`);
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name, APOLLO_TELEMETRY_DISABLED: 'true' },
  });
  if (run.status !== 0) {
    console.error(`test:mutation: Stryker failed on ${name} (exit ${run.status})`);
    process.exit(1);
  }
  const { row, undetected } = summarize(name, Math.round((Date.now() - started) / 1000));
  if (undetected.length) console.log(`\nUndetected and not listed as equivalent in ${name}:\n  ${undetected.join('\n  ')}`);
  rows.push(row);
}

const pct = (n) => n.toFixed(2);
console.log('\n| module | killed | survived | no coverage | timeout | score | equivalent | score without equivalents | target | time |');
console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
for (const r of rows) {
  console.log(
    `| ${r.module} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.timeout} | ${pct(r.score)}% | ${r.equivalent} | ${pct(r.net)}% | ${TARGETS[r.module]}% | ${r.seconds === undefined ? '-' : `${Math.floor(r.seconds / 60)}m${String(r.seconds % 60).padStart(2, '0')}s`} |`,
  );
}
const below = rows.filter((r) => r.net < TARGETS[r.module]);
if (below.length) {
  console.error(`\ntest:mutation: below target: ${below.map((r) => `${r.module} ${pct(r.net)}% < ${TARGETS[r.module]}%`).join(', ')}`);
  process.exit(1);
}
