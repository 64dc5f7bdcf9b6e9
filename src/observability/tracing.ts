/**
 * OpenTelemetry tracing, OFF by default. It turns on only when `OTEL_TRACES_EXPORTER` names
 * an exporter (`otlp`, `console`, `zipkin`) and `OTEL_SDK_DISABLED` is not `true`; the rest
 * (endpoint, protocol, headers, sampler, service name, propagators) comes from the standard
 * `OTEL_*` variables, read by the NodeSDK itself.
 *
 * `src/main.ts` imports this module FIRST and calls `startTracing()` before anything loads
 * `node:http` or undici, so the http instrumentation can patch them. The SDK is required
 * lazily: when tracing is off, nothing of it is loaded.
 *
 * What is traced: the incoming HTTP request (http instrumentation, continuing the router's
 * `traceparent`), one span per GraphQL operation (`spans.ts`), and one CLIENT span per
 * upstream attempt (`src/horizon/interceptors/trace.ts`, which also sends `traceparent` to
 * Horizon). Only traces are exported: metrics are Prometheus (`/metrics`), logs are pino.
 */
import { trace } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import type { NodeSDK } from '@opentelemetry/sdk-node';

const TRACES_EXPORTERS = ['otlp', 'console', 'zipkin', 'none'];
const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'];
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
/** Probes and scrapes are not worth a trace each. */
const UNTRACED_PATHS = new Set(['/metrics', '/health', '/ready']);

/**
 * Marks an HTTP server whose incoming requests are never traced: the built-in emulator, a
 * stand-in for graph.oculus.com (whose side of a call is not ours to trace in live mode either).
 * A registered symbol, so the emulator needs nothing of this module.
 */
export const UNTRACED_SERVER = Symbol.for('horizon-subgraph.untraced-server');

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

/** Whether the environment asks for traces. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = list(env.OTEL_TRACES_EXPORTER);
  return exporters.length > 0 && !exporters.includes('none');
}

/** One message per bad `OTEL_*` value this service relies on (checked with the rest of the config). */
export function otelProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const exporters = list(env.OTEL_TRACES_EXPORTER);
  for (const name of exporters) {
    if (!TRACES_EXPORTERS.includes(name)) problems.push(`OTEL_TRACES_EXPORTER entries must be one of ${TRACES_EXPORTERS.join(', ')} (got "${name}")`);
  }
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled && disabled !== 'true' && disabled !== 'false') problems.push(`OTEL_SDK_DISABLED must be true or false (got "${env.OTEL_SDK_DISABLED}")`);
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const value = env[name]?.trim();
    if (value && !OTLP_PROTOCOLS.includes(value)) problems.push(`${name} must be one of ${OTLP_PROTOCOLS.join(', ')} (got "${value}")`);
  }
  const sampler = env.OTEL_TRACES_SAMPLER?.trim();
  if (sampler && !SAMPLERS.includes(sampler)) problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')} (got "${sampler}")`);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (ratio && sampler?.endsWith('traceidratio') && !(/^\d*\.?\d+$/.test(ratio) && Number(ratio) <= 1)) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "${ratio}")`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const value = env[name]?.trim();
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${value}")`);
    }
  }
  return problems;
}

let sdk: NodeSDK | undefined;

/**
 * Starts the NodeSDK when the environment asks for traces; a no-op otherwise. Bad `OTEL_*`
 * values are left to `loadConfig`, which reports them and exits.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !tracingEnabled(env) || otelProblems(env).length > 0) return sdk !== undefined;
  // Required here, not imported above: with tracing off none of it is loaded.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const named = env.OTEL_SERVICE_NAME || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  sdk = new NodeSDK({
    ...(named ? {} : { serviceName: 'horizon-subgraph' }),
    // Traces only: no OTLP metrics or logs (the NodeSDK would otherwise default them to otlp).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) =>
          UNTRACED_PATHS.has((req.url ?? '/').split('?')[0]!) || (req.socket as { server?: Record<symbol, unknown> }).server?.[UNTRACED_SERVER] === true,
      }),
      // Horizon calls already have their own span (interceptors/trace.ts), which set `traceparent`:
      // a second, raw-URL span per call would only duplicate it. Calls outside any trace (start-up
      // cache warm-up, readiness probes) make no root traces either.
      new UndiciInstrumentation({ requireParentforSpans: true, ignoreRequestHook: (request) => carriesTraceparent(request.headers) }),
    ],
  });
  sdk.start();
  return true;
}

/** Flushes and stops the SDK (at shutdown); resolves at once when tracing is off. */
export async function stopTracing(timeoutMs = 3_000): Promise<void> {
  const running = sdk;
  if (!running) return;
  sdk = undefined;
  // Flush first: a SimpleSpanProcessor (the console exporter) drops exports still pending at shutdown.
  const provider = (trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } }).getDelegate?.();
  const flushAndStop = (async () => {
    await provider?.forceFlush?.();
    await running.shutdown();
  })().catch(() => undefined);
  await Promise.race([flushAndStop, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

function carriesTraceparent(headers: unknown): boolean {
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  if (Array.isArray(headers)) return headers.some((value, i) => i % 2 === 0 && String(value).toLowerCase() === 'traceparent');
  return false;
}
