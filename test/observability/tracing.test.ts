/**
 * Tracing: Apollo federated traces (ftv1) when the router asks for them; OpenTelemetry
 * spans for each operation (continuing the router's traceparent) and each upstream attempt
 * under it, with traceparent sent on to Horizon. A tracer provider with an in-memory
 * exporter is registered here, as the NodeSDK registers one in production.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Agent, type Dispatcher } from 'undici';
import type { RunningApp } from '../../src/app.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { HorizonClient } from '../../src/horizon/client.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { silentLogger } from '../helpers/harness.js';
import { captureLogs, post, PLAYER, startDemoApp } from './helpers.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  exporter.reset();
});

const ROUTER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROUTER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${ROUTER_TRACE}-${ROUTER_SPAN}-01`;
const PLAYER_QUERY = `query Player { user(id: "${PLAYER}") { displayName achievements { unlocked } } }`;

describe('federated tracing (ftv1)', () => {
  test('the response carries extensions.ftv1 when the router asks for it, and not otherwise', async () => {
    app = await startDemoApp();
    const asked = await post(app.subgraph.url, PLAYER_QUERY, { 'apollo-federation-include-trace': 'ftv1' });
    expect(asked.body.data.user.displayName).toBe('Nova Rider');
    expect(typeof asked.body.extensions?.ftv1).toBe('string');
    // A protobuf Trace, base64: it decodes to bytes naming the resolved fields.
    expect(Buffer.from(asked.body.extensions.ftv1, 'base64').toString('latin1')).toContain('displayName');
    const plain = await post(app.subgraph.url, PLAYER_QUERY);
    expect(plain.body.extensions?.ftv1).toBeUndefined();
  });
});

describe('OpenTelemetry spans', () => {
  test("an operation continues the router's trace, and every upstream attempt is a child of it", async () => {
    const logs = captureLogs();
    app = await startDemoApp({}, logs.logger);
    // Only the operation's own calls from here on (start-up warmed the shared caches).
    app.emulator!.clearRequests();
    const response = await post(app.subgraph.url, PLAYER_QUERY, { traceparent: TRACEPARENT, 'x-request-id': 'traced-1' });
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'query Player');
    expect(operation).toBeDefined();
    expect(operation!.spanContext().traceId).toBe(ROUTER_TRACE);
    expect(operation!.parentSpanContext?.spanId).toBe(ROUTER_SPAN);
    expect(operation!.attributes).toMatchObject({ 'graphql.operation.name': 'Player', 'graphql.operation.type': 'query', 'horizon.request_id': 'traced-1' });

    const upstream = spans.filter((s) => s.attributes['horizon.endpoint'] !== undefined);
    expect(upstream.map((s) => s.name)).toEqual(expect.arrayContaining(['GET /{user_id}', 'GET /{user_id}/achievements']));
    expect(upstream).toHaveLength(app.emulator!.requests.length);
    for (const span of upstream) {
      expect(span.spanContext().traceId).toBe(ROUTER_TRACE);
      expect(span.parentSpanContext?.spanId).toBe(operation!.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'horizon.attempt': 1 });
    }
    // The operation's log line carries the trace id.
    expect(logs.lines.find((l) => l.msg === 'operation')).toMatchObject({ requestId: 'traced-1', traceId: ROUTER_TRACE });
  });

  test('without a traceparent the operation starts a new trace; failures and retries are recorded', async () => {
    app = await startDemoApp({ HORIZON_RETRY_MAX_ATTEMPTS: '2' });
    Object.assign(app.emulator!.faults, { modes: ['error_500'], burst: 1, routes: ['GET /:node_id'], retryAfterSeconds: 0 });
    const response = await post(app.subgraph.url, `query Name { user(id: "${PLAYER}") { displayName } }`);
    expect(response.body.data.user.displayName).toBe('Nova Rider');
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'query Name')!;
    expect(operation.parentSpanContext).toBeUndefined();
    const attempts = spans
      .filter((s) => s.name === 'GET /{user_id}')
      .sort((a, b) => Number(a.attributes['horizon.attempt']) - Number(b.attributes['horizon.attempt']));
    expect(attempts.map((s) => [s.attributes['horizon.attempt'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
      [1, 500, 2], // SpanStatusCode.ERROR
      [2, 200, 0],
    ]);
    for (const attempt of attempts) expect(attempt.parentSpanContext?.spanId).toBe(operation.spanContext().spanId);
  });

  test('an operation with errors is marked failed with its codes', async () => {
    app = await startDemoApp();
    await post(app.subgraph.url, `query Me { viewer { id } }`, { 'x-horizon-user-token': 'FRLnotavalidtokenatallxxxxxxxxxxxx' });
    const operation = exporter.getFinishedSpans().find((s) => s.name === 'query Me')!;
    expect(operation.status).toMatchObject({ code: 2, message: 'UNAUTHENTICATED' });
    expect(operation.attributes['graphql.error.codes']).toEqual(['UNAUTHENTICATED']);
  });
});

describe('traceparent sent to Horizon', () => {
  let emulator: RunningEmulator;
  let subgraph: RunningSubgraph;
  let horizon: HorizonClient;
  const seen: Array<Record<string, string>> = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    // Records the headers of every upstream request, as Horizon would receive them.
    const dispatcher = new Agent().compose((dispatch) => (options: Dispatcher.DispatchOptions, handler) => {
      seen.push({ ...(options.headers as Record<string, string>) });
      return dispatch(options, handler);
    });
    horizon = HorizonClient.create({
      baseUrl: emulator.url,
      appId: emulator.appId,
      appSecret: emulator.appSecret,
      maxConnections: 4,
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 5_000,
      dispatcher,
    });
    subgraph = await startSubgraph(
      { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20, metricsEnabled: false }, horizon, logger: silentLogger },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await subgraph.stop();
    await horizon.close();
    await emulator.close();
  });

  test("each upstream request carries its own span's traceparent, in the router's trace, and the token only in Authorization", async () => {
    await post(subgraph.url, `query Name { user(id: "${PLAYER}") { displayName } }`, { traceparent: TRACEPARENT });
    const attempt = exporter.getFinishedSpans().find((s) => s.name === 'GET /{user_id}')!;
    const sent = seen.at(-1)!;
    expect(sent.traceparent).toBe(`00-${ROUTER_TRACE}-${attempt.spanContext().spanId}-01`);
    expect(sent.authorization).toMatch(/^Bearer OC\|/);
  });

  test('no traceparent on calls made outside an operation', async () => {
    seen.length = 0;
    await horizon.users.get(PLAYER);
    expect(seen[0]!.traceparent).toBeUndefined();
  });
});
