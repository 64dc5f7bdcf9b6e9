/**
 * Settings of `npm run bench` and `npm run soak`, from the environment. Bad values stop the
 * run with a message rather than silently measuring something else than was asked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SCENARIO_IDS, type ScenarioId } from './scenarios.js';

export interface BenchOptions {
  /** Fixed delay the emulator adds to every upstream call. */
  latencyMs: number;
  /** Length of each measured load run (c=1 and c=64, for subgraph, HTTP floor and ceiling). */
  durationSeconds: number;
  /** Unmeasured load before the measured runs of each target, so JIT and pools are warm. */
  warmupSeconds: number;
  /** The high concurrency of the issue ("at concurrency 64"). */
  connections: number;
  scenarios: ScenarioId[];
  /** Log level of the subgraph child: production's default (`info`, one line per operation). */
  logLevel: string;
  /**
   * A full run at the default duration or longer: its results replace test/bench/results/latest.*
   * and the table in docs/benchmark.md. Partial or short runs (smoke tests) leave both alone.
   */
  publish: boolean;
}

export interface SoakOptions {
  latencyMs: number;
  durationSeconds: number;
  /** RSS growth is measured from the end of this warm-up. */
  warmupSeconds: number;
  connections: number;
  sampleSeconds: number;
  logLevel: string;
}

type Env = NodeJS.ProcessEnv;

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
  return value;
}

export function benchOptions(env: Env = process.env): BenchOptions {
  const durationSeconds = number(env, 'BENCH_DURATION_SECONDS', 10, 1, 600);
  const requested = (env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const unknown = requested.filter((s) => !(SCENARIO_IDS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}`);
  return {
    latencyMs: number(env, 'BENCH_LATENCY_MS', 20, 0, 10_000),
    durationSeconds,
    warmupSeconds: number(env, 'BENCH_WARMUP_SECONDS', Math.min(3, durationSeconds), 0, 600),
    connections: number(env, 'BENCH_CONNECTIONS', 64, 1, 1024),
    scenarios: requested.length > 0 ? (requested as ScenarioId[]) : [...SCENARIO_IDS],
    logLevel: env.BENCH_LOG_LEVEL?.trim() || 'info',
    // A partial or shortened run must not replace the results docs/benchmark.md shows.
    publish: env.BENCH_PUBLISH !== undefined ? env.BENCH_PUBLISH === '1' : requested.length === 0 && durationSeconds >= 10,
  };
}

/** `npm run soak [seconds]`: the first argument, else SOAK_SECONDS, else 10 minutes. */
export function soakOptions(env: Env = process.env, argv: string[] = process.argv.slice(2)): SoakOptions {
  const fromArg = argv[0] !== undefined ? { SOAK_SECONDS: argv[0] } : {};
  const merged = { ...env, ...fromArg };
  const durationSeconds = number(merged, 'SOAK_SECONDS', 600, 5, 24 * 3600);
  return {
    latencyMs: number(env, 'BENCH_LATENCY_MS', 20, 0, 10_000),
    durationSeconds,
    warmupSeconds: number(env, 'SOAK_WARMUP_SECONDS', Math.min(60, durationSeconds / 4), 0, durationSeconds - 1),
    connections: number(env, 'SOAK_CONNECTIONS', 16, 1, 1024),
    sampleSeconds: number(env, 'SOAK_SAMPLE_SECONDS', Math.max(1, Math.min(5, durationSeconds / 20)), 0.2, 600),
    logLevel: env.BENCH_LOG_LEVEL?.trim() || 'info',
  };
}

/** The project root (where package.json names this package), wherever the bench was compiled to. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'horizon-subgraph') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`project root (package.json of horizon-subgraph) not found above ${from}`);
    dir = parent;
  }
}
