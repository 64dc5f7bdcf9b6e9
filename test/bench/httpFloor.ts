/**
 * The HTTP floor (a helper process): the very upstream calls the subgraph makes for an
 * operation, fired with plain undici in the same dependency rounds and at the same
 * concurrency, bodies read and JSON-parsed and nothing else. What the subgraph would cost if
 * GraphQL were free. Same connection pool shape as the subgraph's transport (one undici
 * Agent, HORIZON_MAX_CONNECTIONS connections, keep-alive), so the comparison is like for like.
 * Pointed at the replay server instead of the emulator, it measures the machine floor.
 */
import { Agent } from 'undici';
import { serveHelper } from './processes.js';
import type { Vars } from './scenarios.js';
import type { WindowResult } from './load.js';
import { summarize } from './stats.js';
import { encodeCall, fillTemplate, type EncodedCall, type UpstreamCall } from './upstream.js';

export interface FloorSetup {
  origin: string;
  appToken: string;
  connections: number;
  template: UpstreamCall[][];
  varSets: Vars[];
  /** Name each request's place in the template (the machine floor's replay server answers by it). */
  tagCalls?: boolean;
}

export interface FloorRun {
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
}

let agent: Agent | undefined;
let origin = '';
/** Per operation (one per variable set), its rounds of ready-to-send requests, encoded once up front so the measured loop does only what a hand-written client must. */
let operations: EncodedCall[][][] = [];

async function send(request: EncodedCall): Promise<void> {
  const response = await agent!.request({ origin, ...request });
  const text = await response.body.text();
  const json = JSON.parse(text) as { error?: unknown };
  if (response.statusCode >= 300 || json.error)
    throw new Error(`${request.method} ${request.path.split('?')[0]}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
}

async function operation(rounds: EncodedCall[][]): Promise<void> {
  for (const round of rounds) await Promise.all(round.map(send));
}

serveHelper({
  async prepare(setup: FloorSetup) {
    await agent?.close();
    agent = new Agent({ connections: setup.connections, keepAliveTimeout: 30_000 });
    origin = setup.origin;
    operations = setup.varSets.map((vars) =>
      fillTemplate(setup.template, vars).map((round, r) => round.map((call, i) => encodeCall(call, setup.appToken, setup.tagCalls ? `${r}.${i}` : undefined))),
    );
    return { operations: operations.length };
  },

  /** A closed loop like autocannon's: `concurrency` operations in flight, each followed by the next; measured after the warm-up. */
  async run({ concurrency, warmupSeconds, durationSeconds }: FloorRun): Promise<WindowResult> {
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    let next = 0;
    const windowStart = performance.now() + warmupSeconds * 1000;
    const windowEnd = windowStart + durationSeconds * 1000;
    const worker = async () => {
      while (performance.now() < windowEnd) {
        const rounds = operations[next++ % operations.length]!;
        const opStarted = performance.now();
        try {
          await operation(rounds);
          const now = performance.now();
          if (now >= windowStart && now <= windowEnd) latencies.push(now - opStarted);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { ops: latencies.length, errors, firstError, opsPerSecond: latencies.length / durationSeconds, latency: summarize(latencies) };
  },
});
