/**
 * `rediss://` with a private CA and an ACL user, as managed Redis services are run: a CA and a
 * server certificate made here with openssl, a TLS-only redis-server whose default user is
 * off and whose `horizon` user may run only what the subgraph needs, on its own key prefix.
 * The settings as an operator writes them (REDIS_URL + REDIS_TLS_CA_FILE) go through
 * `loadConfig`; the ledger's whole contract runs over that connection; a wrong CA, password or
 * user is refused with a clear message that holds no secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redisStore.js';
import { RedisStoreHealth } from '../../src/store/health.js';
import { closeRedis, connectRedis, type RedisConnection } from '../../src/store/redis.js';
import { ledgerStoreSuite } from '../helpers/ledgerSuite.js';
import { makeCertificates, tempDir } from '../helpers/redisServers.js';
import { startSingle, TOPOLOGY_PROBLEM, type RunningTopology } from '../helpers/redisTopologies.js';

const PASSWORD = 'tls-acl-pw-9f3e';
/** What docs/redis.md tells operators to grant the subgraph's user. */
const ACL = [
  'horizon',
  'on',
  `>${PASSWORD}`,
  '~horizon-subgraph:*',
  '+@read',
  '+@write',
  '+@scripting',
  '+@connection',
  '+info',
  '+role',
  '+wait',
  '+cluster|info',
  '+cluster|slots',
];

let certs: { ca: string; cert: string; key: string };
let dir: ReturnType<typeof tempDir>;
let server: RunningTopology;
let port: number;

const describeIt = TOPOLOGY_PROBLEM && process.env.REQUIRE_REDIS !== '1' ? describe.skip : describe;
describeIt('rediss:// with a private CA and an ACL user', () => {
  beforeAll(async () => {
    dir = tempDir('redis-tls');
    certs = await makeCertificates(dir.path);
    server = await startSingle({
      tls: certs,
      args: ['--user', 'default', 'off', '--user', ...ACL],
      clientOptions: { tls: { ca: readFileSync(certs.ca) }, username: 'horizon', password: PASSWORD },
    });
    port = server.nodes[0]!.port;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    dir?.remove();
  });

  const settings = (url: string, env: Record<string, string> = { REDIS_TLS_CA_FILE: certs.ca }) => loadConfig({ REDIS_URL: url, ...env }).redis!;
  const good = () => `rediss://horizon:${PASSWORD}@127.0.0.1:${port}`;

  describe('the ledger over TLS as the ACL user', () => {
    let redis: RedisConnection;
    beforeAll(async () => {
      redis = await connectRedis(settings(good()));
    });
    afterAll(async () => {
      await closeRedis(redis);
    });
    ledgerStoreSuite(async () => new RedisIdempotencyStore(redis, `horizon-subgraph:tls-${Date.now()}-${Math.random()}:`));

    test('the health check works with the narrow ACL', async () => {
      expect(await new RedisStoreHealth(redis, 'single').check()).toMatchObject({ state: 'up', nodes: { primaries: 1, replicas: 0 } });
    });

    test('keys outside the granted prefix are refused by Redis', async () => {
      await expect(redis.set('elsewhere', '1')).rejects.toThrow(/NOPERM/);
    });
  });

  const refusal = async (target: Parameters<typeof connectRedis>[0]) => {
    const error = (await connectRedis(target).then(
      async (redis) => {
        await closeRedis(redis);
        throw new Error('connected');
      },
      (e: Error) => e,
    )) as Error;
    expect(error.message).not.toContain(PASSWORD);
    return error.message;
  };

  test('without the CA file the server certificate is not trusted', async () => {
    expect(await refusal(settings(good(), {}))).toMatch(/^Cannot reach Redis at REDIS_URL \(rediss:\/\/127\.0\.0\.1:\d+\): .*self[- ]signed certificate/i);
  });

  test('a wrong password, or the disabled default user, is refused clearly', async () => {
    expect(await refusal(settings(`rediss://horizon:wrong-${PASSWORD}@127.0.0.1:${port}`))).toMatch(/WRONGPASS/);
    expect(await refusal(settings(`rediss://127.0.0.1:${port}`))).toMatch(/NOAUTH|WRONGPASS|NOPERM/);
  });

  test('settings are checked before connecting: the CA file must exist and TLS must be on', () => {
    expect(() => settings(good(), { REDIS_TLS_CA_FILE: join(dir.path, 'missing.pem') })).toThrow(/REDIS_TLS_CA_FILE cannot be read: ENOENT/);
    expect(() => settings(good(), { REDIS_TLS_CA_FILE: certs.key })).toThrow(/REDIS_TLS_CA_FILE is not a PEM certificate file/);
    expect(() => settings(`redis://127.0.0.1:${port}`)).toThrow(/REDIS_TLS_CA_FILE is set but TLS is off/);
  });
});
