/**
 * The three operations the issue benchmarks, each with what varies between operations
 * (`varSets`, cycled in order by every load generator so all targets see the same traffic),
 * how to check a complete answer, and the floors the issue sets for it.
 */
import { demoUserId } from '../../src/emulator/index.js';
import { benchUserIds, ENTITIES_PER_OPERATION, ENTITY_GROUPS } from './fixtures.js';

export const SCENARIO_IDS = ['S1', 'S2', 'S3'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** One operation's variable values, as strings: they are also what appears in its upstream calls. */
export type Vars = Record<string, string>;

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** One operation, in words, for the report. */
  description: string;
  query: string;
  varSets(): Vars[];
  variables(vars: Vars): Record<string, unknown>;
  /**
   * Dependent upstream rounds the operation needs at best, which times the injected latency
   * is the latency floor; undefined when the issue says to count what the operation does.
   */
  floorRounds: number | undefined;
  /** Most upstream calls one operation may make, first after start (cold) and later (warm). */
  callFloors: { cold: number; warm: number } | undefined;
  /** Undefined when an answer's `data` is right, else what is wrong with it. */
  check(data: any): string | undefined;
}

export function requestBody(scenario: Scenario, vars: Vars): string {
  return JSON.stringify({ query: scenario.query, variables: scenario.variables(vars) });
}

/** Undefined when a whole answer is right: no errors and the data the operation asked for. */
export function verifyAnswer(scenario: Scenario, body: unknown): string | undefined {
  const answer = body as { data?: unknown; errors?: GraphQLErrorBody[] } | null;
  if (!answer || typeof answer !== 'object') return `not a GraphQL answer: ${describe(body)}`;
  if (answer.errors?.length) return describeErrors(answer.errors);
  return scenario.check(answer.data ?? null);
}

const S1_ACHIEVEMENTS = ['FIRST_STEPS', 'COLLECT_100_GEMS', 'VISIT_3_CONTINENTS'];
const S2_ACHIEVEMENTS = ['FIRST_STEPS', 'COLLECT_100_GEMS'];
const LEADERBOARD = 'HIGH_SCORES';
/** S3 writes land on these players; few enough that the leaderboard stays the seeded size. */
const S3_PLAYERS = 50;

const entities: Scenario = {
  id: 'S1',
  title: 'S1 entities',
  description: `\`_entities\` for ${ENTITIES_PER_OPERATION} \`User\` representations: \`displayName\` and progress on ${S1_ACHIEVEMENTS.length} achievements with each definition's title`,
  query: `query BenchEntities($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id displayName achievements(apiNames: ${JSON.stringify(S1_ACHIEVEMENTS)}) { unlocked count definition { title } } } } }`,
  varSets() {
    const ids = benchUserIds();
    return Array.from({ length: ENTITY_GROUPS }, (_, group) =>
      Object.fromEntries(ids.slice(group * ENTITIES_PER_OPERATION, (group + 1) * ENTITIES_PER_OPERATION).map((id, i) => [`u${i}`, id])),
    );
  },
  variables: (vars) => ({ representations: Object.values(vars).map((id) => ({ __typename: 'User', id })) }),
  floorRounds: 1,
  callFloors: { cold: 101, warm: 100 },
  check(data) {
    const list = data?._entities;
    if (!Array.isArray(list) || list.length !== ENTITIES_PER_OPERATION) return `expected ${ENTITIES_PER_OPERATION} entities, got ${describe(list)}`;
    for (const user of list) {
      if (typeof user?.displayName !== 'string') return `entity ${user?.id} has no displayName`;
      if (!Array.isArray(user.achievements) || user.achievements.length !== S1_ACHIEVEMENTS.length)
        return `entity ${user.id} has ${describe(user.achievements)} achievements`;
      if (user.achievements.some((a: any) => typeof a?.definition?.title !== 'string')) return `entity ${user.id} has an achievement without a title`;
    }
    return undefined;
  },
};

const leaderboardPage: Scenario = {
  id: 'S2',
  title: 'S2 leaderboard page',
  description: `top 25 entries of \`${LEADERBOARD}\` with each player's \`displayName\` and progress on ${S2_ACHIEVEMENTS.length} achievements`,
  query: `query BenchLeaderboardPage { leaderboard(apiName: "${LEADERBOARD}") { entries(first: 25) { nodes { rank score user { id displayName achievements(apiNames: ${JSON.stringify(S2_ACHIEVEMENTS)}) { unlocked count definition { title } } } } } } }`,
  varSets: () => [{}],
  variables: () => ({}),
  floorRounds: 2,
  callFloors: { cold: 26, warm: 26 },
  check(data) {
    const board = data?.leaderboard;
    if (!board) return `leaderboard(apiName: "${LEADERBOARD}") is ${describe(board)}`;
    const nodes = board.entries?.nodes;
    if (!Array.isArray(nodes) || nodes.length !== 25) return `expected 25 entries, got ${describe(nodes)}`;
    for (const entry of nodes) {
      if (typeof entry?.rank !== 'number' || typeof entry.score !== 'string') return `entry without rank or score: ${JSON.stringify(entry)}`;
      if (typeof entry.user?.displayName !== 'string') return `entry ${entry.rank} has no player displayName`;
      if (!Array.isArray(entry.user.achievements) || entry.user.achievements.length !== S2_ACHIEVEMENTS.length)
        return `entry ${entry.rank} has ${describe(entry.user.achievements)} achievements`;
    }
    return undefined;
  },
};

const writes: Scenario = {
  id: 'S3',
  title: 'S3 writes',
  description:
    'one operation of three mutations for a random player (GraphQL runs them in order): `unlockAchievement` FIRST_STEPS, `addAchievementCount` COLLECT_100_GEMS +1, `submitLeaderboardScore` on HIGH_SCORES, each reading back the progress or entry',
  query:
    'mutation BenchWrites($userId: ID!, $score: Long!) { ' +
    'unlockAchievement(userId: $userId, apiName: "FIRST_STEPS") { justUnlocked progress { unlocked } } ' +
    'addAchievementCount(userId: $userId, apiName: "COLLECT_100_GEMS", count: 1) { justUnlocked progress { count unlocked } } ' +
    `submitLeaderboardScore(userId: $userId, leaderboard: "${LEADERBOARD}", score: $score) { didUpdate entry { rank score } } }`,
  varSets() {
    // Deterministic "random": every target and every run sees the same sequence.
    const random = xorshift(20_251_125);
    // Scores of 6 digits above the seeded ones: some improve a player's best, some do not.
    return Array.from({ length: 1_000 }, () => ({
      userId: demoUserId(Math.floor(random() * S3_PLAYERS)),
      score: String(100_000 + Math.floor(random() * 900_000)),
    }));
  },
  variables: (vars) => ({ userId: vars.userId, score: vars.score }),
  floorRounds: undefined,
  callFloors: undefined,
  check(data) {
    if (data?.unlockAchievement?.progress?.unlocked !== true) return `unlockAchievement answered ${describe(data?.unlockAchievement)}`;
    if (typeof data.addAchievementCount?.progress?.count !== 'string') return `addAchievementCount answered ${describe(data.addAchievementCount)}`;
    if (typeof data.submitLeaderboardScore?.didUpdate !== 'boolean' || typeof data.submitLeaderboardScore.entry?.rank !== 'number') {
      return `submitLeaderboardScore answered ${describe(data.submitLeaderboardScore)}`;
    }
    return undefined;
  },
};

export const SCENARIOS: Record<ScenarioId, Scenario> = { S1: entities, S2: leaderboardPage, S3: writes };

type GraphQLErrorBody = { message?: string; extensions?: { code?: string; upstream?: { reason?: string } } };

/** `N GraphQL error(s): [CODE] message`, each distinct message once. */
export function describeErrors(errors: GraphQLErrorBody[]): string {
  const distinct = [
    ...new Set(
      errors.map((e) => `[${e.extensions?.code ?? 'no code'}${e.extensions?.upstream?.reason ? ` ${e.extensions.upstream.reason}` : ''}] ${e.message}`),
    ),
  ];
  return `${errors.length} GraphQL error(s): ${distinct.slice(0, 3).join('; ')}`;
}

/** The errors of an answer body, described, or the body's start when it is not JSON. */
export function describeErrorBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: GraphQLErrorBody[] };
    if (parsed.errors?.length) return describeErrors(parsed.errors);
  } catch {
    // Not JSON: show it as it is.
  }
  return body.slice(0, 300);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 160)}...` : text;
}

/** xorshift32, as the emulator's fault dice: small and reproducible. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}
