/**
 * `npm run soak [seconds]`: S1, S2 and S3 interleaved at moderate concurrency against the
 * production subgraph for SOAK_SECONDS (default 10 minutes), sampling its RSS as it goes.
 * Passes when no operation failed and RSS after the warm-up grew by less than 10%
 * (mean of the last quarter of samples against the first quarter: single samples swing
 * with the garbage collector). Writes test/bench/results/soak-latest.json; exits 1 on failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchCaller } from './caller.js';
import { fmt } from './floors.js';
import { afterCancellation, postGraphQL, startBenchEmulator, subgraphEnvironment, UpstreamLog } from './harness.js';
import { runLoad } from './load.js';
import { projectRoot, soakOptions } from './options.js';
import { lastError, memory, startSubgraphProcess } from './processes.js';
import { requestBody, SCENARIO_IDS, SCENARIOS, verifyAnswer } from './scenarios.js';

export const MAX_RSS_GROWTH = 0.1;

interface Sample {
  seconds: number;
  rssBytes: number;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function main(): Promise<number> {
  const options = soakOptions();
  const root = projectRoot();
  const workDir = mkdtempSync(join(tmpdir(), 'horizon-soak-'));
  const logFile = join(workDir, 'subgraph.log');
  const emulator = await startBenchEmulator(options.latencyMs);
  const upstream = new UpstreamLog(emulator);
  const caller = createBenchCaller(join(root, 'schema'));
  const subgraph = await startSubgraphProcess({ root, env: subgraphEnvironment(emulator, options.logLevel, caller), logFile });
  const startedAt = new Date().toISOString();
  const problems: string[] = [];
  const samples: Sample[] = [];
  let summary: Record<string, unknown>;
  try {
    // Each scenario once, checked in full; the soak then only looks for errors.
    const scenarios = SCENARIO_IDS.map((id) => SCENARIOS[id]);
    for (const scenario of scenarios) {
      const problem = verifyAnswer(scenario, (await postGraphQL(subgraph.url, requestBody(scenario, scenario.varSets()[0]!), caller.headers)).body);
      if (problem) problems.push(`${scenario.id} answers wrongly: ${problem}`);
    }
    // Interleaved, so every moment of the soak has all three in flight.
    const perScenario = scenarios.map((s) => s.varSets().map((vars) => requestBody(s, vars)));
    const longest = Math.max(...perScenario.map((b) => b.length));
    const bodies = Array.from({ length: longest }, (_, i) => perScenario.map((b) => b[i % b.length]!)).flat();

    process.stderr.write(
      `[soak] ${options.durationSeconds} s of S1+S2+S3 at c=${options.connections}, RSS every ${fmt(options.sampleSeconds)} s, growth measured after ${fmt(options.warmupSeconds)} s (logs: ${logFile})\n`,
    );
    const started = performance.now();
    const sampler = setInterval(() => {
      try {
        samples.push({ seconds: (performance.now() - started) / 1000, rssBytes: memory(subgraph.pid).rss });
      } catch {
        // The process is gone; reported below.
      }
    }, options.sampleSeconds * 1000);
    upstream.reset();
    let result;
    try {
      result = await runLoad({
        url: subgraph.url,
        connections: options.connections,
        warmupSeconds: 0,
        durationSeconds: options.durationSeconds,
        bodies,
        headers: caller.headers,
      });
    } finally {
      clearInterval(sampler);
    }
    // Checked at once: dying from the load generator's final disconnect is reported apart, below.
    const diedDuring = subgraph.exited();
    upstream.drain();
    const peakRssBytes = subgraph.exited() ? NaN : memory(subgraph.pid).peakRss;
    const afterEnd = await afterCancellation(subgraph, logFile, SCENARIOS.S2, requestBody(SCENARIOS.S2, SCENARIOS.S2.varSets()[0]!), caller.headers);

    const measured = samples.filter((s) => s.seconds >= options.warmupSeconds);
    const quarter = Math.max(1, Math.floor(measured.length / 4));
    const baseline = measured.length >= 2 ? mean(measured.slice(0, quarter).map((s) => s.rssBytes)) : NaN;
    const final = measured.length >= 2 ? mean(measured.slice(-quarter).map((s) => s.rssBytes)) : NaN;
    const growth = final / baseline - 1;

    if (diedDuring) problems.push(`the subgraph died during the soak (${diedDuring}): ${lastError(logFile) ?? 'no error printed'}`);
    if (result.errors > 0) problems.push(`${result.errors} failed operation(s), first: ${result.firstError}`);
    if (upstream.errors > 0) problems.push(`${upstream.errors} upstream call(s) failed`);
    if (!Number.isFinite(growth)) problems.push(`too few RSS samples after the warm-up (${measured.length}) to measure growth`);
    else if (growth >= MAX_RSS_GROWTH) problems.push(`RSS grew ${(growth * 100).toFixed(1)}% after the warm-up (limit ${MAX_RSS_GROWTH * 100}%)`);
    if (afterEnd) problems.push(`not healthy after the load generator cancelled its in-flight operations at the end: ${afterEnd}`);

    summary = {
      operations: result.ops,
      opsPerSecond: Number(fmt(result.opsPerSecond)),
      latencyMs: result.latency,
      errors: result.errors,
      firstError: result.firstError,
      upstreamCallsPerOperation: result.ops > 0 ? Number(fmt(upstream.calls / result.ops)) : null,
      upstreamErrors: upstream.errors,
      rssAfterWarmupMiB: Number(fmt(baseline / 2 ** 20)),
      rssAtEndMiB: Number(fmt(final / 2 ** 20)),
      rssGrowthPercent: Number((growth * 100).toFixed(1)),
      peakRssMiB: Number(fmt(peakRssBytes / 2 ** 20)),
      healthyAfterCancellation: afterEnd === null ? true : afterEnd,
    };
  } finally {
    upstream.stop();
    await subgraph.stop();
    await emulator.close();
  }

  const report = {
    startedAt,
    settings: options,
    pass: problems.length === 0,
    problems,
    summary,
    samples: samples.map((s) => ({ seconds: Number(s.seconds.toFixed(1)), rssMiB: Number((s.rssBytes / 2 ** 20).toFixed(1)) })),
  };
  const dir = join(root, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify(summary, null, 2)}\n\nsoak ${report.pass ? 'PASSED' : `FAILED:\n  - ${problems.join('\n  - ')}`}\nWrote test/bench/results/soak-latest.json.\n`,
  );
  if (report.pass) rmSync(workDir, { recursive: true, force: true });
  else process.stdout.write(`Subgraph logs: ${workDir}\n`);
  return report.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
