/**
 * Wires the subgraph: Apollo Server on the schema, served by a plain node:http handler
 * (GraphQL at `/` and `/graphql`, CORS for the browser-hosted Sandbox, a body size limit),
 * a per-request context with fresh loaders, and one log line per operation.
 */
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SubgraphAuth } from './auth/index.js';
import { checkRouterSecret, ROUTER_SECRET_HEADER } from './auth/routerSecret.js';
import type { Config } from './config.js';
import { createContext, USER_TOKEN_HEADER, type Context } from './graphql/context.js';
import { GRAPHIQL_PATH, serveGraphiQL } from './graphiql.js';
import { cachePolicyPlugin } from './graphql/cachePolicy.js';
import { formatError } from './graphql/errors.js';
import { guardEntityRepresentations } from './graphql/inputs.js';
import { DEFAULT_QUERY_LIMITS, queryCostPlugin, queryLimitRules } from './graphql/limits.js';
import { createSharedCaches, DEFAULT_SHARED_CACHE, type SharedCaches } from './graphql/sharedCache.js';
import { warmSharedCaches } from './graphql/warmup.js';
import type { HorizonClient } from './horizon/client.js';
import { Cancellation } from './horizon/signal.js';
import { AdmissionGate, sampleEventLoop, type AdmissionTicket } from './admission.js';
import { IdempotencyLedger } from './idempotency/ledger.js';
import { MemoryIdempotencyStore } from './idempotency/store.js';
import type { Logger } from './logger.js';
import { createObservability, type Observability } from './observability/index.js';
import { responseErrorCodes } from './observability/errorCodes.js';
import { currentTraceId, withOperationSpan } from './observability/spans.js';
import { buildSchema } from './schema.js';

export type ServerConfig = Pick<Config, 'production' | 'corsOrigins' | 'maxBodyBytes'> &
  Partial<Pick<Config, 'operationTimeoutMs' | 'queryLimits' | 'admission' | 'cache'>> &
  /* operators' settings (src/observability): drain grace, /metrics, /ready */ Partial<
    Pick<Config, 'shutdownGraceMs' | 'metricsEnabled' | 'readinessUpstreamMaxAgeMs'>
  >;

/** Below a router's default 30 s subgraph timeout, so the router hears our error, not its own. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 15_000;

/** Longest start-up wait for the shared caches' warm-up. */
const WARMUP_TIMEOUT_MS = 3_000;

/** Operations admitted at once that have not made their first upstream call yet (src/admission.ts). */
const ADMISSION_MAX_STARTING = 4;

export interface SubgraphDeps {
  config: ServerConfig;
  horizon: HorizonClient;
  logger: Logger;
  /** Caches shared by all requests of this process; default: the built-in sizes and TTLs. */
  caches?: SharedCaches;
  /** The idempotency ledger; default: in memory (one replica). */
  ledger?: IdempotencyLedger;
  /**
   * Caller authentication (src/auth): turns `Authorization` into the caller the schema's
   * @authenticated/@requiresScopes are checked against, and the optional router shared secret.
   * Required in production; without it (tests) caller checks are off.
   */
  auth?: Pick<SubgraphAuth, 'authenticate' | 'routerSecret'>;
  /** `/ready`'s upstream probe (src/observability/health.ts); default: a cheap Horizon call with the app token. */
  readinessProbe?: (signal: AbortSignal) => Promise<void>;
}

const GRAPHQL_PATHS = new Set(['/', '/graphql']);

export function createApolloServer(deps: SubgraphDeps, extraPlugins: ApolloServerPlugin<Context>[] = []): ApolloServer<Context> {
  const { config, logger } = deps;
  // Depth, aliases, cost and size of each operation (src/graphql/limits.ts).
  const limits = config.queryLimits ?? DEFAULT_QUERY_LIMITS;
  return new ApolloServer<Context>({
    schema: guardEntityRepresentations(buildSchema()),
    logger,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    // src/observability/shutdown.ts owns SIGTERM/SIGINT. Apollo's own handler would race it, and a
    // second concurrent stop() never returns (Apollo resolves its stop barrier only on failure).
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: config.production,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: queryLimitRules(limits),
    formatError: (formatted, error) => formatError(formatted, error, { production: config.production }),
    plugins: [
      // Cache-Control from the operation and the schema's hints, once per operation (src/graphql/cachePolicy.ts)
      // rather than Apollo's per-field hooks.
      ApolloServerPluginCacheControlDisabled(),
      cachePolicyPlugin(),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      queryCostPlugin(limits),
      operationLogPlugin(logger),
      ...extraPlugins,
    ],
  });
}

function operationLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          const { operationName, operation } = requestContext;
          // The operation's own client view tallied its calls (src/horizon/transport.ts `scoped`).
          const scope = contextValue.scope;
          logger.info(
            {
              requestId: contextValue.requestId,
              traceId: currentTraceId() ?? null,
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              upstreamCalls: scope.upstreamCalls,
              upstreamErrors: scope.upstreamErrors,
              // Codes as the caller got them (formatError assigns most).
              errors: responseErrorCodes(requestContext).map(({ error, code }) => ({ message: error.message, code, path: error.path ?? null })),
            },
            'operation',
          );
        },
      };
    },
  };
}

export interface RunningSubgraph {
  url: string;
  server: ApolloServer<Context>;
  httpServer: Server;
  /** Metrics, readiness and the /health, /ready, /metrics routes. */
  observability: Observability;
  stop(): Promise<void>;
}

/** Starts the subgraph over HTTP. `port` 0 picks a free port. */
export async function startSubgraph(given: SubgraphDeps, listen: { port: number; host: string }): Promise<RunningSubgraph> {
  if (given.config.production && !given.auth) throw new Error('startSubgraph: caller authentication (deps.auth) is required in production');
  const deps: SubgraphDeps = {
    ...given,
    caches: given.caches ?? createSharedCaches(DEFAULT_SHARED_CACHE),
    ledger: given.ledger ?? new IdempotencyLedger(new MemoryIdempotencyStore()),
  };
  const httpServer = createServer();
  const observability = createObservability({
    horizon: deps.horizon,
    caches: deps.caches,
    metricsEnabled: deps.config.metricsEnabled,
    readinessProbe: deps.readinessProbe,
    readinessUpstreamMaxAgeMs: deps.config.readinessUpstreamMaxAgeMs,
  });
  // On stop: the listener closes at once; operations in flight get the grace period.
  const drain = ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: deps.config.shutdownGraceMs });
  const server = createApolloServer(deps, [drain, ...observability.plugins]);
  // Operations start only while Horizon can take their calls (default: while no call waits for a slot).
  const limiter = deps.horizon.transport.limiter;
  const admission = new AdmissionGate(() => limiter.queued, {
    maxQueuedCalls: deps.config.admission?.maxQueuedCalls ?? 0,
    maxStarting: ADMISSION_MAX_STARTING,
  });
  const stopPoking = limiter.onRelease(() => admission.poke());
  const stopSampling = sampleEventLoop(admission);
  const stopAdmitting = () => {
    stopPoking();
    stopSampling();
  };
  observability.metrics?.observeAdmission(admission);
  await server.start();
  if (deps.config.cache?.warmup && deps.config.cache.ttlMs > 0) await warmUp(deps);
  httpServer.on('request', (req, res) => {
    handleRequest(deps, server, req, res, observability, admission).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'request handling failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? 'localhost' : listen.host;
  return {
    url: `http://${host}:${address.port}/`,
    server,
    httpServer,
    observability,
    async stop() {
      observability.readiness.markShuttingDown();
      // Operations still in flight finish during the drain: keep counting their upstream calls.
      await server.stop();
      stopAdmitting();
      observability.close();
    },
  };
}

/** Fills the shared caches before the first request (best effort, bounded): see src/graphql/warmup.ts. */
async function warmUp(deps: SubgraphDeps): Promise<void> {
  const started = performance.now();
  // Start-up waits at most this long: a Horizon outage must not keep the subgraph from listening.
  const bound = new Cancellation();
  const timer = setTimeout(() => bound.abort(new DOMException('cache warm-up took too long', 'TimeoutError')), WARMUP_TIMEOUT_MS);
  let result;
  try {
    result = await warmSharedCaches(deps.horizon, deps.caches!, bound);
  } finally {
    clearTimeout(timer);
  }
  const { warmed, failed } = result;
  const durationMs = Math.round(performance.now() - started);
  if (failed.length === 0) deps.logger.info({ warmed, durationMs }, 'shared caches warmed');
  else
    deps.logger.warn(
      { warmed, failed: failed.map(({ cache, error }) => ({ cache, err: error })), durationMs },
      'shared caches not all warmed; they fill on first use',
    );
}

async function handleRequest(
  deps: SubgraphDeps,
  server: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  ops: Observability,
  admission: AdmissionGate,
): Promise<void> {
  const url = requestUrl(req);
  if (!url) {
    sendJson(res, 400, { errors: [{ message: 'The request target is not a valid path', extensions: { code: 'BAD_REQUEST' } }] });
    return;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  applyCors(deps.config.corsOrigins, req, res);
  if (method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  // Operators' routes (src/observability): /health, /ready, /metrics.
  const opsRoute = ops?.routes.get(url.pathname);
  if (opsRoute) {
    await opsRoute(req, res);
    return;
  }
  // Offline GraphiQL (src/graphiql.ts), outside production only.
  if (url.pathname === GRAPHIQL_PATH && !deps.config.production) {
    await serveGraphiQL(req, res);
    return;
  }
  if (!GRAPHQL_PATHS.has(url.pathname)) {
    sendJson(res, 404, { errors: [{ message: `Not found: GraphQL is served at / and /graphql`, extensions: { code: 'NOT_FOUND' } }] });
    return;
  }
  // Only the router may run operations, when a shared secret is configured (src/auth/routerSecret.ts).
  const routerRefusal = deps.auth?.routerSecret ? checkRouterSecret(deps.auth.routerSecret, req.headers[ROUTER_SECRET_HEADER]) : undefined;
  if (routerRefusal) {
    sendJson(res, routerRefusal.status, routerRefusal.body);
    return;
  }
  let body: unknown;
  if (method === 'POST') {
    const raw = await readBody(req, deps.config.maxBodyBytes);
    if (raw === undefined) {
      sendJson(res, 413, { errors: [{ message: `Request body larger than ${deps.config.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    if (/^application\/(.+\+)?json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
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
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  // The operation's deadline: reads still running past it are abandoned. Cleared when the
  // response is done, so no timer outlives its operation.
  const operationTimer = setTimeout(
    () => abort.abort(new DOMException('operation deadline passed', 'TimeoutError')),
    deps.config.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
  );
  res.once('close', () => clearTimeout(operationTimer));
  // Wait for admission while Horizon is saturated (src/admission.ts); the deadline counts from arrival.
  let ticket: AdmissionTicket;
  try {
    ticket = await admission.admit(signal);
  } catch {
    if (!res.writableEnded && !res.destroyed) {
      sendJson(res, 503, {
        errors: [
          {
            message: 'The Horizon API is saturated: the operation waited for its turn until its deadline. Nothing was sent to Horizon; retry later.',
            extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { reason: 'overloaded' } },
          },
        ],
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

/**
 * The request's path and query. Always read as a path: `//host/x` is the path `//host/x`, not
 * a URL of another host (which `new URL(req.url, base)` would make of it, or throw on `//`).
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  try {
    return new URL(`http://localhost${target.startsWith('/') ? target : `/${target}`}`);
  } catch {
    return undefined;
  }
}

function userTokenOf(req: IncomingMessage): string | undefined {
  const value = req.headers[USER_TOKEN_HEADER];
  const token = (Array.isArray(value) ? value[0] : value)?.trim();
  return token ? token : undefined;
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

function applyCors(allowed: string[], req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-credentials', 'true');
  if ((req.method ?? '').toUpperCase() === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', String(req.headers['access-control-request-headers'] ?? 'content-type'));
    res.setHeader('access-control-max-age', '600');
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `Vary` with `name` added once. */
function varyWith(current: ReturnType<ServerResponse['getHeader']>, name: string): string {
  const names = String(current ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!names.some((v) => v.toLowerCase() === name)) names.push(name);
  return names.join(', ');
}
