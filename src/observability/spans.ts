/**
 * Spans made by hand with @opentelemetry/api: one per GraphQL operation. With no tracer
 * provider registered (tracing off, the default) every call here is a cheap no-op, but the
 * router's trace id is still known and goes into the operation's log line.
 *
 * `withOperationSpan` wraps the execution of one HTTP GraphQL request (server.ts), so that
 * the upstream-attempt spans (src/horizon/interceptors/trace.ts) are its children; the
 * plugin names it after the operation once Apollo has resolved it.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import { responseErrorCodes } from './errorCodes.js';

export const TRACER_NAME = 'horizon-subgraph';

/** The operation spans started by `withOperationSpan`, so the plugin never renames someone else's span. */
const operationSpans = new WeakSet<Span>();

/**
 * Runs `run` inside a new operation span. Its parent is the active span (the http
 * instrumentation's server span, which already continued the router's trace), or else the
 * `traceparent` the router sent.
 */
export async function withOperationSpan<T>(headers: IncomingHttpHeaders, requestId: string, run: () => Promise<T>): Promise<T> {
  const active = context.active();
  const underServerSpan = trace.getSpan(active) !== undefined;
  const parent = underServerSpan ? active : propagation.extract(active, headers);
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan('GraphQL Operation', { kind: underServerSpan ? SpanKind.INTERNAL : SpanKind.SERVER, attributes: { 'horizon.request_id': requestId } }, parent);
  operationSpans.add(span);
  try {
    return await context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The trace id of the current operation, for log lines; undefined when there is none. */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** Names the operation span `query TopTen` and marks it failed when the operation had errors. */
export function operationSpanPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span || !operationSpans.has(span) || !span.isRecording()) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          const type = operation?.operation ?? 'operation';
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse(requestContext) {
          if (!requestContext.errors?.length) return;
          const codes = [...new Set(responseErrorCodes(requestContext).map((e) => e.code))];
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
        },
      };
    },
  };
}
