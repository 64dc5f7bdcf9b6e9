/**
 * What one operation asks of Horizon, read from the emulator's request log: how many calls,
 * in how many dependent rounds, and a replayable template of them for the HTTP floor.
 */
import type { RequestLogEntry } from '../../src/emulator/index.js';
import type { Vars } from './scenarios.js';

export interface UpstreamCall {
  method: string;
  path: string;
  params: Record<string, string>;
}

/**
 * Splits one operation's calls into dependent rounds by timing: a call that started before
 * any call of the current round had finished cannot have needed its answer, so it belongs
 * to that round; one that started later opens the next. Exact when each call takes the
 * injected latency and the calls of a round are sent together (within a few ms), as the
 * subgraph's loaders do; meaningless without injected latency.
 */
export function groupRounds(entries: readonly RequestLogEntry[]): RequestLogEntry[][] {
  const rounds: RequestLogEntry[][] = [];
  let current: RequestLogEntry[] = [];
  let earliestEnd = Infinity;
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (current.length > 0 && entry.startedAt >= earliestEnd) {
      rounds.push(current);
      current = [];
      earliestEnd = Infinity;
    }
    current.push(entry);
    earliestEnd = Math.min(earliestEnd, entry.startedAt + entry.durationMs);
  }
  if (current.length > 0) rounds.push(current);
  return rounds;
}

/** Calls per emulator route, e.g. `{ "GET /:user_id": 50 }`: where an operation's calls go. */
export function callsByRoute(entries: readonly RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The captured calls with the operation's variable values turned into `{{name}}`
 * placeholders, so the floor can replay the same calls for other operations' values. Long
 * values (player ids) are replaced wherever they occur, as they may sit inside JSON list
 * parameters; short ones (scores) only where they are a whole value, to never hit digits of
 * an unrelated id.
 */
export function toTemplate(rounds: readonly RequestLogEntry[][], vars: Vars): UpstreamCall[][] {
  const byLength = Object.entries(vars).sort(([, a], [, b]) => b.length - a.length);
  const abstract = (text: string): string => {
    for (const [name, value] of byLength) {
      if (value.length >= 12) text = text.split(value).join(`{{${name}}}`);
      else if (text === value) return `{{${name}}}`;
    }
    return text;
  };
  return rounds.map((round) =>
    round.map((entry) => {
      if (entry.token !== 'app') throw new Error(`the HTTP floor replays app-token calls only; ${entry.route} used a ${entry.token} token`);
      return {
        method: entry.method,
        path: entry.path.split('/').map(abstract).join('/'),
        params: Object.fromEntries(Object.entries(entry.params).map(([key, value]) => [key, abstract(value)])),
      };
    }),
  );
}

/** The template with one operation's values filled in. */
export function fillTemplate(template: readonly UpstreamCall[][], vars: Vars): UpstreamCall[][] {
  const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
  return template.map((round) =>
    round.map((call) => ({
      method: call.method,
      path: fill(call.path),
      params: Object.fromEntries(Object.entries(call.params).map(([k, v]) => [k, fill(v)])),
    })),
  );
}

/** Which recorded answer a request wants (the machine floor's replay server): `round.index` of its call in the template. */
export const CALL_HEADER = 'x-bench-call';

export interface EncodedCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/** A call as a plain client sends it: app token in the header, GET parameters in the query, POST ones as a form; `tag` names its place for the replay server. */
export function encodeCall(call: UpstreamCall, appToken: string, tag?: string): EncodedCall {
  const query = new URLSearchParams(call.params).toString();
  const headers: Record<string, string> = { authorization: `Bearer ${appToken}`, accept: 'application/json' };
  if (tag !== undefined) headers[CALL_HEADER] = tag;
  if (call.method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { method: 'POST', path: call.path, body: query, headers };
  }
  return { method: call.method as EncodedCall['method'], path: query ? `${call.path}?${query}` : call.path, body: undefined, headers };
}
