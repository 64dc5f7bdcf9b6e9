/**
 * Where the replica-shared stores live, from the REDIS_* settings: one node (`REDIS_URL`), a
 * Redis Cluster (`REDIS_CLUSTER_NODES`) or a primary watched by Sentinel (`REDIS_SENTINELS` +
 * `REDIS_SENTINEL_MASTER`), with ACL credentials and TLS. `redisProblems` checks the settings
 * together at start-up; no Redis client is loaded here.
 */
import { readFileSync } from 'node:fs';
import type { SettingName, Values } from '../settings/schema.js';

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string; sentinelUsername?: string; sentinelPassword?: string };

export interface RedisSettings {
  topology: RedisTopology;
  username?: string;
  password?: string;
  /** TLS to every node (single node: `rediss://`), trusting `caFile` when given, else the system's CAs. */
  tls: boolean;
  caFile?: string;
  /** A command unanswered this long fails (the keyed write then fails closed). */
  commandTimeoutMs: number;
  /** Replicas a ledger record must reach (Redis `WAIT`) before its write is sent to Horizon; 0: off. */
  waitReplicas: number;
  waitTimeoutMs: number;
}

type RedisValues = Pick<
  Values,
  | 'REDIS_URL'
  | 'REDIS_CLUSTER_NODES'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_MASTER'
  | 'REDIS_USERNAME'
  | 'REDIS_PASSWORD'
  | 'REDIS_SENTINEL_USERNAME'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_TLS'
  | 'REDIS_TLS_CA_FILE'
  | 'REDIS_COMMAND_TIMEOUT_MS'
  | 'REDIS_WAIT_REPLICAS'
  | 'REDIS_WAIT_TIMEOUT_MS'
>;

export function redisSettings(v: RedisValues): RedisSettings | undefined {
  let topology: RedisTopology;
  if (v.REDIS_URL) topology = { kind: 'single', url: v.REDIS_URL };
  else if (v.REDIS_CLUSTER_NODES.length > 0) topology = { kind: 'cluster', nodes: v.REDIS_CLUSTER_NODES };
  else if (v.REDIS_SENTINELS.length > 0)
    topology = {
      kind: 'sentinel',
      sentinels: v.REDIS_SENTINELS,
      master: v.REDIS_SENTINEL_MASTER ?? '',
      sentinelUsername: v.REDIS_SENTINEL_USERNAME,
      sentinelPassword: v.REDIS_SENTINEL_PASSWORD,
    };
  else return undefined;
  return {
    topology,
    username: v.REDIS_USERNAME,
    password: v.REDIS_PASSWORD,
    tls: tlsOn(v),
    caFile: v.REDIS_TLS_CA_FILE,
    commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    waitReplicas: v.REDIS_WAIT_REPLICAS,
    waitTimeoutMs: v.REDIS_WAIT_TIMEOUT_MS,
  };
}

/** TLS is on with REDIS_TLS, or with a `rediss://` REDIS_URL. */
const tlsOn = (v: RedisValues): boolean => v.REDIS_TLS || (v.REDIS_URL?.startsWith('rediss:') ?? false);

/** Rules across the REDIS_* settings, one message each. `given(name)`: the variable is set. */
export function redisProblems(v: RedisValues, given: (name: SettingName) => boolean): string[] {
  const problems: string[] = [];
  const where = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter(given);
  if (where.length > 1) problems.push(`set only one of ${where.join(', ')}: they are three ways to say where Redis is`);
  if (where.length === 0) {
    // Set to something other than the default: a sign Redis was meant to be configured.
    const meaningful = (name: SettingName) =>
      given(name) && (name === 'REDIS_TLS' ? v.REDIS_TLS : name === 'REDIS_WAIT_REPLICAS' ? v.REDIS_WAIT_REPLICAS > 0 : true);
    const stray = (
      [
        'REDIS_SENTINEL_MASTER',
        'REDIS_USERNAME',
        'REDIS_PASSWORD',
        'REDIS_SENTINEL_USERNAME',
        'REDIS_SENTINEL_PASSWORD',
        'REDIS_TLS',
        'REDIS_TLS_CA_FILE',
        'REDIS_WAIT_REPLICAS',
      ] as const
    ).filter(meaningful);
    if (stray.length > 0) problems.push(`${stray.join(', ')} set, but no Redis is: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`);
    return problems;
  }
  if (given('REDIS_SENTINELS') !== given('REDIS_SENTINEL_MASTER'))
    problems.push(
      given('REDIS_SENTINELS')
        ? 'REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS: the name the sentinels monitor the primary under'
        : 'REDIS_SENTINEL_MASTER is set without REDIS_SENTINELS',
    );
  if (!given('REDIS_SENTINELS') && (given('REDIS_SENTINEL_USERNAME') || given('REDIS_SENTINEL_PASSWORD')))
    problems.push('REDIS_SENTINEL_USERNAME and REDIS_SENTINEL_PASSWORD are for REDIS_SENTINELS only');
  if (given('REDIS_USERNAME') && !given('REDIS_PASSWORD')) problems.push("REDIS_USERNAME needs REDIS_PASSWORD (the ACL user's password)");
  if (v.REDIS_URL) {
    const url = new URL(v.REDIS_URL);
    if ((url.username || url.password) && (given('REDIS_USERNAME') || given('REDIS_PASSWORD')))
      problems.push('REDIS_URL carries credentials and REDIS_USERNAME/REDIS_PASSWORD are set too: give them in one place');
    if (given('REDIS_TLS') && v.REDIS_TLS !== (url.protocol === 'rediss:'))
      problems.push('with REDIS_URL, TLS is chosen by its scheme (rediss:// for TLS): leave REDIS_TLS unset');
  }
  if (v.REDIS_TLS_CA_FILE !== undefined) {
    if (!tlsOn(v)) problems.push('REDIS_TLS_CA_FILE is set but TLS is off: use rediss:// in REDIS_URL, or REDIS_TLS=true');
    const problem = pemProblem(v.REDIS_TLS_CA_FILE);
    if (problem) problems.push(`REDIS_TLS_CA_FILE ${problem}`);
  }
  if (v.REDIS_WAIT_TIMEOUT_MS >= v.REDIS_COMMAND_TIMEOUT_MS)
    problems.push(`REDIS_WAIT_TIMEOUT_MS (${v.REDIS_WAIT_TIMEOUT_MS}) must be below REDIS_COMMAND_TIMEOUT_MS (${v.REDIS_COMMAND_TIMEOUT_MS})`);
  return problems;
}

/** Why the CA file cannot be used, or undefined. Read at start-up so a wrong path is reported with the other settings. */
function pemProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${path})`;
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? undefined : `is not a PEM certificate file (${path})`;
}
