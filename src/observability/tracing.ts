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
import { loadConfig, type Config } from '../config.js';

/** Probes and scrapes are not worth a trace each. */
const UNTRACED_PATHS = new Set(['/metrics', '/health', '/ready']);

/**
 * Marks an HTTP server whose incoming requests are never traced: the built-in emulator, a
 * stand-in for graph.oculus.com (whose side of a call is not ours to trace in live mode either).
 * A registered symbol, so the emulator needs nothing of this module.
 */
export const UNTRACED_SERVER = Symbol.for('horizon-subgraph.untraced-server');

let sdk: NodeSDK | undefined;

/**
 * Starts the NodeSDK when the environment asks for traces; a no-op otherwise. Bad settings
 * are left to `loadConfig` in `main`, which reports them and exits.
 */
export function startTracing(): void {
  if (sdk) return;
  let tracing: Config['tracing'];
  try {
    tracing = loadConfig().tracing;
  } catch {
    return;
  }
  if (!tracing.enabled) return;
  // Required here, not imported above: with tracing off none of it is loaded.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  sdk = new NodeSDK({
    ...(tracing.serviceName ? { serviceName: tracing.serviceName } : {}),
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
