/** Entry point: `npm start`. Reads the environment, starts the app, stops it on SIGTERM/SIGINT. */
// First of all: tracing (off unless OTEL_TRACES_EXPORTER is set) must start before node:http and undici load.
import './observability/preload.js';
import { loadConfig, startProcess, type Config } from './config.js';
import { startApp } from './app.js';
import { callerAuthBanner } from './auth/banner.js';
import { createLogger } from './logger.js';
import { installShutdown } from './observability/shutdown.js';
import { stopTracing } from './observability/tracing.js';

async function main(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  const app = await startApp(config, logger);
  const graphqlUrl = app.subgraph.url;
  if (app.emulator) {
    process.stdout.write(
      `\nhorizon-subgraph is running in DEMO MODE: no HORIZON_APP_ID/HORIZON_APP_SECRET set, so it talks to\n` +
        `the built-in emulator of graph.oculus.com on seeded demo data.\n\n` +
        `  GraphQL (subgraph):  ${graphqlUrl}  (also ${graphqlUrl}graphql; open it in a browser for Apollo Sandbox)\n` +
        `  GraphiQL (offline):  ${graphqlUrl}graphiql${app.devToken ? '  (opens with the demo token and a query: press run)' : ''}\n` +
        `  Horizon emulator:    ${app.emulator.url}\n\n` +
        callerAuthBanner(graphqlUrl, { devToken: app.devToken, auth: config.auth }),
    );
  } else {
    process.stdout.write(`\nhorizon-subgraph is running against ${config.horizon.baseUrl} (app ${config.horizon.appId})\n  GraphQL: ${graphqlUrl}\n\n`);
    if (app.devToken) process.stdout.write(callerAuthBanner(graphqlUrl, { devToken: app.devToken, auth: config.auth }));
  }
  logger.info(
    {
      url: graphqlUrl,
      mode: config.horizon.mode,
      emulator: app.emulator?.url ?? null,
      metrics: config.metricsEnabled ? `${graphqlUrl}metrics` : null,
      tracing: config.tracing.enabled,
    },
    'started',
  );

  // SIGTERM/SIGINT: refuse new connections, finish operations in flight (SHUTDOWN_GRACE_MS),
  // close the upstream pool, Redis and the emulator, flush traces, exit 0.
  installShutdown({
    logger,
    graceMs: config.shutdownGraceMs,
    stop: async () => {
      await app.stop();
      await stopTracing();
    },
  });
}

startProcess('horizon-subgraph', loadConfig, main);
