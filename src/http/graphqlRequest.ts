/**
 * One GraphQL request over HTTP: the body (bounded), the operation's deadline and the caller
 * leaving (both abort reads, never a write half-way), admission while Horizon is saturated,
 * then Apollo with a fresh per-request context, and the response with its cache headers.
 */
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionGate, AdmissionTicket } from './admission.js';
import { DEFAULTS } from '../config.js';
import { createContext, type Context } from '../graphql/context.js';
import { Cancellation } from '../horizon/signal.js';
import type { Observability } from '../observability/index.js';
import { withOperationSpan } from '../observability/spans.js';
import type { SubgraphDeps } from '../subgraphDeps.js';
import { readBody } from '../lib/body.js';
import { requestIdOf, sendError, userTokenOf, varyWith } from './messages.js';

export async function serveGraphQL(
  deps: SubgraphDeps,
  server: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ops: Observability,
  admission: AdmissionGate,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  let body: unknown;
  if (method === 'POST') {
    const raw = await readBody(req, deps.config.maxBodyBytes);
    if (raw === undefined) {
      sendError(res, 413, `Request body larger than ${deps.config.maxBodyBytes} bytes`, { code: 'BAD_REQUEST' });
      return;
    }
    if (/^application\/(.+\+)?json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendError(res, 400, 'Request body is not valid JSON', { code: 'BAD_REQUEST' });
        return;
      }
    }
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
  const requestId = requestIdOf(req);
  // Reads stop when the caller goes away; writes are never aborted half-way.
  const abort = new Cancellation();
  const signal = abort.signal;
  // The operation's deadline: reads still running past it are abandoned. Cleared when the
  // response is done, so no timer outlives its operation.
  const operationTimer = setTimeout(
    () => abort.abort(new DOMException('operation deadline passed', 'TimeoutError')),
    deps.config.operationTimeoutMs ?? DEFAULTS.operationTimeoutMs,
  );
  res.once('close', () => {
    clearTimeout(operationTimer);
    if (!res.writableFinished) abort.abort();
  });
  // Wait for admission while Horizon is saturated (src/http/admission.ts); the deadline counts from arrival.
  let ticket: AdmissionTicket;
  try {
    ticket = await admission.admit(signal);
  } catch {
    if (!res.writableEnded && !res.destroyed) {
      sendError(res, 503, 'The Horizon API is saturated: the operation waited for its turn until its deadline. Nothing was sent to Horizon; retry later.', {
        code: 'UPSTREAM_UNAVAILABLE',
        upstream: { reason: 'overloaded' },
      });
    }
    return;
  }
  let response: Awaited<ReturnType<typeof server.executeHTTPGraphQLRequest>>;
  try {
    // One span per operation (continuing the router's traceparent); upstream spans are its children.
    response = await withOperationSpan(req.headers, requestId, () =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => {
          const caller = deps.auth ? await deps.auth.authenticate(req.headers.authorization) : undefined;
          return createContext({
            horizon: deps.horizon,
            logger: deps.logger,
            caches: deps.caches,
            ledger: deps.ledger,
            webhookEvents: deps.webhookEvents,
            integrity: deps.integrity,
            requestId,
            onBatch: ops.onBatch,
            onFirstUpstreamCall: ticket.firstCall,
            signal,
            userToken: userTokenOf(req),
            ...(caller ? { caller } : {}),
          });
        },
      }),
    );
  } finally {
    ticket.done();
  }
  res.setHeader('x-request-id', requestId);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  // Public data still needs an authorized caller: an HTTP cache in front of the subgraph must
  // not serve it to a request with another (or no) caller token.
  if (/\bpublic\b/.test(String(res.getHeader('cache-control') ?? ''))) res.setHeader('vary', varyWith(res.getHeader('vary'), 'authorization'));
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
