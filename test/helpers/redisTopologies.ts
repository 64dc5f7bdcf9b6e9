/**
 * The Redis topologies the subgraph supports, started for real on loopback
 * (test/helpers/redisServers.ts), and `describeEachTopology`, which runs a store suite against
 * each with one line:
 *
 *     describeEachTopology('nonce store', (topology) => nonceSuite(async () => new RedisNonceStore(await topology.connect(), uniquePrefix())));
 *
 * Each topology starts once per `describe` (beforeAll) and stops after it (afterAll), also
 * when a test fails. Skipped with the reason when redis-server is unusable, except under
 * REQUIRE_REDIS=1 (`.ci/run`), where that fails the run.
 */
import { writeFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import type { RedisSettings } from '../../src/store/config.js';
import { closeRedis, connectRedis, type RedisConnection } from '../../src/store/redis.js';
import { baseArgs, freePort, info, REDIS_CLI, redisServerProblem, RedisNode, run, tempDir, waitFor, withNode } from './redisServers.js';

export type TopologyKind = 'single' | 'cluster' | 'sentinel';
export const TOPOLOGIES: readonly TopologyKind[] = ['single', 'cluster', 'sentinel'];
const MASTER_NAME = 'horizon-test';

export interface KilledPrimary {
  port: number;
  /** Resolves once a replica has taken over (never for a single node). */
  promoted(): Promise<unknown>;
  /** Brings the killed node back (as a replica, where there is a failover) and waits until it is in sync. */
  rejoin(): Promise<void>;
}

export interface RunningTopology {
  kind: TopologyKind;
  nodes: RedisNode[];
  settings(extra?: Partial<RedisSettings>): RedisSettings;
  /** A connection as the app opens it; closed by `stop()`. */
  connect(extra?: Partial<RedisSettings>): Promise<RedisConnection>;
  /** Kills the primary (in a Cluster, the one serving `key`, else a random one) with SIGKILL. */
  killPrimary(key?: string): Promise<KilledPrimary>;
  /** The node serving writes now (in a Cluster: for `key`). */
  primary(key?: string): Promise<RedisNode>;
  /** A replica of that primary (none for a single node). */
  replica(key?: string): Promise<RedisNode>;
  stop(): Promise<void>;
}

const settingsFor = (topology: RedisSettings['topology'], extra: Partial<RedisSettings> = {}): RedisSettings => ({
  topology,
  tls: false,
  commandTimeoutMs: 3_000,
  waitReplicas: 0,
  waitTimeoutMs: 500,
  ...extra,
});

function tracked(
  kind: TopologyKind,
  nodes: RedisNode[],
  others: { stop(): Promise<void> },
  base: Omit<RunningTopology, 'kind' | 'nodes' | 'connect' | 'stop'>,
) {
  const connections: RedisConnection[] = [];
  const topology: RunningTopology = {
    kind,
    nodes,
    ...base,
    async connect(extra) {
      const redis = await connectRedis(base.settings(extra));
      connections.push(redis);
      return redis;
    },
    async stop() {
      await Promise.all(connections.splice(0).map((c) => closeRedis(c).catch(() => undefined)));
      await Promise.all(nodes.map((n) => n.kill()));
      await others.stop();
    },
  };
  return topology;
}

export interface SingleOptions {
  args?: string[];
  /** How the harness itself pings the node (credentials, TLS). */
  clientOptions?: ConstructorParameters<typeof RedisNode>[3];
  /** Serve TLS only (no plain port) with this certificate. */
  tls?: { cert: string; key: string; ca: string };
}

export async function startSingle(options: SingleOptions = {}): Promise<RunningTopology> {
  const dir = tempDir('redis-single');
  const port = await freePort();
  const tls = options.tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        options.tls.cert,
        '--tls-key-file',
        options.tls.key,
        '--tls-ca-cert-file',
        options.tls.ca,
        '--tls-auth-clients',
        'no',
      ]
    : [];
  const node = new RedisNode(port, [...baseArgs(port), ...tls, ...(options.args ?? [])], dir.path, options.clientOptions);
  try {
    await node.start();
  } catch (error) {
    dir.remove();
    throw error;
  }
  return tracked(
    'single',
    [node],
    { stop: async () => dir.remove() },
    {
      settings: (extra) => settingsFor({ kind: 'single', url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}` }, extra),
      primary: async () => node,
      replica: () => Promise.reject(new Error('a single node has no replica')),
      async killPrimary() {
        await node.kill();
        return { port, promoted: () => Promise.reject(new Error('a single node has no replica to promote')), rejoin: () => node.start() };
      },
    },
  );
}

/** CLUSTER SLOTS: [from, to, primary, ...replicas], each node as [host, port, id, ...]. */
type SlotRange = [number, number, ...Array<[string, number, ...unknown[]]>];
const clusterSlots = (port: number) => withNode(port, (r) => r.cluster('SLOTS')) as unknown as Promise<SlotRange[]>;

/** 3 primaries + 3 replicas, node timeout 1 s (a failover takes about 2 s). */
export async function startCluster(): Promise<RunningTopology> {
  const dir = tempDir('redis-cluster');
  const nodes: RedisNode[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    const bus = await freePort();
    const args = [
      ...baseArgs(port),
      ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1000', '--cluster-port', String(bus)],
    ];
    nodes.push(new RedisNode(port, args, dir.path));
  }
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    dir.remove();
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await run(REDIS_CLI, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await waitFor('the cluster to be ok on every node', async () => {
      for (const node of nodes) {
        const state = await withNode(node.port, (r) => r.cluster('INFO'));
        if (!String(state).includes('cluster_state:ok')) return false;
      }
      return true;
    });
    // CLUSTER SLOTS (what clients see) lists a replica only once the node asked has heard (by the
    // cluster bus) that its replication offset is past 0: write to every shard, again each round,
    // so a replica that synced late still moves; a slow first sync on a fresh machine gets 45 s.
    const seeder = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], { lazyConnect: true });
    seeder.on('error', () => undefined);
    try {
      await seeder.connect();
      await waitFor(
        'every shard to list its replica in CLUSTER SLOTS',
        async () => {
          for (let i = 0; i < 30; i++) await seeder.set(`harness-seed-${i}`, '1');
          for (const node of nodes) {
            const lacking = (await clusterSlots(node.port)).filter((range) => range.length < 4);
            if (lacking.length > 0) throw new Error(`node ${node.port} lists no replica for slots ${lacking.map(([from, to]) => `${from}-${to}`).join(', ')}`);
          }
          return true;
        },
        45_000,
      );
    } finally {
      seeder.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const alive = () => nodes.filter((n) => n.alive);
  /** The slot range serving `key` (else a random one): [from, to, primary, ...replicas] as [host, port]. */
  const shard = async (key?: string) => {
    const slots = await clusterSlots(alive()[0]!.port);
    const slot = key === undefined ? undefined : ((await withNode(alive()[0]!.port, (r) => r.cluster('KEYSLOT', key))) as number);
    const ranges = slot === undefined ? [slots[Math.floor(Math.random() * slots.length)]!] : slots.filter(([from, to]) => from <= slot && slot <= to);
    return ranges[0]!;
  };
  const primaryPort = async (key?: string): Promise<number> => (await shard(key))[2]![1];
  const byPort = (port: number) => nodes.find((n) => n.port === port)!;
  const connectable = {
    settings: (extra?: Partial<RedisSettings>) =>
      settingsFor({ kind: 'cluster', nodes: nodes.slice(0, 3).map((n) => ({ host: '127.0.0.1', port: n.port })) }, extra),
  };
  return tracked(
    'cluster',
    nodes,
    { stop: async () => dir.remove() },
    {
      ...connectable,
      primary: async (key) => byPort(await primaryPort(key)),
      replica: async (key) => byPort((await shard(key))[3]![1]),
      async killPrimary(key) {
        const victim = byPort(await primaryPort(key));
        const slots = await clusterSlots(alive().find((n) => n !== victim)!.port);
        const owned = slots.find((range) => range[2]![1] === victim.port)![0];
        await victim.kill();
        return {
          port: victim.port,
          promoted: () =>
            waitFor("a replica to take over the killed primary's slots, cluster ok", async () => {
              const node = alive()[0]!;
              const ok = String(await withNode(node.port, (r) => r.cluster('INFO'))).includes('cluster_state:ok');
              const slots = await clusterSlots(node.port);
              const owner = slots.find(([from, to]) => from <= owned && owned <= to)?.[2]![1];
              return ok && owner !== undefined && owner !== victim.port;
            }),
          async rejoin() {
            await victim.start();
            await waitFor('the old primary to rejoin as an in-sync replica', async () => {
              const replication = await withNode(victim.port, (r) => info(r, 'replication'));
              const ok = String(await withNode(victim.port, (r) => r.cluster('INFO'))).includes('cluster_state:ok');
              const listed = (await clusterSlots(victim.port)).some((range) => (range.slice(3) as Array<[string, number]>).some((n) => n[1] === victim.port));
              return ok && replication.role === 'slave' && replication.master_link_status === 'up' && listed;
            });
          },
        };
      },
    },
  );
}

/** 1 primary + 1 replica, watched by 3 sentinels (quorum 2, down after 1 s). */
export async function startSentinel(): Promise<RunningTopology> {
  const dir = tempDir('redis-sentinel');
  const [p0, p1] = [await freePort(), await freePort()];
  const data = [new RedisNode(p0, baseArgs(p0), dir.path), new RedisNode(p1, [...baseArgs(p1), '--replicaof', '127.0.0.1', String(p0)], dir.path)];
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const file = `${dir.path}/sentinel-${port}.conf`;
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${p0} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 3000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(new RedisNode(port, [file, '--sentinel'], dir.path));
  }
  const all = [...data, ...sentinels];
  /** The primary every live sentinel names; throws while they disagree (a failover under way). */
  const masterAddress = async (): Promise<number> => {
    const named = new Set<number>();
    for (const sentinel of sentinels.filter((s) => s.alive)) {
      const reply = await withNode(sentinel.port, (r) => r.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME));
      named.add(Number((reply as string[])[1]));
    }
    if (named.size !== 1) throw new Error(`the sentinels name ${[...named].join(' and ')} as the primary`);
    return [...named][0]!;
  };
  /** The primary, once the sentinels agree on it and it says it is one. */
  const settledPrimary = () =>
    waitFor('the sentinels to agree on a primary that says it is one', async () => {
      const port = await masterAddress();
      return (await withNode(port, (r) => info(r, 'replication'))).role === 'master' && port;
    });
  const byPort = (port: number) => data.find((n) => n.port === port)!;
  const replicaInSync = async (replica: RedisNode, primary: number) => {
    const replication = await withNode(replica.port, (r) => info(r, 'replication'));
    return replication.role === 'slave' && replication.master_port === String(primary) && replication.master_link_status === 'up';
  };
  /** Every sentinel knows the replica and sees it up: the next failover has somewhere to go. */
  const sentinelsSeeReplica = async (replica: RedisNode) => {
    for (const sentinel of sentinels) {
      const replicas = (await withNode(sentinel.port, (r) => r.call('SENTINEL', 'replicas', MASTER_NAME))) as string[][];
      const entry = replicas.map((fields) => Object.fromEntries(fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : []))));
      const seen = entry.find((e) => e.port === String(replica.port));
      if (!seen || /s_down|disconnected/.test(seen.flags ?? '') || seen['master-link-status'] !== 'ok') return false;
    }
    return true;
  };
  try {
    await data[0]!.start();
    await data[1]!.start();
    await waitFor('the replica to sync', () => replicaInSync(data[1]!, p0));
    await Promise.all(sentinels.map((s) => s.start()));
    await waitFor('every sentinel to see the replica', () => sentinelsSeeReplica(data[1]!), 20_000);
  } catch (error) {
    await Promise.all(all.map((n) => n.kill()));
    dir.remove();
    throw error;
  }
  return tracked(
    'sentinel',
    all,
    { stop: async () => dir.remove() },
    {
      settings: (extra) =>
        settingsFor({ kind: 'sentinel', master: MASTER_NAME, sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })) }, extra),
      primary: async () => byPort(await settledPrimary()),
      async replica() {
        const primary = await settledPrimary();
        return data.find((n) => n.port !== primary)!;
      },
      async killPrimary() {
        const victim = byPort(await settledPrimary());
        const survivor = data.find((n) => n !== victim)!;
        await victim.kill();
        return {
          port: victim.port,
          promoted: () =>
            waitFor(
              'the sentinels to promote the replica',
              async () => (await masterAddress()) === survivor.port && (await withNode(survivor.port, (r) => info(r, 'replication'))).role === 'master',
              20_000,
            ),
          async rejoin() {
            await victim.start(['--replicaof', '127.0.0.1', String(survivor.port)]);
            await waitFor('the old primary to sync as a replica', () => replicaInSync(victim, survivor.port));
            await waitFor('every sentinel to see it as a replica', () => sentinelsSeeReplica(victim), 20_000);
          },
        };
      },
    },
  );
}

export function startTopology(kind: TopologyKind): Promise<RunningTopology> {
  return kind === 'single' ? startSingle() : kind === 'cluster' ? startCluster() : startSentinel();
}

/** '' when topologies can be started here (decided once, when the test file loads); else why not. */
export const TOPOLOGY_PROBLEM = redisServerProblem();

/**
 * Runs `suite` once per topology, inside a describe that starts it before and stops it after.
 * `suite` receives a getter: call it inside hooks and tests, not while defining them.
 */
export function describeEachTopology(title: string, suite: (topology: () => RunningTopology) => void, kinds: readonly TopologyKind[] = TOPOLOGIES): void {
  if (TOPOLOGY_PROBLEM && process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but ${TOPOLOGY_PROBLEM}`);
  if (TOPOLOGY_PROBLEM) console.warn(`Redis topology tests SKIPPED: ${TOPOLOGY_PROBLEM}`);
  // REDIS_TOPOLOGIES=cluster,sentinel runs only those (to debug one).
  const only = process.env.REDIS_TOPOLOGIES?.split(',').map((k) => k.trim());
  for (const kind of kinds) {
    (TOPOLOGY_PROBLEM || (only && !only.includes(kind)) ? describe.skip : describe)(`${title} on Redis ${kind}`, () => {
      let topology: RunningTopology | undefined;
      beforeAll(async () => {
        topology = await startTopology(kind);
      }, 120_000);
      afterAll(async () => {
        await topology?.stop();
      }, 30_000);
      suite(() => {
        if (!topology) throw new Error(`Redis ${kind} did not start`);
        return topology;
      });
    });
  }
}
