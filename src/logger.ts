/**
 * Structured JSON logs (pino). Secrets are removed by pino's own redaction for the paths
 * where they could sit, and every message string passes through `redactSecrets` too.
 */
import pino, { type Logger } from 'pino';
import { redactSecrets } from './horizon/redact.js';

export type { Logger };

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'horizon-subgraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-horizon-user-token"]',
          'headers.authorization',
          'headers["x-horizon-user-token"]',
          'config.horizon.appSecret',
          '*.appSecret',
          '*.token',
          '*.accessToken',
          '*.access_token',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>,
          );
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
