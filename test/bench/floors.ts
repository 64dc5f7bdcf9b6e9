/**
 * The floors the issue sets, checked against what was measured. Nothing here is tuned to
 * pass: each check states the number it saw next to the number it needs.
 */
import type { Check, ScenarioResult } from './results.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';

/** At concurrency 1, p50 may exceed the latency floor by at most this much. */
export const P50_ALLOWANCE_MS = 5;
/** At the high concurrency, the subgraph must reach this share of the HTTP floor's throughput. */
export const MIN_SHARE_OF_HTTP_FLOOR = 0.7;
export const MAX_PEAK_RSS_BYTES = 200 * 1024 * 1024;

export function evaluate(results: readonly ScenarioResult[], connections: number): Check[] {
  const checks: Check[] = [];
  for (const result of results) {
    const check = (name: string, pass: boolean, detail: string) => checks.push({ scenario: result.id, name, pass, detail });
    if (result.failure) check('the subgraph completed the run', false, result.failure);
    const { upstream, subgraph, httpFloor, machineFloor } = result;
    const floors = SCENARIOS[result.id as ScenarioId].callFloors;
    if (upstream && floors) {
      check(
        'upstream calls per operation',
        upstream.cold <= floors.cold && upstream.warm <= floors.warm,
        `cold ${upstream.cold} (≤ ${floors.cold}), warm ${upstream.warm} (≤ ${floors.warm})`,
      );
    }
    if (!upstream || !subgraph) continue;
    const p50 = subgraph.c1.latency.p50;
    const limit = upstream.latencyFloorMs + P50_ALLOWANCE_MS;
    // Whether the limit can be met on this machine at all: the machine floor is the upstream
    // rounds with nothing in Node between them; the ceiling is the GraphQL work with no upstream.
    const bare = machineFloor?.c1.latency.p50;
    const graphql = result.ceiling?.c1.latency.p50;
    let machine = '';
    if (bare !== undefined && graphql !== undefined) {
      const least = bare + graphql;
      machine = `; machine floor ${fmt(bare)} + GraphQL ceiling ${fmt(graphql)} = ${fmt(least)} ms${least > limit ? ', over the limit on this machine' : ''}`;
    }
    check('c=1 p50 within 5 ms of the latency floor', p50 <= limit, `${fmt(p50)} ms (≤ ${fmt(limit)} ms)${machine}`);
    if (httpFloor) {
      const share = httpFloor.high.opsPerSecond > 0 ? subgraph.high.opsPerSecond / httpFloor.high.opsPerSecond : 0;
      check(
        `c=${connections} ops/s ≥ 70% of the HTTP floor's`,
        share >= MIN_SHARE_OF_HTTP_FLOOR,
        `${fmt(subgraph.high.opsPerSecond)} vs ${fmt(httpFloor.high.opsPerSecond)} ops/s = ${Math.round(share * 100)}%`,
      );
    }
    check('peak RSS < 200 MB', subgraph.peakRssBytes < MAX_PEAK_RSS_BYTES, `${mb(subgraph.peakRssBytes)} MB`);
    const { c1: afterC1, high: afterHigh } = subgraph.afterCancellation;
    check(
      'healthy after cancelled operations',
      afterC1 === null && afterHigh === null,
      afterC1 === null && afterHigh === null ? 'next operation answered' : `after c=1: ${afterC1 ?? 'ok'}; after c=${connections}: ${afterHigh ?? 'ok'}`,
    );
    // Not one of the floors, but a measurement with failed operations measures something else.
    const errors = subgraph.c1.errors + subgraph.high.errors;
    check('no failed operations', errors === 0, errors === 0 ? '0' : `${errors}: ${subgraph.high.firstError ?? subgraph.c1.firstError}`);
  }
  return checks;
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}
