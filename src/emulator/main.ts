/** `npm run emulator`: the graph.oculus.com emulator on its own, with demo data. */
import { ConfigError, loadEmulatorConfig } from '../config.js';
import { startEmulator } from './index.js';

async function main(): Promise<void> {
  let options;
  try {
    options = loadEmulatorConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const emulator = await startEmulator(options);
  process.stdout.write(
    `Horizon API emulator listening at ${emulator.url}\n` +
      `  app id: ${emulator.appId} (demo credentials; the secret is in src/emulator/seed/demo.ts)\n` +
      `  request log: ${emulator.url}/__emulator/requests\n`,
  );
  const stop = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
