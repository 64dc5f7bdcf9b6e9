/**
 * Every setting the code reads is in `.env.example` (with the code's default) and in the
 * configuration table of docs/configuration.md; the operators' settings parse and refuse bad values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { otelProblems, tracingEnabled } from '../../src/observability/tracing.js';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const example = read('.env.example');
const configuration = read('docs/configuration.md');

/** `NAME` → value of every `#NAME=value` line of .env.example. */
const documented = new Map([...example.matchAll(/^#?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

function settingsReadBy(path: string): string[] {
  if (!existsSync(join(ROOT, path))) return [];
  const source = read(path);
  const names = new Set<string>();
  for (const pattern of [/\b(?:int|bool)\('([A-Z][A-Z0-9_]+)'/g, /\benv\.([A-Z][A-Z0-9_]+)/g, /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g, /'(OTEL_[A-Z0-9_]+)'/g]) {
    for (const match of source.matchAll(pattern)) names.add(match[1]!);
  }
  return [...names];
}

const settings = [...new Set(['src/config.ts', 'src/auth/config.ts', 'src/observability/tracing.ts'].flatMap(settingsReadBy))].sort();

test('the sources read the settings this test knows to look for', () => {
  expect(settings).toEqual(
    expect.arrayContaining([
      'PORT',
      'LOG_LEVEL',
      'SHUTDOWN_GRACE_MS',
      'METRICS_ENABLED',
      'READINESS_UPSTREAM_MAX_AGE_MS',
      'OTEL_TRACES_EXPORTER',
      'HORIZON_APP_SECRET',
    ]),
  );
});

test.each(settings)('%s is in .env.example and in the configuration table of docs/configuration.md', (name) => {
  const inTable = name.startsWith('OTEL_') ? configuration.includes('`OTEL_*`') : new RegExp(`^\\| \`${name}\` \\|`, 'm').test(configuration);
  expect({ name, inEnvExample: documented.has(name), inConfigurationTable: inTable }).toEqual({ name, inEnvExample: true, inConfigurationTable: true });
});

test(".env.example's defaults are the code's defaults", () => {
  const env = Object.fromEntries([...documented].filter(([, value]) => value !== ''));
  const { auth: authWithDefaults, ...withDefaults } = loadConfig(env) as unknown as Record<string, any>;
  const { auth: authPlain, ...plain } = loadConfig({}) as unknown as Record<string, any>;
  expect(withDefaults).toEqual(plain);
  expect(authWithDefaults?.mode).toEqual(authPlain?.mode);
  // And none of them turns tracing on.
  expect(tracingEnabled(env)).toBe(false);
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

  test('bad values: one message each', () => {
    let problems: string[] = [];
    try {
      loadConfig({
        SHUTDOWN_GRACE_MS: '2s',
        METRICS_ENABLED: 'yes please',
        READINESS_UPSTREAM_MAX_AGE_MS: '0',
        OTEL_TRACES_EXPORTER: 'otlp,jaeger',
        OTEL_SDK_DISABLED: 'nope',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000 (got "2s")',
      'METRICS_ENABLED must be true or false (got "yes please")',
      'READINESS_UPSTREAM_MAX_AGE_MS must be a whole number from 1000 to 3600000 (got "0")',
      'OTEL_TRACES_EXPORTER entries must be one of otlp, console, zipkin, none (got "jaeger")',
      'OTEL_SDK_DISABLED must be true or false (got "nope")',
    ]);
  });

  test('tracing is on only when an exporter is named and the SDK is not disabled', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(
      otelProblems({
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
      }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL must be one of grpc, http/protobuf, http/json (got "udp")',
      'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "1.5")',
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "collector:4318")',
    ]);
  });
});
