/** `npm run emulator`: the graph.oculus.com emulator on its own, with demo data. */
import { loadEmulatorConfig, startProcess, type Config } from '../config.js';
import { startEmulator } from './index.js';

async function main(options: Config['emulator']): Promise<void> {
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

startProcess('emulator', loadEmulatorConfig, main);
