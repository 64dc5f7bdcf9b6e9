/** `npm run emulator`: the graph.oculus.com emulator on its own, with demo data. */
import { startEmulator } from './index.js';

async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 4010);
  const latencyMs = Number(process.env.EMULATOR_LATENCY_MS ?? 0);
  const emulator = await startEmulator({ port, host: process.env.EMULATOR_HOST ?? '127.0.0.1', faults: { latencyMs } });
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
