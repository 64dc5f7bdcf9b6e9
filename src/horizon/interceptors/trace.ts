/**
 * One OpenTelemetry CLIENT span per upstream attempt (innermost interceptor: retries show as
 * sibling spans, coalesced callers share the first caller's), named after the endpoint
 * template (`GET /{user_id}/achievements`), never the concrete URL with its ids; and the
 * W3C `traceparent` sent to Horizon so Meta-side traces could join. Only inside a traced
 * operation: calls with no active span (readiness probes, start-up) make no root traces.
 * With tracing off (no tracer provider) this is a no-op.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { HorizonApiError, HorizonError, HorizonProtocolError } from '../errors.js';
import type { UpstreamCallInfo } from '../request.js';
import type { Interceptor } from './types.js';

const TRACER_NAME = 'horizon-subgraph';
const attemptSpans = new WeakSet<Span>();

export function traceAttempts(): Interceptor {
  return (next) => (req) => {
    const parent = trace.getSpan(context.active());
    if (!parent || !trace.isSpanContextValid(parent.spanContext())) return next(req);
    const [method, template] = req.endpoint.split(' ', 2);
    return trace.getTracer(TRACER_NAME).startActiveSpan(
      req.endpoint,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method ?? req.method,
          'url.template': template ?? req.endpoint,
          'horizon.endpoint': req.endpoint,
          'horizon.attempt': req.attempt ?? 1,
          'horizon.credential': req.credential?.kind ?? 'app',
        },
      },
      async (span) => {
        attemptSpans.add(span);
        const headers: Record<string, string> = { ...req.headers };
        propagation.inject(context.active(), headers);
        try {
          return await next({ ...req, headers });
        } catch (error) {
          if (error instanceof HorizonApiError || error instanceof HorizonProtocolError) span.setAttribute('http.response.status_code', error.status);
          span.setAttribute('error.type', error instanceof HorizonError ? error.name : 'Error');
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}

/**
 * A transport `onCall` listener: the transport reports each attempt from inside it, so the
 * active span is that attempt's; it gets the HTTP status the interceptor cannot see.
 */
export function recordAttemptStatus(info: UpstreamCallInfo): void {
  const span = trace.getActiveSpan();
  if (span && attemptSpans.has(span) && info.status !== undefined) span.setAttribute('http.response.status_code', info.status);
}
