/**
 * The "Try:" command `npm start` prints works as printed in every auth configuration: the
 * banner's `export` lines and its curl are run in bash, in a shell that knows nothing else.
 * Where the banner asks for a value it must not print (a caller JWT of the configured secret,
 * the router's shared secret), the test puts in what a developer would: the token, the secret.
 */
import { execFile } from 'node:child_process';
import { startApp, type RunningApp } from '../../src/app.js';
import { callerAuthBanner } from '../../src/auth/banner.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../helpers/harness.js';
import { TEST_HS256_SECRET, token } from '../helpers/auth.js';

const ROUTER_SECRET = 'banner-test-router-secret-9Tq4';

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** The banner's shell lines: its `export`s, then the curl (two lines joined by a backslash). */
function shellOf(banner: string): string {
  const lines = banner.split('\n');
  const exports = lines.filter((line) => line.startsWith('  export ')).map((line) => line.trim());
  const tryAt = lines.findIndex((line) => line.startsWith('Try: '));
  expect(tryAt).toBeGreaterThan(-1);
  const curl = `${lines[tryAt]!.slice('Try: '.length)}\n${lines[tryAt + 1]!}`;
  return [...exports, curl].join('\n');
}

function bash(script: string): Promise<string> {
  // A shell of its own: no TOKEN or ROUTER_SHARED_SECRET but what the script exports.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', script], { env, timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

test.each([
  ['demo token', {}],
  ['demo token and a router secret', { ROUTER_SHARED_SECRET: ROUTER_SECRET }],
  ['no caller checks', { AUTH_MODE: 'none' }],
  ['no caller checks, only the router', { AUTH_MODE: 'none', ROUTER_SHARED_SECRET: ROUTER_SECRET }],
  ['an HS256 secret and a router secret', { AUTH_HS256_SECRET: TEST_HS256_SECRET, ROUTER_SHARED_SECRET: ROUTER_SECRET }],
])('%s', async (_name, settings: Record<string, string>) => {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'silent', ...settings });
  app = await startApp(config, silentLogger);
  const banner = callerAuthBanner(app.subgraph.url, { devToken: app.devToken, auth: config.auth });
  expect(banner).not.toContain(ROUTER_SECRET);
  expect(banner).not.toContain(TEST_HS256_SECRET);
  expect(banner.includes('x-router-secret: $ROUTER_SHARED_SECRET')).toBe(settings.ROUTER_SHARED_SECRET !== undefined);
  // What the developer fills in where the banner asks for it.
  const script = shellOf(banner)
    .replace(`'<a caller JWT>'`, `'${await token({ issuer: null, audience: null, scopes: ['horizon:read'] })}'`)
    .replace(`'<the ROUTER_SHARED_SECRET of this process>'`, `'${ROUTER_SECRET}'`);
  expect(script).not.toMatch(/'<[^']*>'/);
  const answer = JSON.parse(await bash(script));
  expect(answer.errors).toBeUndefined();
  expect(answer.data.user.displayName).toBe('Nova Rider');
  expect(answer.data.user.achievements.length).toBeGreaterThan(0);
});

test('without a router secret in the shell, the printed curl is refused (the header is really needed)', async () => {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'silent', ROUTER_SHARED_SECRET: ROUTER_SECRET });
  app = await startApp(config, silentLogger);
  const banner = callerAuthBanner(app.subgraph.url, { devToken: app.devToken, auth: config.auth });
  const script = shellOf(banner).replace(/^export ROUTER_SHARED_SECRET=.*$/m, '');
  const answer = JSON.parse(await bash(script));
  expect(answer.errors[0].extensions.reason).toBe('ROUTER_SECRET_MISSING');
});
