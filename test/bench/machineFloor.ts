/**
 * The machine floor: the HTTP floor's calls at concurrency 1, against a bare node:http server
 * that answers each with the emulator's recorded answer after the same injected latency.
 * No routing, no state, no Graph rules: what any Node client and server take on this machine
 * for these rounds of calls. When it alone is above the c=1 limit, the limit cannot
 * be met here by the subgraph or by anything else written in Node.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import type { Vars } from './scenarios.js';
import { CALL_HEADER, encodeCall, fillTemplate, type UpstreamCall } from './upstream.js';

interface Recorded {
  status: number;
  body: string;
}

export interface ReplayServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The emulator's answer to each call of one operation (`vars` filled in), keyed `round.index`.
 * The calls are made again, in their rounds, so writes land as the operation's did.
 */
export async function recordAnswers(origin: string, appToken: string, template: readonly UpstreamCall[][], vars: Vars): Promise<Map<string, Recorded>> {
  const answers = new Map<string, Recorded>();
  const rounds = fillTemplate(template, vars);
  for (const [r, round] of rounds.entries()) {
    await Promise.all(
      round.map(async (call, i) => {
        const { path, ...request } = encodeCall(call, appToken);
        const response = await undiciRequest(`${origin}${path}`, request);
        answers.set(`${r}.${i}`, { status: response.statusCode, body: await response.body.text() });
      }),
    );
  }
  return answers;
}

/** Serves the recorded answers on loopback, each `latencyMs` after its request arrived, as the emulator delays them. */
export async function startReplayServer(answers: ReadonlyMap<string, Recorded>, latencyMs: number): Promise<ReplayServer> {
  const server: Server = createServer((req, res) => {
    const answer = answers.get(String(req.headers[CALL_HEADER]));
    req.resume();
    setTimeout(() => {
      const body = answer?.body ?? '{"error":{"message":"no recorded answer","code":100}}';
      res.writeHead(answer?.status ?? 400, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
