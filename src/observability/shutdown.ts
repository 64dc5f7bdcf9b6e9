/**
 * Graceful shutdown on SIGTERM (orchestrators) and SIGINT (Ctrl-C): `/ready` turns 503, the
 * listener closes (new connections are refused), in-flight operations get up to
 * `graceMs` to finish (Apollo's drain plugin; idle keep-alive connections close at once),
 * then the upstream pool, the Redis ledger and the emulator close, and the process exits 0.
 * If closing hangs past the grace period plus `closeMarginMs`, it exits 1 anyway. A second
 * SIGINT exits at once (130).
 */
import type { Logger } from '../logger.js';

export interface ShutdownOptions {
  logger: Logger;
  graceMs: number;
  /** Stops the app: drains HTTP within `graceMs`, then closes pools and stores. */
  stop: () => Promise<void>;
  /** Extra time for closing pools and stores and flushing traces after the drain. */
  closeMarginMs?: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Installs the signal handlers; returns the function they call (for tests) and an uninstaller. */
export function installShutdown(options: ShutdownOptions): { shutdown: (signal: string) => void; uninstall: () => void } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') {
        options.logger.warn({ signal }, 'second interrupt: exiting without waiting');
        exit(130);
      }
      return;
    }
    stopping = true;
    const started = Date.now();
    options.logger.info({ signal, graceMs: options.graceMs }, 'stopping: refusing new connections, finishing operations in flight');
    const hardLimit = setTimeout(
      () => {
        options.logger.error({ signal, waitedMs: Date.now() - started }, 'shutdown took too long; exiting anyway');
        exit(1);
      },
      options.graceMs + (options.closeMarginMs ?? 5_000),
    );
    hardLimit.unref();
    options
      .stop()
      .then(() => {
        clearTimeout(hardLimit);
        options.logger.info({ signal, tookMs: Date.now() - started }, 'stopped');
        exit(0);
      })
      .catch((error: unknown) => {
        clearTimeout(hardLimit);
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      });
  };
  const handlers = signals.map((signal) => {
    const handler = () => shutdown(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    shutdown,
    uninstall: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
