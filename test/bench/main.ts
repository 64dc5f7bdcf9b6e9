/**
 * `npm run bench`: for each scenario, the subgraph (production build, own process) against
 * the emulator with injected latency, then in the same run the HTTP floor and the GraphQL
 * ceiling for the same operation, so their ratios hold on a noisy machine. Writes
 * test/bench/results/latest.{json,md}, prints the table, rewrites the results in
 * docs/benchmark.md (full default runs only) and exits non-zero when a floor is not met.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { RequestLogEntry, RunningEmulator } from '../../src/emulator/index.js';
import { loadConfig } from '../../src/config.js';
import { PRODUCTION_NODE_OPTIONS } from '../../src/nodeOptions.js';
import { createBenchCaller } from './caller.js';
import { evaluate } from './floors.js';
import { afterCancellation, configDifferences, postGraphQL, startBenchEmulator, subgraphEnvironment, UpstreamLog } from './harness.js';
import type { FloorSetup } from './httpFloor.js';
import { runLoad, type WindowResult } from './load.js';
import { recordAnswers, startReplayServer } from './machineFloor.js';
import { benchOptions, projectRoot, type BenchOptions } from './options.js';
import { cpuMs, lastError, memory, startHelper, startSubgraphProcess } from './processes.js';
import { renderMarkdown, RESULTS_DOC, updateResultsDoc, writeResults } from './report.js';
import type { BenchRun, MeasuredRun, ScenarioResult, TargetResult } from './results.js';
import { requestBody, SCENARIOS, verifyAnswer, type Scenario, type Vars } from './scenarios.js';
import { callsByRoute, groupRounds, toTemplate, type UpstreamCall } from './upstream.js';

interface Bench {
  options: BenchOptions;
  root: string;
  workDir: string;
  emulator: RunningEmulator;
  upstream: UpstreamLog;
  /** Headers of every GraphQL request: the caller's token. */
  headers: Record<string, string>;
  /** The subgraph's environment: production, the emulator as graph.oculus.com, the rest inherited. */
  subgraphEnv: NodeJS.ProcessEnv;
}

type Runner = (concurrency: number, warmupSeconds: number, durationSeconds: number) => Promise<WindowResult>;

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One run (warm-up, then the measured window) with the target's CPU time, the bench
 * process's busyness and the emulator's calls sampled at the window's edges.
 */
async function measureRun(bench: Bench, pid: number, label: string, run: Runner, concurrency: number): Promise<MeasuredRun> {
  const { warmupSeconds, durationSeconds } = bench.options;
  progress(`${label}: c=${concurrency}, ${warmupSeconds} s warm-up + ${durationSeconds} s measured`);
  const sample = () => {
    bench.upstream.drain();
    let cpu = NaN;
    try {
      cpu = cpuMs(pid);
    } catch {
      // The process is gone: the caller finds out why.
    }
    return { cpu, busy: performance.eventLoopUtilization(), calls: bench.upstream.calls, errors: bench.upstream.errors };
  };
  let start: ReturnType<typeof sample> | undefined;
  let end: ReturnType<typeof sample> | undefined;
  const timers = [setTimeout(() => (start = sample()), warmupSeconds * 1000), setTimeout(() => (end = sample()), (warmupSeconds + durationSeconds) * 1000)];
  let result: WindowResult;
  try {
    result = await run(concurrency, warmupSeconds, durationSeconds);
  } finally {
    timers.forEach(clearTimeout);
  }
  start ??= sample();
  end ??= sample();
  const perOp = (value: number) => (result.ops > 0 ? value / result.ops : NaN);
  return {
    concurrency,
    ...result,
    cpuMsPerOp: perOp(end.cpu - start.cpu),
    benchProcessBusy: performance.eventLoopUtilization(end.busy as EventLoopUtilization, start.busy).utilization,
    upstreamCallsPerOp: perOp(end.calls - start.calls),
    upstreamErrors: end.errors - start.errors,
  };
}

/**
 * The dependency rounds and a replayable template of one warm operation, from a subgraph
 * whose upstream pool is too large to queue: with the default pool (64 connections) the
 * 100 calls of S1 go out in two waves, which timing alone cannot tell from two dependent
 * rounds.
 */
async function captureRounds(
  bench: Bench,
  scenario: Scenario,
  bodies: string[],
  warmVars: Vars,
): Promise<{ rounds: RequestLogEntry[][]; template: UpstreamCall[][] }> {
  const env = { ...bench.subgraphEnv, HORIZON_MAX_CONNECTIONS: '4096', HORIZON_MAX_IN_FLIGHT: '8192' };
  const subgraph = await startSubgraphProcess({ root: bench.root, env, logFile: join(bench.workDir, `capture-${scenario.id}.log`) });
  try {
    await postGraphQL(subgraph.url, bodies[0]!, bench.headers);
    const warm = await bench.upstream.capture(() => postGraphQL(subgraph.url, requestBody(scenario, warmVars), bench.headers));
    const problem = verifyAnswer(scenario, warm.result.body);
    if (problem) throw new Error(`capturing ${scenario.id}'s upstream calls: ${problem}`);
    const rounds = groupRounds(warm.entries);
    return { rounds, template: toTemplate(rounds, warmVars) };
  } finally {
    await subgraph.stop();
  }
}

async function benchSubgraph(bench: Bench, scenario: Scenario, result: ScenarioResult, bodies: string[], warmVars: Vars): Promise<void> {
  const { options, upstream } = bench;
  let c1: MeasuredRun | undefined;
  const cancellation: { c1: string | null; high: string | null } = { c1: null, high: null };
  let peakRssBytes = 0;

  // A fresh subgraph per run: "cold" is its very first operation, and the c=64 run does not
  // start right after a teardown.
  for (const concurrency of [1, options.connections]) {
    const label = `${scenario.id} subgraph`;
    const logFile = join(bench.workDir, `subgraph-${scenario.id}-c${concurrency}.log`);
    progress(`${label}: starting (logs in ${logFile})`);
    const subgraph = await startSubgraphProcess({ root: bench.root, env: bench.subgraphEnv, logFile });
    let stage = 'the first operation';
    try {
      if (concurrency === 1) {
        const cold = await upstream.capture(() => postGraphQL(subgraph.url, bodies[0]!, bench.headers));
        const problem = verifyAnswer(scenario, cold.result.body);
        if (problem) {
          result.failure = `the subgraph's answer is wrong (HTTP ${cold.result.status}): ${problem}`;
          return;
        }
        stage = 'the second operation';
        const warm = await upstream.capture(() => postGraphQL(subgraph.url, requestBody(scenario, warmVars), bench.headers));
        const warmProblem = verifyAnswer(scenario, warm.result.body);
        if (warmProblem) {
          result.failure = `the subgraph's second answer is wrong: ${warmProblem}`;
          return;
        }
        result.upstream = {
          cold: cold.entries.length,
          warm: warm.entries.length,
          warmByRoute: callsByRoute(warm.entries),
          roundsObserved: NaN,
          roundsFloor: NaN,
          roundsFloorSource: scenario.floorRounds === undefined ? 'observed' : 'issue',
          latencyFloorMs: NaN,
        };
        progress(`${scenario.id}: ${cold.entries.length} upstream calls cold, ${warm.entries.length} warm`);
      }
      stage = `the c=${concurrency} run`;
      const run = await measureRun(
        bench,
        subgraph.pid,
        label,
        (c, w, d) => runLoad({ url: subgraph.url, connections: c, warmupSeconds: w, durationSeconds: d, bodies, headers: bench.headers }),
        concurrency,
      );
      // Read before the check below, which may find the process dead.
      peakRssBytes = Math.max(peakRssBytes, memory(subgraph.pid).peakRss);
      stage = `the operation after the c=${concurrency} run`;
      const after = await afterCancellation(subgraph, logFile, scenario, bodies[0]!, bench.headers);
      if (concurrency === 1) {
        c1 = run;
        cancellation.c1 = after;
      } else if (c1) {
        cancellation.high = after;
        result.subgraph = { c1, high: run, peakRssBytes: 0, afterCancellation: cancellation };
      }
    } catch (error) {
      // The child's exit is noticed asynchronously: give it a moment to be.
      await sleep(200);
      const how = subgraph.exited();
      if (!how) throw error;
      // A crash is a result, not a reason to lose the rest of the run.
      result.failure = `the subgraph process died (${how}) during ${stage}: ${lastError(logFile) ?? 'no error printed'}`;
      progress(`${scenario.id}: ${result.failure}`);
      return;
    } finally {
      await subgraph.stop();
    }
  }
  if (result.subgraph) result.subgraph.peakRssBytes = peakRssBytes;
}

async function benchTarget(bench: Bench, label: string, pid: number, run: Runner): Promise<TargetResult> {
  const c1 = await measureRun(bench, pid, label, run, 1);
  const high = await measureRun(bench, pid, label, run, bench.options.connections);
  return { c1, high };
}

async function benchScenario(bench: Bench, scenario: Scenario): Promise<ScenarioResult> {
  const { options, emulator } = bench;
  const result: ScenarioResult = { id: scenario.id, title: scenario.title, description: scenario.description };
  const varSets = scenario.varSets();
  const bodies = varSets.map((vars) => requestBody(scenario, vars));
  const warmVars = varSets[1 % varSets.length]!;

  // 1. The subgraph.
  await benchSubgraph(bench, scenario, result, bodies, warmVars);
  if (!result.upstream) return result;

  // 2. The dependency rounds, hence the latency floor, and the calls the HTTP floor replays.
  const { rounds, template } = await captureRounds(bench, scenario, bodies, warmVars);
  result.upstream.roundsObserved = rounds.length;
  result.upstream.roundsFloor = scenario.floorRounds ?? rounds.length;
  result.upstream.latencyFloorMs = result.upstream.roundsFloor * options.latencyMs;
  progress(`${scenario.id}: ${rounds.length} dependent upstream round(s) of ${rounds.map((r) => r.length).join(' + ')} calls`);

  // 3. The HTTP floor: the captured calls, replayed for each operation's values.
  const floor = startHelper(join(__dirname, 'httpFloor.js'));
  try {
    const setup: FloorSetup = {
      origin: emulator.url,
      appToken: `OC|${emulator.appId}|${emulator.appSecret}`,
      connections: loadConfig(bench.subgraphEnv).horizon.maxConnections,
      template,
      varSets,
    };
    await floor.call('prepare', setup);
    const runFloor: Runner = (concurrency, warmupSeconds, durationSeconds) => floor.call<WindowResult>('run', { concurrency, warmupSeconds, durationSeconds });
    result.httpFloor = await benchTarget(bench, `${scenario.id} HTTP floor`, floor.pid, runFloor);

    // 3b. The machine floor: the same client at c=1 against a bare server replaying the emulator's answers.
    const replay = await startReplayServer(await recordAnswers(emulator.url, setup.appToken, template, warmVars), options.latencyMs);
    try {
      await floor.call('prepare', { ...setup, origin: replay.url, tagCalls: true } satisfies FloorSetup);
      result.machineFloor = { c1: await measureRun(bench, floor.pid, `${scenario.id} machine floor`, runFloor, 1) };
    } finally {
      await replay.close();
    }
  } finally {
    await floor.stop();
  }

  // 4. The GraphQL ceiling: same SDL and operation, resolvers from memory.
  const ceiling = startHelper(join(__dirname, 'ceiling.js'));
  try {
    const { url } = await ceiling.call<{ url: string }>('start', { schemaDirectory: join(bench.root, 'schema') });
    const problem = verifyAnswer(scenario, (await postGraphQL(url, bodies[0]!, bench.headers)).body);
    if (problem) throw new Error(`the GraphQL ceiling answers ${scenario.id} wrongly (a bench bug): ${problem}`);
    result.ceiling = await benchTarget(bench, `${scenario.id} GraphQL ceiling`, ceiling.pid, (concurrency, warmupSeconds, durationSeconds) =>
      // The same requests, token included, though the ceiling checks no caller.
      runLoad({ url, connections: concurrency, warmupSeconds, durationSeconds, bodies, headers: bench.headers }),
    );
  } finally {
    await ceiling.stop();
  }
  return result;
}

/** HEAD (marked when the tree has uncommitted changes), or BENCH_COMMIT for a tree that is not a git checkout. */
function commit(root: string): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !==
      '';
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const options = benchOptions();
  const root = projectRoot();
  const workDir = mkdtempSync(join(tmpdir(), 'horizon-bench-'));
  const emulator = await startBenchEmulator(options.latencyMs);
  const upstream = new UpstreamLog(emulator);
  const caller = createBenchCaller(join(root, 'schema'));
  const subgraphEnv = subgraphEnvironment(emulator, options.logLevel, caller);
  const bench: Bench = { options, root, workDir, emulator, upstream, headers: caller.headers, subgraphEnv };
  const startedAt = new Date().toISOString();
  const scenarios: ScenarioResult[] = [];
  try {
    for (const id of options.scenarios) scenarios.push(await benchScenario(bench, SCENARIOS[id]));
  } finally {
    upstream.stop();
    await emulator.close();
  }

  const run: BenchRun = {
    startedAt,
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
    },
    commit: commit(root),
    settings: {
      latencyMs: options.latencyMs,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      subgraphLogLevel: options.logLevel,
      subgraphNodeOptions: PRODUCTION_NODE_OPTIONS,
      subgraphSettingsChanged: configDifferences(subgraphEnv, subgraphEnvironment(emulator, options.logLevel, caller, {})),
    },
    scenarios,
    checks: evaluate(scenarios, options.connections),
  };
  const markdown = renderMarkdown(run);
  const written = writeResults(options.publish ? join(root, 'test', 'bench', 'results') : workDir, run, markdown);
  process.stdout.write(`\n${markdown}\n\nWrote ${written.json} and ${written.md}.\n`);
  if (options.publish) {
    process.stdout.write(updateResultsDoc(root, markdown) ? `Updated the results in ${RESULTS_DOC}.\n` : `${RESULTS_DOC} has no bench markers: not updated.\n`);
  } else {
    process.stdout.write(`A partial or short run: test/bench/results and ${RESULTS_DOC} left as they were (BENCH_PUBLISH=1 publishes it).\n`);
  }
  const failed = run.checks.filter((c) => !c.pass);
  if (failed.length === 0) {
    if (options.publish) rmSync(workDir, { recursive: true, force: true });
    return 0;
  }
  process.stdout.write(`\n${failed.length} check(s) failed: ${failed.map((c) => `${c.scenario} ${c.name}`).join('; ')}. Subgraph logs: ${workDir}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
