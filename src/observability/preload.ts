/**
 * Imported first by `src/main.ts`: starts OpenTelemetry (when the OTEL_* environment asks
 * for it) before anything loads `node:http` or undici, so their instrumentation applies.
 */
import { startTracing } from './tracing.js';

startTracing();
