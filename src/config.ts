/**
 * Every setting, from the environment, validated at start-up. `loadConfig` collects one
 * message per bad value and throws them together, so an operator fixes them in one go.
 */
import { otelProblems } from './observability/tracing.js';
import { loadAuthConfig, type AuthConfig } from './auth/config.js';

export interface Config {
  /** Port the subgraph listens on. */
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Origins allowed by CORS (the browser-hosted Apollo Sandbox needs one). */
  corsOrigins: string[];
  /** Deadline of a whole GraphQL operation; reads still running past it are abandoned. */
  operationTimeoutMs: number;
  /** New operations wait for admission while more upstream calls than this wait for a slot (src/admission.ts). */
  admission: { maxQueuedCalls: number };
  /** What one operation may ask (src/graphql/limits.ts): depth, aliases, estimated cost, tokens. */
  queryLimits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number };
  /** The idempotency ledger: in memory, or in Redis (shared by replicas) when `redisUrl` is set. */
  idempotency: { redisUrl: string | undefined; ttlMs: number; settleDelayMs: number };
  /** Shared caches of public, rarely changing data (definitions, leaderboards, catalog). */
  cache: { maxEntries: number; ttlMs: number; staleMs: number; /** Fill them at start-up, before listening (src/graphql/warmup.ts). */ warmup: boolean };
  horizon: {
    /** `live`: the real API with your credentials; `emulator`: the built-in emulator on demo data. */
    mode: 'live' | 'emulator';
    baseUrl: string;
    appId: string;
    appSecret: string;
    maxConnections: number;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    /** Deadline of one upstream attempt, body included. */
    callTimeoutMs: number;
    retryMaxAttempts: number;
    /** No retry starts later than this after a call's first attempt. */
    retryBudgetMs: number;
    /** Upstream calls in flight for the app at once, and calls allowed to wait for a slot. */
    maxInFlight: number;
    maxQueued: number;
    /** Consecutive outage failures that open the circuit, and how long it stays open. */
    breakerThreshold: number;
    breakerCooldownMs: number;
  };
  emulator: { port: number; host: string; latencyMs: number };
  /** Caller authentication (JWT scopes checked against the schema's @authenticated/@requiresScopes) and the router shared secret. */
  auth: AuthConfig;
  /** After SIGTERM/SIGINT: how long in-flight operations may take to finish before connections are closed. */
  shutdownGraceMs: number;
  /** Prometheus metrics at `/metrics` on the subgraph's port. */
  metricsEnabled: boolean;
  /** `/ready`: how long a successful upstream answer counts; older, `/ready` probes the upstream first. */
  readinessUpstreamMaxAgeMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const STUDIO_ORIGIN = 'https://studio.apollographql.com';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };
  const production = (env.NODE_ENV ?? '') === 'production';

  const appId = env.HORIZON_APP_ID?.trim() ?? '';
  const appSecret = env.HORIZON_APP_SECRET?.trim() ?? '';
  let mode: 'live' | 'emulator' = 'emulator';
  if (appId || appSecret) {
    mode = 'live';
    if (!appId) problems.push('HORIZON_APP_ID is required when HORIZON_APP_SECRET is set');
    else if (!/^\d{1,20}$/.test(appId)) problems.push('HORIZON_APP_ID must be the numeric app id from the developer dashboard');
    // Never echo the secret, not even in a configuration error.
    if (!appSecret) problems.push('HORIZON_APP_SECRET is required when HORIZON_APP_ID is set');
    else if (/[\s|]/.test(appSecret)) problems.push('HORIZON_APP_SECRET must not contain spaces or "|"');
  } else if (production) {
    problems.push('HORIZON_APP_ID and HORIZON_APP_SECRET are required when NODE_ENV=production (the emulator is for development)');
  }

  const baseUrl = env.HORIZON_GRAPH_URL?.trim() || 'https://graph.oculus.com';
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    if (url.search || url.hash || url.username || url.password) throw new Error('extras');
  } catch {
    problems.push(`HORIZON_GRAPH_URL must be an http(s) URL without query, fragment or credentials (got "${baseUrl}")`);
  }

  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);

  const corsOrigins =
    env.CORS_ORIGINS !== undefined
      ? env.CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : production
        ? []
        : [STUDIO_ORIGIN];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`CORS_ORIGINS entries must be origins like https://example.com (got "${origin}")`);
  }

  const maxInFlight = int('HORIZON_MAX_IN_FLIGHT', 128, 1, 100_000);
  const config: Config = {
    port: int('PORT', 4001, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    production,
    logLevel,
    maxBodyBytes: int('MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    corsOrigins,
    operationTimeoutMs: int('OPERATION_TIMEOUT_MS', 15_000, 100, 600_000),
    // 0: an operation starts only while no upstream call waits for a slot (src/admission.ts).
    admission: { maxQueuedCalls: int('ADMISSION_MAX_QUEUED_CALLS', 0, 0, 1_000_000) },
    queryLimits: {
      maxDepth: int('MAX_QUERY_DEPTH', 10, 2, 1_000),
      maxAliases: int('MAX_ALIASES', 30, 0, 100_000),
      maxCost: int('MAX_QUERY_COST', 1_000, 1, 100_000_000),
      maxTokens: int('MAX_QUERY_TOKENS', 10_000, 100, 10_000_000),
    },
    idempotency: {
      redisUrl: redisUrl(env.REDIS_URL, problems),
      ttlMs: int('IDEMPOTENCY_TTL_MS', 24 * 3600 * 1000, 60_000, 30 * 24 * 3600 * 1000),
      settleDelayMs: int('IDEMPOTENCY_SETTLE_DELAY_MS', 1_000, 0, 60_000),
    },
    cache: {
      maxEntries: int('CACHE_MAX_ENTRIES', 10_000, 0, 10_000_000),
      ttlMs: int('CACHE_TTL_MS', 60_000, 0, 86_400_000),
      staleMs: int('CACHE_STALE_MS', 300_000, 0, 86_400_000),
      warmup: bool('CACHE_WARMUP', true),
    },
    horizon: {
      mode,
      baseUrl,
      appId,
      appSecret,
      maxConnections: int('HORIZON_MAX_CONNECTIONS', 128, 1, 10_000),
      connectTimeoutMs: int('HORIZON_CONNECT_TIMEOUT_MS', 3_000, 1, 120_000),
      requestTimeoutMs: int('HORIZON_REQUEST_TIMEOUT_MS', 10_000, 1, 300_000),
      callTimeoutMs: int('HORIZON_CALL_TIMEOUT_MS', 5_000, 1, 300_000),
      retryMaxAttempts: int('HORIZON_RETRY_MAX_ATTEMPTS', 3, 1, 10),
      retryBudgetMs: int('HORIZON_RETRY_BUDGET_MS', 5_000, 0, 120_000),
      maxInFlight,
      maxQueued: int('HORIZON_MAX_QUEUED', 10_000, 0, 1_000_000),
      breakerThreshold: int('HORIZON_BREAKER_THRESHOLD', 10, 1, 10_000),
      breakerCooldownMs: int('HORIZON_BREAKER_COOLDOWN_MS', 5_000, 100, 600_000),
    },
    emulator: {
      port: int('EMULATOR_PORT', 4010, 0, 65535),
      host: env.EMULATOR_HOST?.trim() || '127.0.0.1',
      latencyMs: int('EMULATOR_LATENCY_MS', 0, 0, 60_000),
    },
    auth: loadAuthConfig(env, production, problems),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 20_000, 0, 600_000),
    metricsEnabled: bool('METRICS_ENABLED', true),
    readinessUpstreamMaxAgeMs: int('READINESS_UPSTREAM_MAX_AGE_MS', 30_000, 1_000, 3_600_000),
  };
  problems.push(...otelProblems(env));
  if (config.horizon.callTimeoutMs >= config.operationTimeoutMs) {
    problems.push(`HORIZON_CALL_TIMEOUT_MS (${config.horizon.callTimeoutMs}) must be below OPERATION_TIMEOUT_MS (${config.operationTimeoutMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function redisUrl(raw: string | undefined, problems: string[]): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return value;
  } catch {
    // reported below
  }
  // The URL may hold a password: never echo it.
  problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  return undefined;
}
