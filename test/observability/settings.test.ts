/**
 * Every setting is read through the schema (src/settings/schema.ts) and documented from it:
 * `.env.example` and the tables of docs/configuration.md are generated, and this test fails
 * when they are stale. The operators' settings parse and refuse bad values, one message each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../../scripts/settings-docs.js';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/config.js';
import { HorizonClient } from '../../src/horizon/client.js';
import { SETTINGS } from '../../src/settings/schema.js';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

test('docs/configuration.md and .env.example are generated from the schema', () => {
  const stale = Object.entries(generatedFiles(ROOT))
    .filter(([path, content]) => read(path) !== content)
    .map(([path]) => path);
  if (stale.length > 0) throw new Error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: run \`npm run settings:docs\` and commit the result`);
});

describe('every setting the code reads', () => {
  const sources = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  /** `NAME` → value of every `#NAME=value` line of .env.example. */
  const documented = new Map([...read('.env.example').matchAll(/^#?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

  test('is in the schema: no module reads the environment by itself', () => {
    const read_ = sources('src').flatMap((path) =>
      [...read(path).matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)].map((m) => `${path}: ${m[1] ?? m[2]}`),
    );
    expect(read_.filter((hit) => !(hit.split(': ')[1]! in SETTINGS))).toEqual([]);
  });

  test.each(Object.keys(SETTINGS))('%s is in .env.example and in a table of docs/configuration.md', (name) => {
    const row = new RegExp(`^\\| \`${name}\` \\| ([^|]+) \\|`, 'm').exec(read('docs/configuration.md'));
    expect({ name, inEnvExample: documented.has(name), inConfigurationTable: row !== null }).toEqual({ name, inEnvExample: true, inConfigurationTable: true });
  });

  test(".env.example's defaults are the code's defaults, and none of them turns tracing on", () => {
    const env = Object.fromEntries([...documented].filter(([, value]) => value !== ''));
    expect(loadConfig(env)).toEqual(loadConfig({}));
    expect(loadConfig(env).tracing.enabled).toBe(false);
  });
});

describe("the operators' settings", () => {
  test('defaults and valid values', () => {
    expect(loadConfig({})).toMatchObject({ shutdownGraceMs: 20_000, metricsEnabled: true, readinessUpstreamMaxAgeMs: 30_000 });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '0', METRICS_ENABLED: 'false', READINESS_UPSTREAM_MAX_AGE_MS: '5000' })).toMatchObject({
      shutdownGraceMs: 0,
      metricsEnabled: false,
      readinessUpstreamMaxAgeMs: 5_000,
    });
    expect(loadConfig({ METRICS_ENABLED: 'TRUE' }).metricsEnabled).toBe(true);
  });

  test('bad values: one message each, in the order of the tables', () => {
    expect(
      problemsOf({
        SHUTDOWN_GRACE_MS: '2s',
        METRICS_ENABLED: 'yes please',
        READINESS_UPSTREAM_MAX_AGE_MS: '0',
        OTEL_TRACES_EXPORTER: 'otlp,jaeger',
        OTEL_SDK_DISABLED: 'nope',
      }),
    ).toEqual([
      'METRICS_ENABLED must be true or false (got "yes please")',
      'READINESS_UPSTREAM_MAX_AGE_MS must be a whole number from 1000 to 3600000 (got "0")',
      'SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000 (got "2s")',
      'OTEL_TRACES_EXPORTER entries must be one of otlp, console, zipkin, none (got "jaeger")',
      'OTEL_SDK_DISABLED must be true or false (got "nope")',
    ]);
  });

  test('tracing is on only when an exporter is named and the SDK is not disabled', () => {
    const tracing = (env: NodeJS.ProcessEnv) => loadConfig(env).tracing.enabled;
    expect(tracing({})).toBe(false);
    expect(tracing({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(
      problemsOf({
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
      }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "collector:4318")',
      'OTEL_EXPORTER_OTLP_PROTOCOL must be one of grpc, http/protobuf, http/json (got "udp")',
      'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "1.5")',
    ]);
  });

  test('the service is named horizon-subgraph in traces unless the OTEL_* settings name it', () => {
    expect(loadConfig({}).tracing.serviceName).toBe('horizon-subgraph');
    expect(loadConfig({ OTEL_SERVICE_NAME: 'edge' }).tracing.serviceName).toBe('edge');
    expect(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=edge' }).tracing.serviceName).toBeUndefined();
  });
});

describe('one style for every kind of value', () => {
  test('surrounding spaces are ignored; blank is the default; a list set blank is empty', () => {
    expect(loadConfig({ PORT: ' 8080 ', CACHE_WARMUP: ' FALSE ', LOG_LEVEL: 'Debug', HOST: '' })).toMatchObject({
      port: 8080,
      cache: { warmup: false },
      logLevel: 'debug',
      host: '0.0.0.0',
    });
    expect(loadConfig({ CORS_ORIGINS: '' }).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' https://a.example , http://b.example:8080 ' }).corsOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  test('whole numbers are digits within bounds: no sign, decimals or exponent', () => {
    for (const value of ['-1', '1.5', '1e3', '0x10', '65536'])
      expect(problemsOf({ PORT: value })).toEqual([`PORT must be a whole number from 0 to 65535 (got "${value}")`]);
  });

  test('secrets and URLs that may hold credentials are never echoed', () => {
    const problems = problemsOf({
      HORIZON_GRAPH_URL: 'https://user:hunter2@graph.example.com',
      REDIS_URL: 'hunter3',
      ROUTER_SHARED_SECRET: 'hunter4',
      HORIZON_APP_ID: '1',
      HORIZON_APP_SECRET: 'hunter 5',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toMatch(/hunter/);
  });
});

describe('HORIZON_MAX_IN_FLIGHT: 128 calls at once, as documented, whatever the connection count', () => {
  const inFlight = (client: HorizonClient) => {
    const capacity = client.transport.limiter.capacity;
    void client.close();
    return capacity;
  };
  const options = (env: NodeJS.ProcessEnv) => ({ ...loadConfig(env).horizon, appId: '1', appSecret: 'secret' });

  test('the app passes the setting to the transport', () => {
    expect(DEFAULTS.horizon.limits).toEqual({ maxInFlight: 128, maxQueued: 10_000 });
    expect(inFlight(HorizonClient.create(options({})))).toBe(128);
    expect(inFlight(HorizonClient.create(options({ HORIZON_MAX_CONNECTIONS: '16' })))).toBe(128);
    expect(inFlight(HorizonClient.create(options({ HORIZON_MAX_IN_FLIGHT: '7' })))).toBe(7);
  });

  test('a transport built without limits takes the same default (it took twice its connections)', () => {
    const { limits: _limits, ...withoutLimits } = options({ HORIZON_MAX_CONNECTIONS: '16' });
    expect(inFlight(HorizonClient.create(withoutLimits))).toBe(128);
  });
});

describe('where the shared store is: one Redis node, a Cluster or Sentinel', () => {
  test('each topology, with credentials, TLS and WAIT', () => {
    expect(DEFAULTS.redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'rediss://app:pw@redis.internal:6380/2' }).redis).toEqual({
      topology: { kind: 'single', url: 'rediss://app:pw@redis.internal:6380/2' },
      tls: true,
      commandTimeoutMs: 3_000,
      waitReplicas: 0,
      waitTimeoutMs: 500,
    });
    expect(
      loadConfig({
        REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.2:7000,[::1]:7001',
        REDIS_TLS: 'true',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_WAIT_REPLICAS: '1',
      }).redis,
    ).toEqual({
      topology: {
        kind: 'cluster',
        nodes: [
          { host: 'redis-0', port: 6379 },
          { host: '10.0.0.2', port: 7000 },
          { host: '::1', port: 7001 },
        ],
      },
      username: 'app',
      password: 'pw',
      tls: true,
      commandTimeoutMs: 3_000,
      waitReplicas: 1,
      waitTimeoutMs: 500,
    });
    expect(
      loadConfig({ REDIS_SENTINELS: 's0:26379,s1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'main', REDIS_SENTINEL_PASSWORD: 'spw', REDIS_PASSWORD: 'pw' }).redis,
    ).toMatchObject({
      topology: {
        kind: 'sentinel',
        master: 'main',
        sentinelPassword: 'spw',
        sentinels: [
          { host: 's0', port: 26379 },
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
      },
      password: 'pw',
      tls: false,
    });
  });

  test('contradictory or incomplete settings: one clear message each, no secret echoed', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:6379' })).toEqual([
      'set only one of REDIS_URL, REDIS_CLUSTER_NODES: they are three ways to say where Redis is',
    ]);
    expect(problemsOf({ REDIS_SENTINELS: 's0:26379' })).toEqual([
      'REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS: the name the sentinels monitor the primary under',
    ]);
    expect(problemsOf({ REDIS_PASSWORD: 'hunter9', REDIS_WAIT_REPLICAS: '1' })).toEqual([
      'REDIS_PASSWORD, REDIS_WAIT_REPLICAS set, but no Redis is: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://:hunter9@a:6379', REDIS_PASSWORD: 'hunter9' })).toEqual([
      'REDIS_URL carries credentials and REDIS_USERNAME/REDIS_PASSWORD are set too: give them in one place',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_TLS: 'true' })).toEqual([
      'with REDIS_URL, TLS is chosen by its scheme (rediss:// for TLS): leave REDIS_TLS unset',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:6379', REDIS_USERNAME: 'app' })).toEqual(["REDIS_USERNAME needs REDIS_PASSWORD (the ACL user's password)"]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:6379,b', REDIS_SENTINEL_PASSWORD: 'hunter9' })).toEqual([
      'REDIS_CLUSTER_NODES entries must be host:port (e.g. redis-0.internal:6379) (got "b")',
      'REDIS_SENTINEL_USERNAME and REDIS_SENTINEL_PASSWORD are for REDIS_SENTINELS only',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:6379', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'REDIS_TLS_CA_FILE is set but TLS is off: use rediss:// in REDIS_URL, or REDIS_TLS=true',
      'REDIS_TLS_CA_FILE cannot be read: ENOENT (/nonexistent/ca.pem)',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:6379', REDIS_WAIT_TIMEOUT_MS: '5000' })).toEqual([
      'REDIS_WAIT_TIMEOUT_MS (5000) must be below REDIS_COMMAND_TIMEOUT_MS (3000)',
    ]);
  });
});
