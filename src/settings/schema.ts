/**
 * Every environment variable the service reads, once: its kind of value and bounds, its
 * default, what it does and the section of the docs it belongs to. `src/config.ts` validates
 * the environment against it and builds the options each module takes; `npm run settings:docs`
 * writes docs/configuration.md's tables and `.env.example` from it (a test fails when stale).
 * Over 300 lines on purpose: one table, in the docs' order, reads and reviews better than a
 * file per section.
 */
import { bool, hostPort, list, oneOf, text, url, whole, type Kind } from './values.js';

/** The service's name in traces unless the OTEL_* settings name it. */
export const SERVICE_NAME = 'horizon-subgraph';
/** Apollo Sandbox, allowed by CORS outside production unless CORS_ORIGINS says otherwise. */
export const STUDIO_ORIGIN = 'https://studio.apollographql.com';

export const SECTIONS = {
  horizon: { title: 'Horizon API', note: 'live mode needs the app id and secret; without them the built-in emulator runs on demo data' },
  operations: { title: 'Operations and writes' },
  store: {
    title: 'Shared state (Redis)',
    note: 'what replicas share: the idempotency ledger, attestation nonces and webhook events; one node, a Cluster or Sentinel (see [Shared state in Redis](redis.md))',
  },
  cache: { title: 'Shared caches', note: 'public data: achievement definitions, leaderboard metadata, the catalog' },
  server: { title: 'HTTP server' },
  limits: { title: 'Hostile input', note: 'limits checked before anything runs' },
  auth: { title: 'Callers', note: "JWT scopes checked against the schema's @authenticated/@requiresScopes" },
  webhooks: { title: 'Webhooks', note: "Horizon's purchase and subscription events, see [Webhooks](webhooks.md)" },
  observability: { title: 'Logs, metrics, probes, shutdown' },
  tracing: {
    title: 'Tracing',
    note: 'OpenTelemetry; off unless OTEL_TRACES_EXPORTER names an exporter',
    more:
      'The OpenTelemetry SDK reads these itself, as the [standard variables](https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/) ' +
      '(`OTEL_EXPORTER_OTLP_HEADERS` and the other `OTEL_*` too); the ones below are checked at start-up.',
  },
  attestation: { title: 'Attestation', note: 'how `verifyAttestation` judges a token (docs/horizon-api.md)' },
  emulator: { title: 'Built-in emulator', note: 'demo mode, and `npm run emulator`' },
} as const;

export type SectionId = keyof typeof SECTIONS;

export interface Setting<T> {
  section: SectionId;
  kind: Kind<T>;
  /** The value when unset; `undefined`: none, or decided from other settings (`shown` says how). */
  default: T;
  /** One sentence, in the docs' table and in `.env.example`. */
  doc: string;
  /** More for the docs' table only. */
  more?: string;
  /** The default as the docs show it, when it is not a plain value (markdown). */
  shown?: string;
  /** The value `.env.example` shows, when the default is not a plain value. */
  example?: string;
}

type Entry<T> = Omit<Setting<T>, 'section'>;
type Extra = Pick<Setting<unknown>, 'more' | 'shown' | 'example'>;

const setting = <T>(kind: Kind<T>, value: T, doc: string, extra: Extra = {}): Entry<T> => ({ kind, default: value, doc, ...extra });
const optional = <T>(kind: Kind<T>, doc: string, extra: Extra = {}): Entry<T | undefined> => ({ kind, default: undefined, doc, ...extra });

function section<E extends Record<string, Entry<any>>>(id: SectionId, entries: E): { [K in keyof E]: E[K] & { section: SectionId } } {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, { ...entry, section: id }])) as never;
}

const ms = (min: number, max: number) => whole(min, max, 'ms');
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
const httpUrl = url(['http:', 'https:'], 'must be an http(s) URL', { credentials: true });

export const SETTINGS = {
  ...section('horizon', {
    HORIZON_APP_ID: optional(
      text((v) => (/^\d{1,20}$/.test(v) ? undefined : 'must be the numeric app id from the developer dashboard'), { allowed: 'digits' }),
      'App id from the Horizon developer dashboard.',
      { more: 'With the secret, selects live mode.' },
    ),
    HORIZON_APP_SECRET: optional(
      text((v) => (/[\s|]/.test(v) ? 'must not contain spaces or "|"' : undefined), { secret: true, allowed: 'no spaces or `|`' }),
      'App secret. Never logged, never in a URL or an error.',
    ),
    HORIZON_FEDERATED_APP_ID: optional(
      text((v) => (/^\d{1,20}$/.test(v) ? undefined : 'must be the numeric id of the federated app from the developer dashboard'), { allowed: 'digits' }),
      'Id of the federated (cross-play) app that federated users belong to.',
      { shown: '`HORIZON_APP_ID`', more: 'See [Horizon API](horizon-api.md#accounts-sso-linking-and-federated-users).' },
    ),
    HORIZON_MAX_IMAGE_BYTES: setting(
      whole(1024, 4 * 1024 * 1024, 'bytes'),
      256 * 1024,
      'Largest achievement image `setAchievementImages` accepts, once decoded.',
      {
        more: 'Keep two of them (as base64, 4/3 larger) under `MAX_BODY_BYTES`.',
      },
    ),
    HORIZON_GRAPH_URL: setting(
      url(['https:', 'http:'], 'must be an http(s) URL without query, fragment or credentials', { noQuery: true }),
      'https://graph.oculus.com',
      'Upstream base URL (live mode).',
    ),
    HORIZON_MAX_CONNECTIONS: setting(whole(1, 10_000), 128, 'Keep-alive connections to the upstream origin.', {
      more: 'A router `_entities` fetch of 100 players fires 100+ calls at once.',
    }),
    HORIZON_CONNECT_TIMEOUT_MS: setting(ms(1, 120_000), 3_000, 'Upstream TCP/TLS connect timeout.'),
    HORIZON_REQUEST_TIMEOUT_MS: setting(ms(1, 300_000), 10_000, 'Upstream timeout for response headers and between body chunks.'),
    HORIZON_CALL_TIMEOUT_MS: setting(ms(1, 300_000), 5_000, 'Deadline of one upstream attempt, body included (must be below `OPERATION_TIMEOUT_MS`).'),
    HORIZON_RETRY_MAX_ATTEMPTS: setting(whole(1, 10), 3, 'Attempts per upstream call, the first included (1 disables retries).'),
    HORIZON_RETRY_BUDGET_MS: setting(ms(0, 120_000), 5_000, "No retry starts later than this after a call's first attempt."),
    HORIZON_MAX_IN_FLIGHT: setting(whole(1, 100_000), 128, 'Upstream calls in flight for the app at once.'),
    HORIZON_MAX_QUEUED: setting(whole(0, 1_000_000), 10_000, 'Calls allowed to wait for a slot; past it calls fail at once with `UPSTREAM_UNAVAILABLE`.'),
    HORIZON_BREAKER_THRESHOLD: setting(whole(1, 10_000), 10, 'Consecutive outage failures (no answer, timeout, 5xx) that open the circuit.'),
    HORIZON_BREAKER_COOLDOWN_MS: setting(ms(100, 600_000), 5_000, 'How long the circuit stays open before one probe call is let through.'),
  }),
  ...section('operations', {
    OPERATION_TIMEOUT_MS: setting(ms(100, 600_000), 15_000, "Deadline of a whole GraphQL operation (below a router's default 30 s subgraph timeout)."),
    ADMISSION_MAX_QUEUED_CALLS: setting(
      whole(0, 1_000_000),
      0,
      'New operations wait their turn while more upstream calls than this wait for a slot (0: while any waits).',
      {
        more:
          "Admission control, first come first served, so memory and latency stay bounded when Horizon is the bottleneck (and, whatever this is set to, while this process's event loop is saturated). " +
          'An operation still waiting at its deadline gets HTTP 503, `UPSTREAM_UNAVAILABLE` with `reason: overloaded`; nothing was sent for it.',
      },
    ),
    IDEMPOTENCY_TTL_MS: setting(ms(60_000, 30 * 24 * 3600 * 1000), 24 * 3600 * 1000, "How long an idempotency key's result is kept (24 h)."),
    IDEMPOTENCY_SETTLE_DELAY_MS: setting(ms(0, 60_000), 1_000, "After a write's reply is lost, how long to wait before reading back whether it was applied."),
  }),
  ...section('store', {
    REDIS_URL: optional(
      url(['redis:', 'rediss:'], 'must be a redis:// or rediss:// URL', { credentials: true, secret: true }),
      'One Redis node: `redis://[user:password@]host:6379[/db]`, or `rediss://` for TLS.',
      {
        more: "Set this, `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS` to share state between replicas; with none, it lives in this process's memory (one replica only).",
      },
    ),
    REDIS_CLUSTER_NODES: setting(list(hostPort), [], 'Redis Cluster: some of its nodes, e.g. `redis-0:6379,redis-1:6379` (the rest are discovered).'),
    REDIS_SENTINELS: setting(
      list(hostPort),
      [],
      'Sentinel: the sentinels watching the primary, e.g. `s-0:26379,s-1:26379,s-2:26379`; with `REDIS_SENTINEL_MASTER`.',
    ),
    REDIS_SENTINEL_MASTER: optional(text(), 'Sentinel: the name the primary is monitored under (`sentinel monitor <name> ...`).'),
    REDIS_USERNAME: optional(text(), 'ACL user on the Redis nodes (or in `REDIS_URL`).'),
    REDIS_PASSWORD: optional(text(undefined, { secret: true }), "The ACL user's password, or the `requirepass` password (or in `REDIS_URL`). Never logged."),
    REDIS_SENTINEL_USERNAME: optional(text(), 'ACL user on the sentinels, when they require one.'),
    REDIS_SENTINEL_PASSWORD: optional(text(undefined, { secret: true }), "The sentinels' password, when they require one. Never logged."),
    REDIS_TLS: setting(bool, false, 'TLS to the Cluster or Sentinel nodes and the sentinels (with `REDIS_URL`: use `rediss://`).'),
    REDIS_TLS_CA_FILE: optional(text(), "PEM file of the CA that signed the Redis servers' certificates (default: the system's CAs)."),
    REDIS_COMMAND_TIMEOUT_MS: setting(ms(100, 60_000), 3_000, 'A Redis command unanswered after this fails; a keyed write then fails closed.'),
    REDIS_WAIT_REPLICAS: setting(
      whole(0, 16),
      0,
      "Replicas a keyed write's ledger record must reach (Redis `WAIT`) before the write is sent to Horizon; `0`: off.",
      {
        more: 'With a replicated Redis (Cluster, Sentinel) set `1`, so a failover cannot lose the record and let a retry write again. See [Failover](redis.md#failover).',
      },
    ),
    REDIS_WAIT_TIMEOUT_MS: setting(
      ms(1, 60_000),
      500,
      'How long `WAIT` may take; when fewer replicas confirm, the write is refused (`IDEMPOTENCY_LEDGER_UNAVAILABLE`, not attempted).',
    ),
  }),
  ...section('cache', {
    CACHE_TTL_MS: setting(ms(0, 86_400_000), 60_000, 'How long shared public data is fresh; `0` disables the shared caches.'),
    CACHE_STALE_MS: setting(ms(0, 86_400_000), 300_000, 'How long past its TTL an entry may still be served while one background refresh replaces it.'),
    CACHE_MAX_ENTRIES: setting(whole(0, 10_000_000), 10_000, 'Entries per shared cache; the least recently used go first.'),
    CACHE_WARMUP: setting(bool, true, 'Fill the shared caches at start-up, before listening, with one listing call each.', {
      more: 'So the first operations after a (re)start cost what later ones do. Best effort, at most 3 s: on failure they fill on first use.',
    }),
  }),
  ...section('server', {
    PORT: setting(whole(0, 65_535), 4001, 'Port of the subgraph: GraphQL at `/` and `/graphql`; `/health`, `/ready` and `/metrics` on the same port.'),
    HOST: setting(text(), '0.0.0.0', 'Interface to listen on.'),
    NODE_ENV: optional(
      text(),
      '`production` disables the Sandbox landing page, the offline GraphiQL at `/graphiql`, introspection and stack traces, and requires Horizon credentials and caller authentication.',
    ),
    CORS_ORIGINS: optional(
      list(
        text((v) => (v === '*' || /^https?:\/\/[^/\s]+$/.test(v) ? undefined : 'must be origins like https://example.com'), {
          allowed: 'origins like `https://example.com`, or `*`',
        }),
      ),
      'Browser origins allowed by CORS (set blank: none).',
      { shown: `\`${STUDIO_ORIGIN}\` outside production, none in production`, example: STUDIO_ORIGIN },
    ),
    MAX_BODY_BYTES: setting(whole(1024, 64 * 1024 * 1024, 'bytes'), 1024 * 1024, 'Largest request body accepted.'),
  }),
  // Calibrated so a router's `_entities` fetch of 100 representations passes with room to spare
  // (100 `User`s with a profile field, achievements and a leaderboard entry cost 300; 100
  // `AchievementDefinition`s cost 100), while lists of players nested in lists of players,
  // hundreds of aliases, or many full pages of entries with purchases do not.
  ...section('limits', {
    MAX_QUERY_DEPTH: setting(whole(2, 1_000), 10, 'Deepest field nesting of an operation (fragments do not add a level).', {
      more: 'See [Hostile input](errors.md#hostile-input).',
    }),
    MAX_ALIASES: setting(whole(0, 100_000), 30, 'Aliased fields per operation.'),
    MAX_QUERY_COST: setting(whole(1, 100_000_000), 1_000, 'Largest estimated cost of an operation, about one per Horizon call it may make.', {
      more: "A router's `_entities` fetch of 100 players with profile, achievements and a leaderboard entry costs 300. The costs are the schema's `@cost` and `@listSize` (see [Hostile input](errors.md#hostile-input)).",
    }),
    MAX_QUERY_TOKENS: setting(whole(100, 10_000_000), 10_000, 'Largest operation document, in lexical tokens.'),
  }),
  ...section('auth', {
    AUTH_MODE: setting(
      oneOf(['jwt', 'none']),
      'jwt',
      '`jwt`: callers present a JWT; `none`: no caller checks (in production only with `ROUTER_SHARED_SECRET`).',
      {
        more: 'See [Auth model](auth.md).',
      },
    ),
    AUTH_JWKS_URL: optional(
      url(['https:'], 'must be an https:// URL (http:// only on localhost) without credentials', { loopbackHttp: true }),
      "JWKS of the callers' token issuer. Set this or `AUTH_HS256_SECRET`.",
      { more: 'With neither, outside production a demo secret is generated and a demo token printed; in production the process refuses to start.' },
    ),
    AUTH_HS256_SECRET: optional(
      text((v) => (v.length < 32 ? 'must be at least 32 characters (256 bits; e.g. `openssl rand -base64 48`)' : undefined), {
        secret: true,
        allowed: '32+ characters',
      }),
      "Shared HS256 secret of the callers' tokens. Never logged or echoed.",
    ),
    AUTH_ISSUER: optional(text(), "When set, the tokens' `iss` must equal it."),
    AUTH_AUDIENCE: setting(list(text()), [], "When set, the tokens' `aud` must contain one of them."),
    AUTH_CLOCK_TOLERANCE_SEC: setting(whole(0, 300, 's'), 5, 'Clock skew tolerated on `exp`/`nbf`.'),
    ROUTER_SHARED_SECRET: optional(
      text((v) => (v.length < 16 || /\s/.test(v) ? 'must be at least 16 characters without spaces (e.g. `openssl rand -hex 32`)' : undefined), {
        secret: true,
        allowed: '16+ characters, no spaces',
      }),
      'When set, every GraphQL request must carry it in the `x-router-secret` header, so only the router can call the subgraph. Never logged or echoed.',
    ),
    SDL_AUTH_DIRECTIVES: setting(
      oneOf(['publish', 'omit']),
      'publish',
      '`omit`: the SDL served for composition (`_service { sdl }`) leaves out `@authenticated`/`@requiresScopes`, for `@apollo/gateway`, which refuses supergraphs with them.',
      {
        more: 'This subgraph enforces the same scopes either way. Keep `publish` behind the GraphOS Router or Hive Gateway. See [Gateways](auth.md#gateways).',
      },
    ),
  }),
  ...section('webhooks', {
    WEBHOOK_PATH: setting(
      text((v) => (/^\/[A-Za-z0-9._~/-]*$/.test(v) ? undefined : 'must be a path like /webhooks/horizon'), { allowed: 'a path' }),
      '/webhooks/horizon',
      "Path of the webhook endpoint on the subgraph's port: `GET` for the verification handshake, `POST` for deliveries.",
    ),
    WEBHOOK_VERIFY_TOKEN: optional(
      text((v) => (v.length < 8 || /\s/.test(v) ? 'must be at least 8 characters without spaces' : undefined), {
        secret: true,
        allowed: '8+ characters, no spaces',
      }),
      'The Verify Token entered in the developer dashboard; without it every verification handshake is refused (403). Never logged.',
    ),
    WEBHOOK_SIGNATURE: setting(
      oneOf(['require', 'off']),
      'require',
      '`require`: deliveries without a valid `X-Hub-Signature-256` (HMAC-SHA256 of the body with the app secret) are refused; `off`: not checked.',
      { more: 'Horizon does not document its signature; see [Webhooks](webhooks.md#authenticity).' },
    ),
    WEBHOOK_SECRET: optional(text(undefined, { secret: true }), 'Key of the delivery signatures. Never logged.', {
      shown: '`HORIZON_APP_SECRET`',
    }),
    WEBHOOK_MAX_BODY_BYTES: setting(whole(1024, 16 * 1024 * 1024, 'bytes'), 256 * 1024, 'Largest delivery accepted (413 past it).'),
    WEBHOOK_RETENTION_DAYS: setting(whole(1, 3650, 'days'), 90, 'How long recorded events are kept (and duplicates recognised).', {
      more: 'In Redis when one is configured (`REDIS_URL`, `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS`), shared by every replica; otherwise in memory, at most 100 000 events, lost on restart.',
    }),
  }),
  ...section('observability', {
    LOG_LEVEL: setting(oneOf(LOG_LEVELS), 'info', 'How much is logged: JSON lines (pino) on stdout, secrets redacted.'),
    METRICS_ENABLED: setting(bool, true, 'Prometheus metrics at `/metrics`.', { more: 'See [Operating it](operating.md).' }),
    READINESS_UPSTREAM_MAX_AGE_MS: setting(
      ms(1_000, 3_600_000),
      30_000,
      '`/ready`: how long a successful upstream answer counts; older, `/ready` makes one cheap probe call first.',
    ),
    READINESS_REQUIRE_SHARED_STORE: setting(
      bool,
      false,
      '`/ready` answers 503 while the shared store (Redis) is down, instead of 200 with `sharedStore.state: "down"`.',
      { more: 'See [Readiness and the shared store](operating.md#readiness-and-the-shared-store).' },
    ),
    SHUTDOWN_GRACE_MS: setting(ms(0, 600_000), 20_000, 'After SIGTERM/SIGINT, how long operations in flight may take to finish before connections close.', {
      more: 'Give the container more than this before SIGKILL (`docker run --stop-timeout 30`).',
    }),
  }),
  ...section('tracing', {
    OTEL_TRACES_EXPORTER: setting(list(oneOf(['otlp', 'console', 'zipkin', 'none'])), [], 'Where traces go; blank or `none`: tracing off.'),
    OTEL_SDK_DISABLED: setting(bool, false, '`true` turns tracing off whatever else is set.'),
    OTEL_SERVICE_NAME: optional(text(), '`service.name` of the spans.', { shown: `\`${SERVICE_NAME}\``, example: SERVICE_NAME }),
    OTEL_RESOURCE_ATTRIBUTES: optional(text(), 'More resource attributes, as `k=v,k=v`.'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(httpUrl, 'Where OTLP goes.', { shown: '`http://localhost:4318` (`:4317` with grpc)' }),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(httpUrl, 'Where OTLP traces go, if not to `OTEL_EXPORTER_OTLP_ENDPOINT`.'),
    OTEL_EXPORTER_OTLP_PROTOCOL: setting(oneOf(OTLP_PROTOCOLS, { caseSensitive: true }), 'http/protobuf', 'How OTLP is sent.'),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optional(
      oneOf(OTLP_PROTOCOLS, { caseSensitive: true }),
      'How OTLP traces are sent, if not as `OTEL_EXPORTER_OTLP_PROTOCOL` says.',
    ),
    OTEL_TRACES_SAMPLER: setting(oneOf(SAMPLERS, { caseSensitive: true }), 'parentbased_always_on', "Sampling; by default the router's decision is followed."),
    OTEL_TRACES_SAMPLER_ARG: optional(text(undefined, { allowed: '0-1' }), 'The ratio of the `*traceidratio` samplers.'),
  }),
  ...section('attestation', {
    ATTESTATION_NONCE_TTL_MS: setting(ms(10_000, 3_600_000), 300_000, 'How long a challenge nonce from `issueAttestationChallenge` is accepted (5 min).', {
      more: 'Stored with the idempotency ledger: in memory, or in Redis shared by every replica when one is configured.',
    }),
    ATTESTATION_PACKAGE_IDS: setting(
      list(
        text((v) => (/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/.test(v) ? undefined : 'must be Android package names like com.example.game'), {
          allowed: 'package names',
        }),
      ),
      [],
      'Package names of your app: a verdict is trusted only for these (blank: the package is not checked).',
      { shown: "none (demo mode: the emulator's demo package)" },
    ),
    ATTESTATION_CERT_DIGESTS: setting(
      list(text((v) => (/^[0-9a-f]{64}$/i.test(v.replace(/:/g, '')) ? undefined : 'must be SHA-256 digests in hex'), { allowed: 'SHA-256 hex digests' })),
      [],
      "SHA-256 digests of your APK's signing certificates: one must match (blank: not checked).",
      { shown: "none (demo mode: the emulator's demo certificate)" },
    ),
    ATTESTATION_MIN_DEVICE_INTEGRITY: setting(
      oneOf(['advanced', 'basic']),
      'advanced',
      'The weakest device integrity a verdict trusts: `advanced` (no sign of compromise) or `basic` (locked bootloader, valid image).',
    ),
  }),
  ...section('emulator', {
    EMULATOR_PORT: setting(whole(0, 65_535), 4010, 'Port of the built-in emulator.'),
    EMULATOR_HOST: setting(text(), '127.0.0.1', 'Interface of the built-in emulator.'),
    EMULATOR_LATENCY_MS: setting(ms(0, 60_000), 0, 'Fixed delay the emulator adds to every call (to feel real latency).'),
    EMULATOR_WEBHOOK_URL: optional(httpUrl, 'Where the emulator posts its signed webhooks (purchases, consumptions, refunds, subscription changes).', {
      shown: "demo mode: the subgraph's own webhook endpoint; `npm run emulator`: none",
    }),
  }),
};

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
/** Every setting's value, parsed, defaults applied. */
export type Values = { [K in SettingName]: Settings[K]['default'] };
