/**
 * Writes a run as JSON and as a markdown table (test/bench/results/latest.*), and puts the
 * table in docs/benchmark.md between the bench markers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, mb } from './floors.js';
import type { BenchRun, Check, RunResult, ScenarioResult } from './results.js';

/** The published results live in this file, between the bench markers. */
export const RESULTS_DOC = join('docs', 'benchmark.md');
export const RESULTS_START = '<!-- bench:start -->';
export const RESULTS_END = '<!-- bench:end -->';

export function renderMarkdown(run: BenchRun): string {
  const { settings, machine } = run;
  const n = settings.connections;
  const scenarios = run.scenarios;
  const lines: string[] = [];
  const overrides = Object.entries(settings.subgraphSettingsChanged).map(([k, v]) => `${k}=${v}`);
  lines.push(
    `Run ${run.startedAt} at commit \`${run.commit}\` on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ${machine.os}, Node ${machine.node}. ` +
      `Injected upstream latency ${settings.latencyMs} ms per call; ${settings.durationSeconds} s per measurement after ${settings.warmupSeconds} s of warm-up; ` +
      `subgraph in production mode with default settings${overrides.length ? ` except ${overrides.join(', ')}` : ''} and LOG_LEVEL=${settings.subgraphLogLevel}${settings.subgraphNodeOptions ? `, NODE_OPTIONS="${settings.subgraphNodeOptions}" (the Dockerfile's)` : ''}.`,
    '',
  );

  const row = (label: string, cell: (s: ScenarioResult) => string) => lines.push(`| ${label} | ${scenarios.map((s) => safe(cell, s)).join(' | ')} |`);
  lines.push(`| | ${scenarios.map((s) => s.title).join(' | ')} |`, `|---|${scenarios.map(() => '---').join('|')}|`);
  row('upstream calls/op: cold / warm / under load', (s) => `${s.upstream!.cold} / ${s.upstream!.warm} / ${fmt(s.subgraph!.high.upstreamCallsPerOp)}`);
  row(
    'dependent upstream rounds: observed (floor)',
    (s) => `${s.upstream!.roundsObserved} (${s.upstream!.roundsFloor}${s.upstream!.roundsFloorSource === 'observed' ? ', as observed' : ''})`,
  );
  row('latency floor', (s) => `${fmt(s.upstream!.latencyFloorMs)} ms`);
  row('**subgraph** c=1 p50 / p99', (s) => latency(s.subgraph!.c1));
  row(`**subgraph** c=${n} p50 / p99`, (s) => latency(s.subgraph!.high));
  row(`**subgraph** c=${n} ops/s`, (s) => fmt(s.subgraph!.high.opsPerSecond));
  row('HTTP floor c=1 p50 / p99', (s) => latency(s.httpFloor!.c1));
  row(`HTTP floor c=${n} p50 / p99`, (s) => latency(s.httpFloor!.high));
  row(`HTTP floor c=${n} ops/s`, (s) => fmt(s.httpFloor!.high.opsPerSecond));
  row('machine floor c=1 p50 / p99', (s) => latency(s.machineFloor!.c1));
  row('GraphQL ceiling c=1 p50 / p99', (s) => latency(s.ceiling!.c1));
  row(`GraphQL ceiling c=${n} p50 / p99`, (s) => latency(s.ceiling!.high));
  row(`GraphQL ceiling c=${n} ops/s`, (s) => fmt(s.ceiling!.high.opsPerSecond));
  row(
    `CPU ms/op at c=${n}: subgraph / HTTP floor / ceiling`,
    (s) => `${fmt(s.subgraph!.high.cpuMsPerOp)} / ${fmt(s.httpFloor!.high.cpuMsPerOp)} / ${fmt(s.ceiling!.high.cpuMsPerOp)}`,
  );
  row('subgraph peak RSS', (s) => `${mb(s.subgraph!.peakRssBytes)} MB`);
  row('failed operations (subgraph)', (s) => String(s.subgraph!.c1.errors + s.subgraph!.high.errors));
  row(`bench process busy at c=${n}: subgraph / floor / ceiling runs`, (s) =>
    [s.subgraph!.high, s.httpFloor!.high, s.ceiling!.high].map((r) => `${Math.round(r.benchProcessBusy * 100)}%`).join(' / '),
  );
  lines.push('');

  lines.push(`| floor | ${scenarios.map((s) => s.id).join(' | ')} |`, `|---|${scenarios.map(() => '---').join('|')}|`);
  const names = [...new Set(run.checks.map((c) => c.name))];
  for (const name of names) {
    const cells = scenarios.map((s) => {
      const check = run.checks.find((c: Check) => c.scenario === s.id && c.name === name);
      return check ? `${check.pass ? 'pass' : '**FAIL**'}: ${clip(check.detail)}` : '—';
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  lines.push('');

  for (const s of scenarios) {
    const routes = s.upstream
      ? ` Warm calls: ${Object.entries(s.upstream.warmByRoute)
          .map(([route, count]) => `\`${route}\` ×${count}`)
          .join(', ')}.`
      : '';
    lines.push(`- **${s.title}**: ${s.description}.${routes}${s.failure ? ` **Failed:** ${clip(s.failure, 400)}` : ''}`);
  }
  lines.push(
    '',
    `HTTP floor: the same upstream calls (captured from the emulator's log of one operation) fired with plain undici in the same dependency rounds, ${n} operations in flight, same pool size as the subgraph. ` +
      "Machine floor: the HTTP floor at c=1 against a bare node:http server that answers each call with the emulator's recorded answer after the injected latency (no routing, no state): what any Node client and server take on this machine for these calls. " +
      'GraphQL ceiling: the same operation on the same SDL with in-memory resolvers. Latency floor: dependent upstream rounds × injected latency. ' +
      'Requests carry a JWT holding every scope the schema names, for a subgraph that checks callers. ' +
      'Cold is the first operation after the subgraph started; it fills its shared caches (definitions, leaderboards, catalog: 3 calls) before it listens, and those are not counted. ' +
      '"Bench process busy" is the event-loop utilisation of the process hosting the emulator and the load generator; near 100% it, not the target, limits throughput.',
  );
  return lines.join('\n');
}

/** Table cells stay readable; results/latest.json has every detail in full. */
function clip(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function latency(r: RunResult): string {
  return `${fmt(r.latency.p50)} / ${fmt(r.latency.p99)} ms`;
}

/** A cell of what was not measured (a failed scenario) reads "—". */
function safe(cell: (s: ScenarioResult) => string, s: ScenarioResult): string {
  try {
    return cell(s);
  } catch {
    return '—';
  }
}

/** Into `dir`: test/bench/results for a published run, elsewhere (a temporary directory) for a smoke run. */
export function writeResults(dir: string, run: BenchRun, markdown: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(md, `# Benchmark: latest run\n\n${markdown}\n`);
  return { json, md };
}

/** Replaces what sits between the markers of docs/benchmark.md; false when it has no markers. */
export function updateResultsDoc(root: string, markdown: string): boolean {
  const path = join(root, RESULTS_DOC);
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  if (start < 0 || end < start) return false;
  writeFileSync(path, `${text.slice(0, start + RESULTS_START.length)}\n${markdown}\n${text.slice(end)}`);
  return true;
}
