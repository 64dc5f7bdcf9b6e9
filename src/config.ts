/**
 * Every setting, from the environment, validated once at start-up against the schema
 * (src/settings/schema.ts): `loadConfig` collects one message per bad value and throws them
 * together, so an operator fixes them in one go, and builds the options each module takes.
 * `DEFAULTS` is what an empty environment gives: modules and tests take their defaults from it.
 */
import { z } from 'zod';
import { authConfig, authProblems } from './auth/config.js';
import { SERVICE_NAME, SETTINGS, STUDIO_ORIGIN, type SettingName, type Values } from './settings/schema.js';
import { Refused, type Kind } from './settings/values.js';
import { redisProblems, redisSettings } from './store/config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** One variable: unset or blank is the default; a refused value is reported and the default stands in, so every rule still runs. */
function variable<T>(kind: Kind<T>, fallback: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      const text = raw?.trim() ?? '';
      if (raw === undefined || (text === '' && !kind.blankIsValue)) return fallback;
      const value = kind.parse(text);
      if (!(value instanceof Refused)) return value;
      for (const message of value.messages) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return fallback;
    });
}

type Shape = { [K in SettingName]: z.ZodType<Values[K], z.ZodTypeDef, string | undefined> };
const VARIABLES = Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, variable<unknown>(s.kind, s.default)])) as unknown as Shape;

/** Paths the subgraph serves itself. */
const RESERVED_PATHS = new Set(['/', '/graphql', '/graphiql', '/health', '/ready', '/metrics']);

/** Rules across settings. `given(name)`: the variable is set, even to a refused value. */
function crossProblems(v: Values, given: (name: SettingName) => boolean): string[] {
  const problems: string[] = [];
  const production = v.NODE_ENV === 'production';
  if (given('HORIZON_APP_ID') || given('HORIZON_APP_SECRET')) {
    if (!given('HORIZON_APP_ID')) problems.push('HORIZON_APP_ID is required when HORIZON_APP_SECRET is set');
    if (!given('HORIZON_APP_SECRET')) problems.push('HORIZON_APP_SECRET is required when HORIZON_APP_ID is set');
  } else if (production) {
    problems.push('HORIZON_APP_ID and HORIZON_APP_SECRET are required when NODE_ENV=production (the emulator is for development)');
  }
  problems.push(...authProblems(v, given, production));
  problems.push(...redisProblems(v, given));
  const ratio = v.OTEL_TRACES_SAMPLER_ARG;
  if (ratio !== undefined && v.OTEL_TRACES_SAMPLER.endsWith('traceidratio') && !(/^\d*\.?\d+$/.test(ratio) && Number(ratio) <= 1)) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "${ratio}")`);
  }
  if (RESERVED_PATHS.has(v.WEBHOOK_PATH)) problems.push(`WEBHOOK_PATH must not be one of the subgraph's own paths (${[...RESERVED_PATHS].join(', ')})`);
  if (v.HORIZON_CALL_TIMEOUT_MS >= v.OPERATION_TIMEOUT_MS) {
    problems.push(`HORIZON_CALL_TIMEOUT_MS (${v.HORIZON_CALL_TIMEOUT_MS}) must be below OPERATION_TIMEOUT_MS (${v.OPERATION_TIMEOUT_MS})`);
  }
  return problems;
}

/** The options each module takes, from the settings' values. */
function build(v: Values) {
  const production = v.NODE_ENV === 'production';
  const exporters = v.OTEL_TRACES_EXPORTER;
  return {
    production,
    port: v.PORT,
    host: v.HOST,
    logLevel: v.LOG_LEVEL,
    maxBodyBytes: v.MAX_BODY_BYTES,
    /** Origins allowed by CORS (the browser-hosted Apollo Sandbox needs one). */
    corsOrigins: v.CORS_ORIGINS ?? (production ? [] : [STUDIO_ORIGIN]),
    operationTimeoutMs: v.OPERATION_TIMEOUT_MS,
    /** src/http/admission.ts */
    admission: { maxQueuedCalls: v.ADMISSION_MAX_QUEUED_CALLS },
    /** src/graphql/limits.ts */
    queryLimits: { maxDepth: v.MAX_QUERY_DEPTH, maxAliases: v.MAX_ALIASES, maxCost: v.MAX_QUERY_COST, maxTokens: v.MAX_QUERY_TOKENS },
    /** The idempotency ledger (src/idempotency): in memory, or in Redis (shared by replicas) when `redis` is set. */
    idempotency: { ledger: { ttlMs: v.IDEMPOTENCY_TTL_MS, settleDelayMs: v.IDEMPOTENCY_SETTLE_DELAY_MS } },
    /** The Redis every replica-shared store uses (src/store/redis.ts); undefined: none, state stays in this process. */
    redis: redisSettings(v),
    /** The webhook endpoint (src/webhooks); events in Redis when `redis` is set. The key defaults to the app secret, as Meta signs. */
    webhooks: {
      path: v.WEBHOOK_PATH,
      verifyToken: v.WEBHOOK_VERIFY_TOKEN,
      signature: v.WEBHOOK_SIGNATURE,
      secret: v.WEBHOOK_SECRET ?? v.HORIZON_APP_SECRET,
      maxBodyBytes: v.WEBHOOK_MAX_BODY_BYTES,
      retentionMs: v.WEBHOOK_RETENTION_DAYS * 24 * 3600 * 1000,
    },
    /** How verifyAttestation judges (src/graphql/integrity/verdict.ts). */
    attestation: {
      nonceTtlMs: v.ATTESTATION_NONCE_TTL_MS,
      packageIds: v.ATTESTATION_PACKAGE_IDS,
      certificateDigests: v.ATTESTATION_CERT_DIGESTS.map((d) => d.replace(/:/g, '').toLowerCase()),
      minDeviceIntegrity: v.ATTESTATION_MIN_DEVICE_INTEGRITY,
    },
    /** src/graphql/sharedCache.ts; `warmup`: src/graphql/warmup.ts. */
    cache: { maxEntries: v.CACHE_MAX_ENTRIES, ttlMs: v.CACHE_TTL_MS, staleMs: v.CACHE_STALE_MS, warmup: v.CACHE_WARMUP },
    /** The transport's options (src/horizon/transport.ts). */
    horizon: {
      /** `live`: the real API with your credentials; `emulator`: the built-in emulator on demo data. */
      mode: (v.HORIZON_APP_ID !== undefined || v.HORIZON_APP_SECRET !== undefined ? 'live' : 'emulator') as 'live' | 'emulator',
      baseUrl: v.HORIZON_GRAPH_URL,
      appId: v.HORIZON_APP_ID ?? '',
      appSecret: v.HORIZON_APP_SECRET ?? '',
      /** src/horizon/accounts.ts: the app's own id when unset. */
      federatedAppId: v.HORIZON_FEDERATED_APP_ID,
      maxImageBytes: v.HORIZON_MAX_IMAGE_BYTES,
      maxConnections: v.HORIZON_MAX_CONNECTIONS,
      connectTimeoutMs: v.HORIZON_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: v.HORIZON_REQUEST_TIMEOUT_MS,
      callTimeoutMs: v.HORIZON_CALL_TIMEOUT_MS,
      retry: { maxAttempts: v.HORIZON_RETRY_MAX_ATTEMPTS, budgetMs: v.HORIZON_RETRY_BUDGET_MS },
      breaker: { failureThreshold: v.HORIZON_BREAKER_THRESHOLD, cooldownMs: v.HORIZON_BREAKER_COOLDOWN_MS },
      limits: { maxInFlight: v.HORIZON_MAX_IN_FLIGHT, maxQueued: v.HORIZON_MAX_QUEUED },
    },
    /** `startEmulator`'s options (src/emulator). */
    emulator: emulatorOptions(v),
    /** Caller authentication (src/auth) and the router shared secret. */
    auth: authConfig(v, production),
    /** Whether `_service { sdl }` carries @authenticated/@requiresScopes (src/auth/publishedSdl.ts). */
    sdlAuthDirectives: v.SDL_AUTH_DIRECTIVES,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    metricsEnabled: v.METRICS_ENABLED,
    readinessUpstreamMaxAgeMs: v.READINESS_UPSTREAM_MAX_AGE_MS,
    /** `/ready` is 503 while the shared store is down (src/observability/health.ts). */
    readinessRequireSharedStore: v.READINESS_REQUIRE_SHARED_STORE,
    /** src/observability/tracing.ts; the SDK reads the other OTEL_* itself. */
    tracing: {
      enabled: !v.OTEL_SDK_DISABLED && exporters.length > 0 && !exporters.includes('none'),
      /** OTEL_SERVICE_NAME, or ours unless OTEL_RESOURCE_ATTRIBUTES names the service. */
      serviceName: v.OTEL_SERVICE_NAME ?? (/(^|,)\s*service\.name\s*=/.test(v.OTEL_RESOURCE_ATTRIBUTES ?? '') ? undefined : SERVICE_NAME),
    },
  };
}

function emulatorOptions(v: Pick<Values, 'EMULATOR_PORT' | 'EMULATOR_HOST' | 'EMULATOR_LATENCY_MS'> & { EMULATOR_WEBHOOK_URL?: string | undefined }) {
  return { port: v.EMULATOR_PORT, host: v.EMULATOR_HOST, faults: { latencyMs: v.EMULATOR_LATENCY_MS }, webhookUrl: v.EMULATOR_WEBHOOK_URL };
}

export type Config = ReturnType<typeof build>;

function problemsOf(error: z.ZodError): ConfigError {
  return new ConfigError(error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message)));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = (name: SettingName) => (env[name] ?? '').trim() !== '';
  const result = z
    .object(VARIABLES)
    .superRefine((values, ctx) => {
      for (const message of crossProblems(values as Values, given)) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    })
    .transform((values) => build(values as Values))
    .safeParse(env);
  if (!result.success) throw problemsOf(result.error);
  return result.data;
}

/** The emulator's settings alone (`npm run emulator`). */
export function loadEmulatorConfig(env: NodeJS.ProcessEnv = process.env): Config['emulator'] {
  const { EMULATOR_PORT, EMULATOR_HOST, EMULATOR_LATENCY_MS, EMULATOR_WEBHOOK_URL } = VARIABLES;
  const result = z.object({ EMULATOR_PORT, EMULATOR_HOST, EMULATOR_LATENCY_MS, EMULATOR_WEBHOOK_URL }).transform(emulatorOptions).safeParse(env);
  if (!result.success) throw problemsOf(result.error);
  return result.data;
}

/** `SDL_AUTH_DIRECTIVES` alone (`npm run schema:print` prints what `_service { sdl }` would publish). */
export function loadSdlAuthDirectives(env: NodeJS.ProcessEnv = process.env): Config['sdlAuthDirectives'] {
  const result = z.object({ SDL_AUTH_DIRECTIVES: VARIABLES.SDL_AUTH_DIRECTIVES }).safeParse(env);
  if (!result.success) throw problemsOf(result.error);
  return result.data.SDL_AUTH_DIRECTIVES;
}

/**
 * An entry point's start (`npm start`, `npm run emulator`): `start` with the settings `load` reads.
 * Invalid settings print their problems, anything else that fails `<name> failed to start: ...`,
 * on stderr; either exits 1.
 */
export function startProcess<T>(name: string, load: () => T, start: (settings: T) => Promise<void>): void {
  Promise.resolve()
    .then(load)
    .then(start)
    .catch((error: unknown) => {
      const message = error instanceof ConfigError ? error.message : `${name} failed to start: ${error instanceof Error ? error.message : String(error)}`;
      process.stderr.write(`${message}\n`);
      process.exit(1);
    });
}

/** Every setting's default, as the modules take them. */
export const DEFAULTS: Config = loadConfig({});
