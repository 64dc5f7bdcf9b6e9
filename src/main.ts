/** Entry point: `npm start`. Reads the environment, starts the app, stops it on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './config.js';
import { startApp } from './app.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const app = await startApp(config, logger);
  const graphqlUrl = app.subgraph.url;
  if (app.emulator) {
    process.stdout.write(
      `\nhorizon-subgraph is running in DEMO MODE: no HORIZON_APP_ID/HORIZON_APP_SECRET set, so it talks to\n` +
        `the built-in emulator of graph.oculus.com on seeded demo data.\n\n` +
        `  GraphQL (subgraph):  ${graphqlUrl}  (also ${graphqlUrl}graphql; open it in a browser for Apollo Sandbox)\n` +
        `  Horizon emulator:    ${app.emulator.url}\n\n` +
        `Try: curl -s ${graphqlUrl} -H 'content-type: application/json' \\\n` +
        `       -d '{"query":"{ user(id: \\"3559884437424131\\") { displayName achievements { definition { title } unlocked } } }"}'\n\n`,
    );
  } else {
    process.stdout.write(`\nhorizon-subgraph is running against ${config.horizon.baseUrl} (app ${config.horizon.appId})\n  GraphQL: ${graphqlUrl}\n\n`);
  }
  logger.info({ url: graphqlUrl, mode: config.horizon.mode, emulator: app.emulator?.url ?? null }, 'started');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`horizon-subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
