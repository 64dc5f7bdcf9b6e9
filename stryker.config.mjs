// Mutation testing (Stryker with the jest runner): `npm run test:mutation` (see docs/testing.md).
// One module is mutated per Stryker run, with only the test files that cover it, so a run stays
// small on a 2-core machine. The module is chosen by MUTATION_MODULE (test/mutation/run.mjs sets
// it from `npm run test:mutation -- ledger limits ...`); running `npx stryker run` bare mutates the
// ledger.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

/**
 * The modules our promises rest on, each with the test files that exercise it. Test files are
 * listed by hand rather than found through imports: the slow end-to-end suites that also reach
 * these modules add minutes per run and kill nothing the listed files do not.
 */
export const MODULES = {
  ledger: {
    mutate: 'src/idempotency/ledger.ts',
    tests: ['test/unit/ledger.test.ts', 'test/unit/ledger-states.test.ts'],
  },
  errors: {
    mutate: 'src/horizon/errors.ts',
    tests: ['test/unit/errors.test.ts', 'test/unit/ledger.test.ts', 'test/unit/interceptors.test.ts', 'test/contract/transport.test.ts'],
  },
  directives: {
    mutate: 'src/auth/directives.ts',
    tests: ['test/unit/directives.test.ts', 'test/unit/auth.test.ts', 'test/graphql/authz.test.ts'],
  },
  limits: {
    // The limit rules, and since costs moved into the SDL the estimator and the model it reads.
    mutate: ['src/graphql/limits.ts', 'src/graphql/cost.ts', 'src/graphql/costModel.ts'],
    // Not test/graphql/limits.test.ts: it estimates costs in its test titles, at load time, which
    // makes three quarters of the mutants "static" (every test, harness and all, runs for each).
    tests: ['test/graphql/cost.test.ts', 'test/graphql/costs.test.ts'],
  },
  transport: {
    mutate: 'src/horizon/transport.ts',
    tests: ['test/contract/transport.test.ts', 'test/contract/transport-options.test.ts', 'test/unit/interceptors.test.ts', 'test/unit/lossless.test.ts'],
  },
  params: {
    mutate: 'src/horizon/params.ts',
    tests: ['test/unit/params.test.ts', 'test/unit/params-rules.test.ts', 'test/unit/params-helpers.test.ts', 'test/contract/guessed-fields.test.ts'],
  },
  ids: {
    mutate: 'src/horizon/ids.ts',
    tests: ['test/unit/ids.test.ts'],
  },
};

const name = process.env.MUTATION_MODULE ?? 'ledger';
const target = MODULES[name];
if (!target) throw new Error(`MUTATION_MODULE=${name}: not one of ${Object.keys(MODULES).join(', ')}`);

const jestConfig = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).jest;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  // Two cores, shared with other work: at most two test processes.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  mutate: [target.mutate].flat(),
  jest: {
    projectType: 'custom',
    config: {
      ...jestConfig,
      testMatch: target.tests.map((file) => `<rootDir>/${file}`),
      // The global setup probes Redis and Chromium, which none of these tests need; without it
      // the Redis-backed variants are skipped (REDIS_TEST_AVAILABLE unset), as they are locally.
      globalSetup: undefined,
    },
    enableFindRelatedTests: false,
  },
  // The sandbox needs the sources, the tests and the SDL; nothing recorded or built.
  ignorePatterns: ['dist', 'coverage', 'reports', 'test/bench', 'test/e2e', '.stryker-tmp', '*.log'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Added to the time a mutant's tests took unmutated: a mutant that hangs a fake-timer test is a timeout (detected) soon.
  timeoutMS: 3_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 85, break: null },
};
