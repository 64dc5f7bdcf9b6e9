/**
 * Structured JSON logs (pino). Secrets are removed by pino's own redaction for the paths
 * where they could sit, and every message string passes through `redactSecrets` too.
 */
import pino, { type Logger } from 'pino';
import { redactSecrets } from './lib/redact.js';

export type { Logger };

/** Headers that carry credentials: the caller's JWT, the player's token, the router's secret, cookies. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-horizon-user-token', 'x-router-secret'];
/** Object keys whose values are credentials: at the top level, in an error and in its cause. */
const SECRET_KEYS = [
  'authorization',
  'token',
  'userToken',
  'accessToken',
  'access_token',
  'appSecret',
  'secret',
  'routerSecret',
  'password',
  'jwt',
  // Account linking (src/horizon/accounts.ts): Graph's names and ours.
  'oauth_token',
  'refreshCode',
  'refresh_code',
];
const CONTAINERS = ['', 'err.', 'err.cause.'];
/** The likeliest of them also one level down, in any object (`credential.token`): wildcards cost ~1.5 µs a line each. */
const WILDCARD_KEYS = ['token', 'userToken', 'accessToken', 'access_token', 'appSecret', 'authorization', 'refreshCode'];
const HEADER_HOLDERS = [
  'headers',
  'req.headers',
  'request.headers',
  'res.headers',
  'response.headers',
  'err.headers',
  'err.request.headers',
  'err.response.headers',
  'err.cause.headers',
  'err.config.headers',
];

/** pino `redact` paths: secrets are removed by the logger itself, not by each call site. */
export const REDACT_PATHS: string[] = [
  ...HEADER_HOLDERS.flatMap((holder) => SECRET_HEADERS.map((header) => `${holder}["${header}"]`)),
  ...CONTAINERS.flatMap((prefix) => SECRET_KEYS.map((key) => `${prefix}${key}`)),
  ...WILDCARD_KEYS.map((key) => `*.${key}`),
  'config.horizon.appSecret',
  'config.redis.topology.url',
  'config.redis.password',
  'config.redis.topology.sentinelPassword',
  'config.webhooks.secret',
  'config.webhooks.verifyToken',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'horizon-subgraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: REDACT_PATHS,
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (error: Error) => {
          const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
          // Horizon errors are built redacted already; anything else is scrubbed here.
          for (const key of ['message', 'stack'] as const) if (typeof out[key] === 'string') out[key] = redactSecrets(out[key]);
          return out;
        },
      },
    },
    options.destination,
  );
}
