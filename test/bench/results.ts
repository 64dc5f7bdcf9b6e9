/** The shape of a benchmark run, as written to results/latest.json and rendered by report.ts. */
import type { LatencySummary } from './stats.js';

/** One load run against one target at one concurrency. */
export interface RunResult {
  concurrency: number;
  ops: number;
  errors: number;
  firstError: string | null;
  opsPerSecond: number;
  latency: LatencySummary;
}

/** A run with what was counted in its measured window besides the answers. */
export interface MeasuredRun extends RunResult {
  /** CPU time of the target's process in the window, per counted operation. */
  cpuMsPerOp: number;
  /** How busy the bench process (emulator + load generator) was: near 1 means it, not the target, may be the limit. */
  benchProcessBusy: number;
  /** Emulator calls in the window per counted operation (the floor replays a fixed number). */
  upstreamCallsPerOp: number;
  upstreamErrors: number;
}

/** A target measured at concurrency 1 and at the high concurrency. */
export interface TargetResult {
  c1: MeasuredRun;
  high: MeasuredRun;
}

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  /** Why the subgraph could not be measured (a wrong answer, a crash); the rest may still be there. */
  failure?: string;
  upstream?: {
    cold: number;
    warm: number;
    /** Calls of the warm operation per emulator route. */
    warmByRoute: Record<string, number>;
    roundsObserved: number;
    roundsFloor: number;
    /** Whether `roundsFloor` is the figure or, where it says "count what it is", the observed one. */
    roundsFloorSource: 'issue' | 'observed';
    latencyFloorMs: number;
  };
  subgraph?: TargetResult & {
    peakRssBytes: number;
    /**
     * One operation sent right after the load generator closed its connections with
     * operations in flight (as a gateway does when callers go away), after each run: null
     * when it answered correctly, else what went wrong.
     */
    afterCancellation: { c1: string | null; high: string | null };
  };
  httpFloor?: TargetResult;
  /** The HTTP floor's client at c=1 against a bare server replaying the emulator's answers; absent in older runs. */
  machineFloor?: { c1: MeasuredRun };
  ceiling?: TargetResult;
}

export interface Check {
  scenario: string;
  name: string;
  pass: boolean;
  /** The measured value against the floor, in words. */
  detail: string;
}

export interface BenchRun {
  startedAt: string;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
  commit: string;
  settings: {
    latencyMs: number;
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    subgraphLogLevel: string;
    /** The subgraph's NODE_OPTIONS (production's heap settings); absent in results of older runs. */
    subgraphNodeOptions?: string;
    subgraphSettingsChanged: Record<string, string>;
  };
  scenarios: ScenarioResult[];
  checks: Check[];
}
