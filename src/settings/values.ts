/**
 * How the text of an environment variable becomes a value, in one style for every setting:
 * surrounding spaces are ignored; unset or blank means the default (a list set blank is the
 * empty list); a bad value is refused as `must be ...` (the loader puts the variable's name in
 * front) and echoed only when it cannot hold a credential.
 */

/** Why a value was refused: one message per bad value (per bad entry of a list). */
export class Refused {
  constructor(readonly messages: string[]) {}
}

export interface Kind<T> {
  /** The set text (trimmed; non-empty unless `blankIsValue`) to the value. */
  parse(text: string): T | Refused;
  /** What the docs list as allowed, e.g. `1-120000 ms`. */
  allowed: string;
  /** The value as written in `.env.example` and the docs. */
  format(value: T): string;
  /** A list set blank is a value (the empty list), not "unset". */
  blankIsValue?: boolean;
}

/** ` (got "value")`, unless the value may hold a credential (`user:password@`). */
const got = (text: string) => (text.includes('@') ? '' : ` (got "${text}")`);
const refuse = (message: string, text: string, echo = true) => new Refused([`${message}${echo ? got(text) : ''}`]);

/** A whole number within bounds; `unit` (`ms`, `s`, `bytes`) is for the docs. */
export function whole(min: number, max: number, unit = ''): Kind<number> {
  return {
    parse: (text) =>
      /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : refuse(`must be a whole number from ${min} to ${max}`, text),
    allowed: `${min}-${max}${unit && ` ${unit}`}`,
    format: String,
  };
}

export const bool: Kind<boolean> = {
  parse(text) {
    const value = text.toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return refuse('must be true or false', text);
  },
  allowed: '`true` or `false`',
  format: String,
};

/** One of `values`, in any case unless `caseSensitive` (values a library compares exactly). */
export function oneOf<const V extends string>(values: readonly V[], options: { caseSensitive?: boolean } = {}): Kind<V> {
  const expected = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
  return {
    parse(text) {
      const value = options.caseSensitive ? text : text.toLowerCase();
      return (values as readonly string[]).includes(value) ? (value as V) : refuse(`must be ${expected}`, text);
    },
    allowed: values.map((v) => `\`${v}\``).join(', '),
    format: String,
  };
}

/** Any text, refused when `check` says why. `secret`: never echoed. */
export function text(check?: (value: string) => string | undefined, options: { secret?: boolean; allowed?: string } = {}): Kind<string> {
  return {
    parse(value) {
      const problem = check?.(value);
      return problem === undefined ? value : refuse(problem, value, !options.secret);
    },
    allowed: options.allowed ?? '',
    format: String,
  };
}

/** Comma-separated entries, each checked on its own (one message per bad entry). */
export function list<T>(item: Kind<T>): Kind<T[]> {
  return {
    parse(value) {
      const parsed = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => item.parse(entry));
      const refused = parsed.flatMap((entry) => (entry instanceof Refused ? entry.messages.map((m) => `entries ${m}`) : []));
      return refused.length > 0 ? new Refused(refused) : (parsed as T[]);
    },
    allowed: `comma-separated${item.allowed && `: ${item.allowed}`}`,
    format: (values) => values.map(item.format).join(','),
    blankIsValue: true,
  };
}

/** `host:port`: a host name, an IPv4 address or a bracketed IPv6 one, and a port. */
export const hostPort: Kind<{ host: string; port: number }> = {
  parse(text) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
    const port = Number(match?.[2]);
    return match && port >= 1 && port <= 65_535
      ? { host: match[1]!.replace(/^\[|\]$/g, ''), port }
      : refuse('must be host:port (e.g. redis-0.internal:6379)', text);
  },
  allowed: '`host:port`',
  format: ({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`,
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface UrlRules {
  /** `http:` also, on localhost only. */
  loopbackHttp?: boolean;
  /** `user:password@` allowed. */
  credentials?: boolean;
  noQuery?: boolean;
  /** Never echoed, even without `@` (it may be a password set by mistake). */
  secret?: boolean;
}

/** A URL with one of `protocols` (e.g. `https:`); refused with `message`. */
export function url(protocols: string[], message: string, rules: UrlRules = {}): Kind<string> {
  const allowed = (parsed: URL) =>
    (protocols.includes(parsed.protocol) || (rules.loopbackHttp === true && parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) &&
    (rules.credentials === true || (!parsed.username && !parsed.password)) &&
    (rules.noQuery !== true || (!parsed.search && !parsed.hash));
  return text((value) => (URL.canParse(value) && allowed(new URL(value)) ? undefined : message), {
    secret: rules.secret,
    allowed: [
      protocols.map((p) => `\`${p}//\``).join(' or ') + (rules.loopbackHttp ? ' (`http://` on localhost)' : ''),
      ...(rules.noQuery ? ['no query or fragment'] : []),
      ...(rules.credentials ? [] : ['no credentials']),
    ].join(', '),
  });
}
