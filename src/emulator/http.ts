/**
 * The emulator's HTTP layer: token resolution (app vs user), routing, injected faults, Graph
 * error envelopes, the test controls, and the request log tests and benchmarks count upstream
 * calls with. Reading parameters and writing replies: ./messages.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultFaults, FaultDice, parseFaultSettings, type FaultMode, type Faults } from './faults.js';
import { errors, GraphError, parseFields, type FieldTree } from './graph.js';
import { extractToken, readParams, send, type UploadedFile } from './messages.js';
import type { EmulatedUser, EmulatorState } from './state.js';

export type Auth = { kind: 'app' } | { kind: 'user'; user: EmulatedUser };

export interface RouteContext {
  state: EmulatorState;
  /** Query, form and JSON body parameters merged, body winning. */
  params: Record<string, string>;
  /** Files of a multipart body, by parameter name. */
  files: Record<string, UploadedFile>;
  /** Captures of `:name` path segments. */
  path: Record<string, string>;
  auth: Auth;
  fields: FieldTree | undefined;
  /** The request's absolute URL without its query, for paging links. */
  selfUrl: URL;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. `/:app_id/achievement_definitions`; literal segments win over captures. */
  pattern: string;
  handler: (ctx: RouteContext) => unknown;
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** The concrete path, without query string. */
  path: string;
  /** The matched route pattern, e.g. `GET /:user_id/achievements`; `unmatched` otherwise. */
  route: string;
  token: 'app' | 'user' | 'none' | 'invalid';
  status: number;
  startedAt: number;
  durationMs: number;
  /** The request's parameters (never its access token), so tests can tell writes apart. */
  params: Record<string, string>;
  /** Whether the route's handler ran to completion: a write logged `applied` took effect. */
  applied: boolean;
  /** The fault injected into this request, if any. */
  fault?: FaultMode;
}

export type { Faults } from './faults.js';

export class EmulatorHttp {
  readonly log: RequestLogEntry[] = [];
  readonly faults: Faults = defaultFaults();
  private readonly dice = new FaultDice(this.faults);
  /** Graph requests being handled right now (stalled ones included). */
  inFlight = 0;
  private seq = 0;
  /** `POST /__emulator/...` controls: path → handler of its parameters. */
  readonly controls = new Map<string, (params: Record<string, string>) => unknown>();
  private readonly routes: Array<Route & { segments: string[] }>;
  private server: Server | undefined;

  constructor(
    readonly state: EmulatorState,
    routes: Route[],
  ) {
    this.routes = routes
      .map((route) => ({ ...route, segments: route.pattern.split('/').filter(Boolean) }))
      // Literal segments before captures, so `/me` is never taken for `/:user_id`.
      .sort((a, b) => specificity(b.segments) - specificity(a.segments));
  }

  async listen(port: number, host: string): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in a route must still answer, like Graph's code 2 "unexpected error".
        if (!res.headersSent)
          send(res, 500, new GraphError(500, 2, `An unexpected error has occurred: ${String(error)}`, 'OAuthException', undefined, true).toBody());
      });
    });
    this.server.keepAliveTimeout = 60_000;
    // Never traced when the subgraph runs with tracing on (see UNTRACED_SERVER in src/observability/tracing.ts).
    (this.server as unknown as Record<symbol, boolean>)[Symbol.for('horizon-subgraph.untraced-server')] = true;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shownHost}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname.startsWith('/__emulator/')) return this.handleControl(req, res, url);
    this.inFlight++;
    res.once('close', () => this.inFlight--);
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = url.pathname.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      method,
      path: pathname,
      route: 'unmatched',
      token: 'none',
      status: 0,
      startedAt,
      durationMs: 0,
      params: {},
      applied: false,
    };
    const finish = (status: number) => {
      entry.status = status;
      entry.durationMs = Date.now() - startedAt;
      this.log.push(entry);
    };
    let status = 200;
    let body: unknown;
    let fault: FaultMode | undefined;
    try {
      const files: Record<string, UploadedFile> = {};
      const params = await readParams(req, url, files);
      // Credentials stay out of the log: the access token, an attestation token, SSO codes and refresh codes.
      const { access_token: _token, token: _attestation, code: _code, refresh_code: _refresh, ...loggable } = params;
      entry.params = loggable;
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
      const match = this.match(method, pathname);
      const token = extractToken(req, params);
      const auth = this.authenticate(token);
      entry.token = auth ? auth.kind : token === undefined ? 'none' : 'invalid';
      if (!match) throw errors.unknownPath(pathname);
      entry.route = `${match.route.method} ${match.route.pattern}`;
      if (!auth) throw token === undefined ? errors.missingToken() : this.tokenError(token);
      fault = this.dice.roll(entry.route);
      if (fault) entry.fault = fault;
      if (fault && this.failBefore(fault, res)) {
        finish(fault === 'reset_before' ? 0 : res.statusCode);
        return;
      }
      if (fault === 'stall') await sleep(this.faults.stallMs);
      const selfUrl = new URL(url.origin + url.pathname);
      body = await match.route.handler({ state: this.state, params, files, path: match.captures, auth, fields: parseFields(params.fields), selfUrl });
      entry.applied = true;
    } catch (error) {
      const graphError = error instanceof GraphError ? error : errors.unexpected();
      status = graphError.status;
      body = graphError.toBody();
    }
    finish(status);
    if (fault === 'reset_after') {
      res.socket?.destroy();
      return;
    }
    send(res, status, body, fault === 'truncate_after');
  }

  /** Faults that strike before the request is carried out. True when the reply was dealt with. */
  private failBefore(fault: FaultMode, res: ServerResponse): boolean {
    switch (fault) {
      case 'error_500':
        send(res, 500, errors.unexpected().toBody());
        return true;
      case 'error_503_html':
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return true;
      case 'throttle_429':
        res.setHeader('retry-after', String(this.faults.retryAfterSeconds));
        send(res, 429, new GraphError(429, 613, '(#613) Calls to this api have exceeded the rate limit.', 'OAuthException').toBody());
        return true;
      case 'reset_before':
        res.socket?.destroy();
        return true;
      default:
        return false;
    }
  }

  private match(method: string, pathname: string): { route: Route; captures: Record<string, string> } | undefined {
    // Split and decoded once, not once per route tried.
    const parts = pathname
      .split('/')
      .filter(Boolean)
      .map((part) => (part.includes('%') ? decodeURIComponent(part) : part));
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const captures = matchSegments(route.segments, parts);
      if (captures) return { route, captures };
    }
    return undefined;
  }

  private authenticate(token: string | undefined): Auth | undefined {
    if (token === undefined) return undefined;
    const app = /^OC\|(\d+)\|(.+)$/.exec(token);
    if (app) {
      return app[1] === this.state.appId && app[2] === this.state.appSecret ? { kind: 'app' } : undefined;
    }
    const user = this.state.usersByToken.get(token);
    return user ? { kind: 'user', user } : undefined;
  }

  private tokenError(token: string): GraphError {
    return /^OC\|/.test(token) ? errors.badAppToken() : errors.badUserToken();
  }

  /** Test and benchmark controls: the request log and fault settings. Not part of Graph. */
  private async handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    if (path === '/__emulator/requests') {
      if (method !== 'DELETE') return send(res, 200, { data: this.log });
      this.log.length = 0;
      return send(res, 200, { success: true });
    }
    if (path === '/__emulator/health') return send(res, 200, { status: 'ok', app_id: this.state.appId });
    if (path === '/__emulator/faults' && method === 'GET') return send(res, 200, this.faults);
    if (path === '/__emulator/faults' && method === 'POST') {
      const problem = await readParams(req, url).then(
        (params) => parseFaultSettings(params, this.faults),
        () => 'bad fault settings',
      );
      return problem ? send(res, 400, { error: problem }) : send(res, 200, this.faults);
    }
    const control = this.controls.get(path);
    if (!control || method !== 'POST') return send(res, 404, { error: 'unknown emulator control' });
    try {
      send(res, 200, control(await readParams(req, url)));
    } catch (error) {
      if (error instanceof GraphError) send(res, error.status, error.toBody());
      else send(res, 400, { error: String(error) });
    }
  }
}

function specificity(segments: string[]): number {
  // More literal segments first; among equals, longer paths first.
  return segments.filter((s) => !s.startsWith(':')).length * 100 + segments.length;
}

function matchSegments(segments: string[], parts: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const captures: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment.startsWith(':')) captures[segment.slice(1)] = part;
    else if (segment !== part) return undefined;
  }
  return captures;
}
