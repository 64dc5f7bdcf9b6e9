/**
 * Players the bench needs beyond the demo seed. S1 asks for 50 distinct players per
 * operation and every in-flight operation must name different players: otherwise the
 * subgraph's coalescing of identical concurrent GETs would merge calls across operations
 * and S1 would no longer cost what a gateway's varied traffic costs. Both the emulator (in
 * the bench process) and the GraphQL ceiling (in its own process) build the same players.
 */
import { demoUserId, demoUserToken } from '../../src/emulator/index.js';
import type { EmulatorState } from '../../src/emulator/state.js';

/** Players per S1 operation (the 50 representations). */
export const ENTITIES_PER_OPERATION = 50;
/** Distinct groups of 50 cycled by S1: twice the highest concurrency, so in-flight groups never overlap. */
export const ENTITY_GROUPS = 128;
export const BENCH_USER_COUNT = ENTITIES_PER_OPERATION * ENTITY_GROUPS;

/** Adds demo-style players `demoUserId(i)` for every i below `count` the seed did not create. */
export function ensureBenchUsers(state: EmulatorState, count = BENCH_USER_COUNT): void {
  for (let i = 0; i < count; i++) {
    const id = demoUserId(i);
    if (state.users.has(id)) continue;
    const alias = `BenchPlayer${i}`;
    state.addUser({
      id,
      alias,
      display_name: `Bench Player ${i}`,
      profile_url: `https://scontent.oculuscdn.com/emulator/avatars/${alias.toLowerCase()}.png`,
      org_scoped_id: (5978973908802860n + BigInt(i) * 104729n).toString(),
      token: demoUserToken(i),
    });
    // Active players have progress: responses then carry records with full definitions,
    // as real ones do, instead of empty lists that would flatter parsing costs.
    const progress = state.progressOf(id);
    progress.set('FIRST_STEPS', {
      id: state.achievementDefinitions.get('FIRST_STEPS')!.id,
      user_id: id,
      api_name: 'FIRST_STEPS',
      count_progress: 0n,
      bitfield_progress: '',
      is_unlocked: true,
      unlock_time: 1_760_000_000 + i,
    });
    progress.set('COLLECT_100_GEMS', {
      id: state.achievementDefinitions.get('COLLECT_100_GEMS')!.id,
      user_id: id,
      api_name: 'COLLECT_100_GEMS',
      count_progress: BigInt(i % 100),
      bitfield_progress: '',
      is_unlocked: false,
      unlock_time: 0,
    });
  }
}

export function benchUserIds(count = BENCH_USER_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => demoUserId(i));
}
