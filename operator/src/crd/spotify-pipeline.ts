// The SpotifyPipeline custom resource: this file is the single source of truth. `npm run generate` writes
// the CRD yaml from it (manifests/ and the Helm chart), and the operator's types are inferred from it.
import { CATALOG_TOPICS, DEVICE_TYPES } from '@spotify-pipeline/shared';
import { type Infer, type JsonSchema, s } from './schema-builder.js';

export const GROUP = 'pipeline.spotify-pipeline.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'SpotifyPipeline';
export const PLURAL = 'spotifypipelines';
const SHORT_NAME = 'spl';
/** The longest pipeline name whose children's names Kubernetes accepts (`<name>-transform`, a CronJob: 52). */
const MAX_NAME_LENGTH = 42;
/**
 * The longest events topic whose derived topics (`<name>.dlq`, `<name>.catalog.artists`, ...) still fit
 * Kafka's 249 characters: 233.
 */
const MAX_TOPIC_NAME_LENGTH = 249 - Math.max('.dlq'.length, ...CATALOG_TOPICS.map((t) => `.${t}`.length));

const quantity = '^[0-9]+(\\.[0-9]+)?([KMGT]i?)?$';

// Cron fields as Kubernetes' CronJob parser takes them, value ranges included (minute 0-59, hour 0-23, day
// 1-31, month 1-12 or JAN-DEC, weekday 0-6 or SUN-SAT): lists, ranges and steps of 1-99. What a regular
// expression cannot see (a range that runs backwards, a date that never comes) the operator's own cron
// parser reports (builders/cron-schedule.ts).
const cronItems = (value: string, question = false) => {
  const item = `(\\*|(${value})(-(${value}))?)(/[1-9][0-9]?)?`;
  return `(${question ? '\\?|' : ''}${item}(,${item})*)`;
};
const MINUTE = '[0-5]?[0-9]';
const HOUR = '[01]?[0-9]|2[0-3]';
const DAY = '0?[1-9]|[12][0-9]|3[01]';
// Names in either case, spelled out (RE2 and JavaScript share no inline case-insensitive flag before Node 23).
const names = (...words: string[]) =>
  words.map((w) => [...w].map((c) => `[${c}${c.toLowerCase()}]`).join('')).join('|');
const MONTH = `0?[1-9]|1[0-2]|${names('JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC')}`;
const WEEKDAY = `[0-6]|${names('SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT')}`;
export const CRON_PATTERN = `^(@(yearly|annually|monthly|weekly|daily|hourly)|${cronItems(MINUTE)}\\s+${cronItems(HOUR)}\\s+${cronItems(DAY, true)}\\s+${cronItems(MONTH)}\\s+${cronItems(WEEKDAY, true)})$`;
const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const dnsSubdomain = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
const cron = (what: string, fallback: string) =>
  s.withDefault(
    s.string({
      description: `Cron schedule of the ${what} job (5 fields, or @hourly/@daily/...).`,
      maxLength: 100,
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${CRON_PATTERN.replaceAll('\\', '\\\\')}')`,
          message: `must be a cron schedule with 5 fields in range (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6) such as "*/15 * * * *", or @hourly/@daily/@weekly/@monthly/@yearly`,
        },
      ],
    }),
    fallback,
  );

const secretName = (what: string) =>
  s.string({
    description: `Name of a Secret in the pipeline's namespace holding ${what}.`,
    minLength: 1,
    maxLength: 253,
  });

const audience = s.object(
  {
    users: s.required(
      s.integer({
        description: 'Monthly active listeners to plan for.',
        minimum: 1,
        maximum: 10_000_000_000,
      }),
    ),
    eventsPerUserPerDay: s.withDefault(
      s.integer({
        description: 'Average listening events per listener per day.',
        minimum: 1,
        maximum: 100000,
      }),
      80,
    ),
    peakFactor: s.withDefault(
      s.number({
        description: 'Peak-hour rate divided by the daily average rate.',
        minimum: 1,
        maximum: 100,
      }),
      3,
    ),
    averageEventBytes: s.withDefault(
      s.integer({ description: 'Average serialized event size in bytes.', minimum: 64, maximum: 1048576 }),
      480,
    ),
  },
  { description: 'Who listens: the capacity plan is computed from these numbers.' },
);

const capacity = s.object(
  {
    eventsPerSecondPerPartition: s.withDefault(
      s.integer({
        description: 'Sustained events/s one partition (and one consumer) handles.',
        minimum: 1,
        maximum: 10_000_000,
      }),
      2000,
    ),
    eventsPerSecondPerLakeWriter: s.withDefault(
      s.integer({
        description: 'Sustained events/s one lake-writer replica writes.',
        minimum: 1,
        maximum: 10_000_000,
      }),
      20000,
    ),
    bytesPerSecondPerBroker: s.withDefault(
      s.integer({
        description: 'Sustained produce bytes/s one broker takes, before replication.',
        minimum: 1,
        maximum: 10_737_418_240,
      }),
      20971520,
    ),
    headroom: s.withDefault(
      s.number({ description: 'Multiplier applied on top of the peak rate.', minimum: 1, maximum: 10 }),
      1.5,
    ),
  },
  { description: 'Per-unit capacities the planner divides the peak rate by.' },
);

const listener = s.object(
  {
    port: s.withDefault(
      s.integer({
        description:
          "Port of the Kafka cluster's internal listener the pipeline connects to (the listener's port in the Kafka resource).",
        minimum: 9092,
        maximum: 65535,
      }),
      9092,
    ),
    tls: s.withDefault(
      s.boolean({
        description:
          "The listener encrypts (tls: true in the Kafka resource); clients trust Strimzi's cluster CA (<cluster>-cluster-ca-cert).",
      }),
      false,
    ),
    authentication: s.withDefault(
      s.enumOf(['none', 'tls', 'scram-sha-512'] as const, {
        description:
          "The listener's authentication. tls or scram-sha-512: the operator creates a KafkaUser per workload (least ACLs; the Kafka resource needs authorization type simple) and the workloads read the Secret Strimzi's User Operator writes for it.",
      }),
      'none',
    ),
  },
  {
    description: 'The Strimzi listener the workloads connect to.',
    'x-kubernetes-validations': [
      {
        rule: "self.authentication != 'tls' || self.tls",
        message: 'authentication tls (mutual TLS) needs a TLS listener: set tls: true',
      },
    ],
  },
);

const strimzi = s.object(
  {
    cluster: s.required(
      s.string({
        description: 'Name of the Strimzi Kafka cluster (label strimzi.io/cluster).',
        minLength: 1,
        maxLength: 63,
        pattern: dnsLabel,
      }),
    ),
    namespace: s.string({
      description: "Namespace of the Kafka cluster; defaults to the pipeline's namespace.",
      minLength: 1,
      maxLength: 63,
      pattern: dnsLabel,
    }),
    brokerPool: s.withDefault(
      s.string({
        description: 'KafkaNodePool holding the broker role (pipelines naming one pool share it).',
        minLength: 1,
        maxLength: 253,
        pattern: dnsSubdomain,
      }),
      'brokers',
    ),
    minBrokers: s.withDefault(
      s.integer({ description: 'Lowest broker count the plan may set.', minimum: 1, maximum: 100 }),
      3,
    ),
    maxBrokers: s.withDefault(
      s.integer({ description: 'Highest broker count the plan may set.', minimum: 1, maximum: 100 }),
      12,
    ),
    // A CEL rule sees a default as written, before its fields are defaulted: spelled out in full.
    listener: s.withDefault(listener, { port: 9092, tls: false, authentication: 'none' }),
  },
  {
    description:
      'Strimzi mode: the operator manages a KafkaTopic, the broker node pool size and KafkaRebalances.',
    'x-kubernetes-validations': [
      {
        rule: 'self.minBrokers <= self.maxBrokers',
        message: 'minBrokers must be less than or equal to maxBrokers',
      },
      {
        rule: "!has(self.namespace) || (!self.listener.tls && self.listener.authentication == 'none')",
        message:
          "namespace cannot be set with listener.tls or listener.authentication: Strimzi writes the cluster CA and the users' Secrets in the Kafka cluster's namespace and a pod reads Secrets only from its own; create the pipeline in the Kafka cluster's namespace",
      },
    ],
  },
);

const external = s.object(
  {
    bootstrapServers: s.required(
      s.string({
        description: 'Comma-separated host:port list of the managed Kafka cluster.',
        minLength: 1,
        maxLength: 2048,
        pattern: '^[A-Za-z0-9.-]+:[0-9]{1,5}( *, *[A-Za-z0-9.-]+:[0-9]{1,5})*$',
      }),
    ),
    credentialsSecret: secretName(
      'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD (optional)',
    ),
    tls: s.withDefault(s.boolean({ description: 'Connect with TLS.' }), false),
  },
  {
    description: 'External mode: the topic is managed through the Kafka admin API (e.g. a managed cluster).',
  },
);

const topic = s.object(
  {
    name: s.withDefault(
      s.string({
        description:
          'Topic of listening events (its dead-letter topic is <name>.dlq, its compacted catalog topics <name>.catalog.artists, <name>.catalog.albums and <name>.catalog.tracks). A Kafka topic name short enough for those to fit 249 characters; the KafkaTopic resource gets a valid Kubernetes name from it.',
        minLength: 1,
        // Kafka's own limit; the rule below holds it to 233 with the reason (the API server checks no rule of a
        // value over maxLength, so maxLength 233 would only say "Too long").
        maxLength: 249,
        pattern: '^[a-zA-Z0-9._-]+$',
        'x-kubernetes-validations': [
          { rule: "self != '.' && self != '..'", message: 'a Kafka topic cannot be named . or ..' },
          {
            rule: `size(self) <= ${MAX_TOPIC_NAME_LENGTH}`,
            message: `must be at most ${MAX_TOPIC_NAME_LENGTH} characters: the catalog topic <name>.catalog.artists must fit Kafka's 249`,
          },
        ],
      }),
      'listening-events',
    ),
    partitions: s.integer({
      description: 'Partition count; leave unset to take it from the capacity plan. May only grow.',
      minimum: 1,
      maximum: 10000,
      'x-kubernetes-validations': [
        {
          rule: 'self >= oldSelf',
          message: 'partitions may only grow: Kafka cannot remove partitions from a topic',
        },
      ],
    }),
    replicas: s.withDefault(s.integer({ description: 'Replication factor.', minimum: 1, maximum: 10 }), 3),
    retentionHours: s.withDefault(
      s.integer({ description: 'Retention of the topic in hours.', minimum: 1, maximum: 876_000 }),
      168,
    ),
  },
  {
    description: 'The listening-events topic.',
    'x-kubernetes-validations': [
      {
        rule: '!has(oldSelf.partitions) || has(self.partitions)',
        message: 'partitions cannot be unset once set; raise it or keep it',
      },
    ],
  },
);

const kafka = s.object(
  {
    mode: s.withDefault(
      s.enumOf(['strimzi', 'external'] as const, { description: 'Who runs Kafka.' }),
      'strimzi',
    ),
    strimzi,
    external,
    topic: s.withDefault(topic, {} as Infer<typeof topic>),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "self.mode != 'strimzi' || has(self.strimzi)",
        message: 'spec.kafka.strimzi is required when mode is strimzi',
      },
      {
        rule: "self.mode != 'external' || has(self.external)",
        message: 'spec.kafka.external is required when mode is external',
      },
    ],
  },
);

const spotifyListener = s.object({
  userId: s.required(
    s.string({ description: 'Spotify user id; user_id of the events.', minLength: 1, maxLength: 256 }),
  ),
  tokenKey: s.string({
    description: "Key of this listener's refresh token in tokenSecret; defaults to userId.",
    pattern: '^[-._a-zA-Z0-9]{1,253}$',
  }),
  country: s.string({
    description:
      'Assigned ISO-3166-1 alpha-2 country of the events (the API does not say); default unknown (null).',
    pattern: '^[A-Z]{2}$',
  }),
  device: s.enumOf(DEVICE_TYPES, {
    description: 'Device type of the events (the API does not say); default mobile.',
  }),
});

const spotifyApi = s.object(
  {
    tokenSecret: s.required(secretName("the listeners' refresh tokens, one key per listener")),
    listeners: s.required(
      s.array(spotifyListener, { description: 'Listeners to poll.', minItems: 1, maxItems: 500 }),
    ),
    intervalSeconds: s.withDefault(
      s.integer({ description: 'Seconds between polls.', minimum: 10, maximum: 86400 }),
      60,
    ),
  },
  { description: 'The Spotify poller: whose recently-played tracks to read. Cursors are kept in the lake.' },
);

const historyImport = s.object(
  {
    prefix: s.required(
      s.string({
        description:
          'Prefix in the lake bucket where Streaming_History_Audio_*.json files of a Spotify export are uploaded, e.g. imports/alice/.',
        pattern: "^[a-zA-Z0-9!_.*'()/ -]{1,512}$",
      }),
    ),
    userId: s.string({
      description: "user_id for every event; default: each row's username.",
      minLength: 1,
      maxLength: 256,
    }),
    includeIncognito: s.withDefault(
      s.boolean({ description: 'Also import private-session plays (Wrapped leaves them out).' }),
      false,
    ),
  },
  { description: 'The streaming-history import: a Job over the export files under a prefix of the lake.' },
);

const simulator = s.object(
  {
    groundTruth: s.withDefault(
      s.boolean({
        description:
          "Each run writes what it published (events per type, day and listener) to the lake as ground-truth/simulator/<namespace>/<name>/<run id>.json when it stops, to check the pipeline end to end. Costs 8 bytes per listener and the simulator gets the lake's credentials.",
      }),
      false,
    ),
  },
  { description: 'Simulator settings.' },
);

const source = s.object(
  {
    type: s.required(
      s.enumOf(['simulator', 'spotify_api', 'history_import'] as const, { description: 'Kind of source.' }),
    ),
    eventsPerSecond: s.withDefault(
      s.integer({ description: 'Target produce rate (simulator).', minimum: 1, maximum: 1_000_000 }),
      1000,
    ),
    replicas: s.withDefault(
      s.integer({
        description:
          'Replicas of the source Deployment (simulator: any; spotify_api: 0 or 1; not for history_import).',
        minimum: 0,
        maximum: 100,
      }),
      1,
    ),
    credentialsSecret: secretName('SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (spotify_api)'),
    spotifyApi,
    historyImport,
    simulator,
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "self.type != 'spotify_api' || (has(self.spotifyApi) && has(self.credentialsSecret))",
        message: 'a spotify_api source needs spotifyApi (tokenSecret, listeners) and credentialsSecret',
      },
      {
        rule: "self.type != 'spotify_api' || self.replicas <= 1",
        message: 'a spotify_api source runs at most 1 replica: two pollers would read every listener twice',
      },
      {
        rule: "self.type != 'history_import' || has(self.historyImport)",
        message: 'a history_import source needs historyImport.prefix',
      },
      {
        rule: "!has(self.spotifyApi) || self.type == 'spotify_api'",
        message: 'spotifyApi is only for a spotify_api source',
      },
      {
        rule: "!has(self.historyImport) || self.type == 'history_import'",
        message: 'historyImport is only for a history_import source',
      },
      {
        rule: "!has(self.simulator) || self.type == 'simulator'",
        message: 'simulator is only for a simulator source',
      },
    ],
  },
);

const batch = s.object({
  maxEvents: s.withDefault(
    s.integer({ description: 'Flush after this many events.', minimum: 1, maximum: 10_000_000 }),
    50000,
  ),
  maxBytes: s.withDefault(
    s.string({
      description: 'Flush after this many uncompressed bytes (e.g. 64Mi).',
      pattern: quantity,
      maxLength: 16,
    }),
    '64Mi',
  ),
  maxAgeSeconds: s.withDefault(
    s.integer({ description: 'Flush a batch at most this old.', minimum: 1, maximum: 86_400 }),
    60,
  ),
});

const lakeWriter = s.object(
  {
    autoscaler: s.withDefault(
      s.enumOf(['hpa', 'keda', 'none'] as const, {
        description:
          'Who scales lake writers: keda on consumer lag (lagThreshold), hpa on their CPU use (70% of the request; needs metrics-server), none.',
      }),
      'keda',
    ),
    minReplicas: s.withDefault(
      s.integer({ description: 'Fewest lake writers.', minimum: 0, maximum: 10_000 }),
      1,
    ),
    maxReplicas: s.integer({
      description: 'Most lake writers; unset = the plan (never above the partitions).',
      minimum: 1,
      maximum: 10_000,
    }),
    lagThreshold: s.withDefault(
      s.integer({
        description: 'Consumer lag per replica that triggers scaling.',
        minimum: 1,
        maximum: 1_000_000_000,
      }),
      50000,
    ),
    scaleDownStabilizationSeconds: s.withDefault(
      s.integer({
        description:
          'Seconds the lag must stay low before lake writers are removed (the autoscaler keeps the highest count it computed in this window).',
        minimum: 0,
        maximum: 3600,
      }),
      300,
    ),
    batch: s.withDefault(batch, {} as Infer<typeof batch>),
    format: s.withDefault(
      s.enumOf(['jsonl.gz', 'parquet'] as const, { description: 'Lake file format.' }),
      'jsonl.gz',
    ),
    resources: s.object({
      cpu: s.withDefault(
        s.string({
          description:
            'CPU request; no CPU limit is set, so a writer may use idle CPU (the hpa autoscaler scales on use against this request).',
          pattern: '^[0-9]+(\\.[0-9]+)?m?$',
          maxLength: 16,
        }),
        '500m',
      ),
      memory: s.withDefault(
        s.string({ description: 'Memory request and limit.', pattern: quantity, maxLength: 16 }),
        '512Mi',
      ),
    }),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
        message: 'minReplicas must be less than or equal to maxReplicas',
      },
    ],
  },
);

const lake = s.object({
  endpoint: s.required(
    s.string({
      description:
        'S3 endpoint URL, e.g. http://minio.minio:9000 (scheme, host and port; no path, query or credentials).',
      maxLength: 2048,
      pattern: '^https?://',
      'x-kubernetes-validations': [
        {
          rule: "isURL(self) && url(self).getHostname() != '' && url(self).getEscapedPath() in ['', '/'] && size(url(self).getQuery()) == 0 && !self.contains('@')",
          message:
            'must be an http(s) URL of scheme, host and port only, such as http://minio.minio:9000 (credentials go in credentialsSecret)',
        },
      ],
    }),
  ),
  bucket: s.required(
    s.string({ description: 'Bucket of the lake.', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
  ),
  region: s.withDefault(s.string({ description: 'Bucket region.', maxLength: 64 }), 'us-east-1'),
  credentialsSecret: s.required(secretName('LAKE_ACCESS_KEY and LAKE_SECRET_KEY')),
  retentionDays: s.withDefault(
    s.integer({ description: 'Expire bronze objects after this many days.', minimum: 1, maximum: 36_500 }),
    30,
  ),
  versioning: s.withDefault(s.boolean({ description: 'Enable bucket versioning.' }), true),
});

/** The DuckDB volume's size when the resource names none (`warehouse.duckdb` is optional). */
export const DUCKDB_DEFAULT_STORAGE = '10Gi';

const duckdb = s.object(
  {
    storage: s.withDefault(
      s.string({
        description:
          'Size of the volume holding the DuckDB file and its gold snapshot (e.g. 20Gi). May only grow.',
        pattern: '^[0-9]+(\\.[0-9]+)?([KMGTP]i|[kMGTP])?$',
        maxLength: 16,
        'x-kubernetes-validations': [
          {
            rule: 'quantity(self).compareTo(quantity(oldSelf)) >= 0',
            message: 'storage may only grow: a PersistentVolumeClaim cannot shrink',
          },
        ],
      }),
      DUCKDB_DEFAULT_STORAGE,
    ),
    storageClassName: s.string({
      description:
        "StorageClass of the volume; unset = the cluster's default. Fixed once set (a claim's class cannot change).",
      minLength: 1,
      maxLength: 253,
      pattern: dnsSubdomain,
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'storageClassName cannot change once set' },
      ],
    }),
  },
  {
    description:
      'DuckDB on Kubernetes: the operator creates a ReadWriteOnce PersistentVolumeClaim <name>-duckdb for the DuckDB file, mounted by the transform job and the insights service. Single node, single writer.',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.storageClassName) == has(oldSelf.storageClassName)',
        message: 'storageClassName cannot be set or unset once the volume exists',
      },
    ],
  },
);

const warehouse = s.object(
  {
    type: s.required(
      s.enumOf(['snowflake', 'postgres', 'duckdb'] as const, { description: 'Warehouse engine.' }),
    ),
    credentialsSecret: secretName('the warehouse credentials'),
    database: s.string({ description: 'Database name.', minLength: 1, maxLength: 255 }),
    schema: s.withDefault(
      s.string({
        description:
          'Schema the loader writes bronze into and dbt reads it from (unquoted in every warehouse, so any case).',
        pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$',
      }),
      'BRONZE',
    ),
    duckdb,
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "self.type == 'duckdb' || !has(self.duckdb)",
        message: 'warehouse.duckdb is only for a duckdb warehouse',
      },
    ],
  },
);

const insights = s.object(
  {
    enabled: s.withDefault(
      s.boolean({
        description: 'Deploy the insights service (API and dashboard over gold) and its Service.',
      }),
      false,
    ),
    replicas: s.withDefault(
      s.integer({ description: 'Replicas of the insights service.', minimum: 1, maximum: 20 }),
      1,
    ),
    credentialsSecret: secretName(
      'read-only warehouse credentials for the insights service (same keys as warehouse.credentialsSecret); default: warehouse.credentialsSecret',
    ),
    cacheSeconds: s.withDefault(
      s.integer({
        description: 'Seconds an answer is reused (a new gold build turns it over at once).',
        minimum: 0,
        maximum: 3600,
      }),
      30,
    ),
    resources: s.object({
      cpu: s.withDefault(
        s.string({ description: 'CPU request.', pattern: '^[0-9]+(\\.[0-9]+)?m?$', maxLength: 16 }),
        '250m',
      ),
      memory: s.withDefault(
        s.string({ description: 'Memory request and limit.', pattern: quantity, maxLength: 16 }),
        '512Mi',
      ),
    }),
  },
  { description: 'The insights service: the HTTP API and dashboard over the gold tables of the warehouse.' },
);

const schedule = s.object({
  orchestrator: s.withDefault(
    s.enumOf(['cronjob', 'airflow'] as const, { description: 'Who runs load and transform.' }),
    'cronjob',
  ),
  load: cron('warehouse load', '*/15 * * * *'),
  transform: cron('dbt transform', '5 * * * *'),
  suspend: s.withDefault(s.boolean({ description: 'Suspend the scheduled jobs.' }), false),
});

export const specNode = s.object(
  {
    audience: s.required(audience),
    capacity: s.withDefault(capacity, {} as Infer<typeof capacity>),
    kafka: s.required(kafka),
    sources: s.withDefault(
      s.array(source, { maxItems: 8, description: 'Event sources (one Deployment each).' }),
      [],
    ),
    lakeWriter: s.withDefault(lakeWriter, {} as Infer<typeof lakeWriter>),
    lake: s.required(lake),
    warehouse,
    insights: s.withDefault(insights, {} as Infer<typeof insights>),
    schedule: s.withDefault(schedule, {} as Infer<typeof schedule>),
    deletionPolicy: s.withDefault(
      s.enumOf(['Retain', 'Delete'] as const, {
        description: 'On delete: Retain keeps topics and lake data; Delete removes them.',
      }),
      'Retain',
    ),
  },
  {
    description: 'Desired state of one listening-events pipeline.',
    'x-kubernetes-validations': [
      {
        rule: "self.lakeWriter.autoscaler == 'none' || self.lakeWriter.minReplicas >= 1",
        message: 'lakeWriter.minReplicas must be at least 1 when an autoscaler is set',
      },
      {
        rule: "!has(self.warehouse) || self.warehouse.type == 'duckdb' || has(self.warehouse.credentialsSecret)",
        message: 'warehouse.credentialsSecret is required for snowflake and postgres',
      },
      {
        rule: '!self.insights.enabled || has(self.warehouse)',
        message: 'insights.enabled needs a warehouse: the insights service reads its gold tables',
      },
      {
        rule: "!self.insights.enabled || !has(self.warehouse) || self.warehouse.type != 'duckdb' || self.insights.replicas == 1",
        message:
          'insights.replicas must be 1 with a duckdb warehouse: the DuckDB volume is ReadWriteOnce and attaches to one node (use postgres or snowflake for more replicas)',
      },
      {
        rule: "!self.insights.enabled || !has(self.warehouse) || self.warehouse.type != 'duckdb' || !has(self.insights.credentialsSecret)",
        message:
          'insights.credentialsSecret is for postgres and snowflake: with duckdb the insights service reads the gold snapshot on the volume',
      },
    ],
  },
);

export type PipelineSpec = Infer<typeof specNode>;
export type SourceSpec = PipelineSpec['sources'][number];

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface CapacityPlanStatus {
  partitions: number;
  brokers: number;
  lakeWriters: { min: number; max: number };
  peakEventsPerSecond: number;
}

/** The lake writers' autoscaler as last seen (its HPA's status). */
export interface LakeWriterScaling {
  autoscaler: 'keda' | 'hpa';
  current: number;
  desired: number;
  /** Consumer lag of the lake writers' group, as the autoscaler's metric reports it. */
  lag?: number;
  lastScaleTime?: string;
}

export interface PipelineStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  plan?: CapacityPlanStatus;
  lakeWriters?: string;
  brokers?: number;
  topic?: { name: string; partitions: number };
  strimziApiVersion?: string;
  lakeWriterScaling?: LakeWriterScaling;
  lake?: { bucket: string; versioning: string; lifecycle: string };
  /** What this pipeline owns alone (topics, lake prefixes): see controller/claims.ts. */
  claims?: string[];
  warehouse?: WarehouseStatus;
}

/** The warehouse as deployed; for DuckDB its volume and what one file on one volume allows. */
export interface WarehouseStatus {
  type: 'duckdb' | 'postgres' | 'snowflake';
  /** DuckDB: the PersistentVolumeClaim holding the file, and its phase as last seen. */
  volume?: string;
  volumePhase?: string;
  /** DuckDB: SingleNode (a ReadWriteOnce volume) and SingleWriter (one job writes at a time). */
  topology?: string;
}

const conditionSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string', maxLength: 316 },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', minimum: 0 },
  },
};

const statusSchema: JsonSchema = {
  type: 'object',
  description: 'Observed state, written by the operator only.',
  properties: {
    observedGeneration: { type: 'integer' },
    conditions: {
      type: 'array',
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    plan: {
      type: 'object',
      properties: {
        partitions: { type: 'integer' },
        brokers: { type: 'integer' },
        lakeWriters: { type: 'object', properties: { min: { type: 'integer' }, max: { type: 'integer' } } },
        peakEventsPerSecond: { type: 'integer' },
      },
    },
    lakeWriters: { type: 'string', description: 'Lake-writer replica range, min-max.' },
    brokers: { type: 'integer', description: 'Broker count set on the node pool.' },
    topic: { type: 'object', properties: { name: { type: 'string' }, partitions: { type: 'integer' } } },
    lakeWriterScaling: {
      type: 'object',
      description: "The lake writers' autoscaler as last seen: current and desired writers, consumer lag.",
      properties: {
        autoscaler: { type: 'string' },
        current: { type: 'integer' },
        desired: { type: 'integer' },
        lag: { type: 'integer' },
        lastScaleTime: { type: 'string' },
      },
    },
    strimziApiVersion: {
      type: 'string',
      description:
        'The kafka.strimzi.io version the operator writes: v1, or v1beta2 where nothing newer is served.',
    },
    lake: {
      type: 'object',
      properties: {
        bucket: { type: 'string' },
        versioning: { type: 'string' },
        lifecycle: { type: 'string' },
      },
    },
    warehouse: {
      type: 'object',
      description:
        'The warehouse as deployed. DuckDB: its volume, and topology "SingleNode,SingleWriter": the file is on a ReadWriteOnce volume (its pods run on one node) and one job at a time writes it.',
      properties: {
        type: { type: 'string' },
        volume: { type: 'string' },
        volumePhase: { type: 'string' },
        topology: { type: 'string' },
      },
    },
    claims: {
      type: 'array',
      description:
        'Topics and lake prefixes this pipeline owns alone; another pipeline naming them is refused.',
      items: { type: 'string', maxLength: 2400 },
      maxItems: 64,
      'x-kubernetes-list-type': 'set',
    },
  },
};

export interface SpotifyPipeline {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: PipelineSpec;
  status?: PipelineStatus;
}

export function buildCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: 'spotifypipeline',
        shortNames: [SHORT_NAME],
        categories: ['spotify-pipeline'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
            { name: 'Partitions', type: 'integer', jsonPath: '.status.plan.partitions' },
            { name: 'Lake writers', type: 'string', jsonPath: '.status.lakeWriters' },
            { name: 'Brokers', type: 'integer', jsonPath: '.status.brokers' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            {
              name: 'Message',
              type: 'string',
              priority: 1,
              jsonPath: '.status.conditions[?(@.type=="Ready")].message',
            },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'SpotifyPipeline describes one listening-events pipeline: Kafka topic, sources, lake writers, lake and schedules.',
              required: ['spec'],
              'x-kubernetes-validations': [
                {
                  rule: `size(self.metadata.name) <= ${MAX_NAME_LENGTH}`,
                  message: `metadata.name must be at most ${MAX_NAME_LENGTH} characters: the transform CronJob is named <name>-transform and a CronJob name may have at most 52`,
                },
              ],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specNode.schema,
                status: statusSchema,
              },
            },
          },
        },
      ],
    },
  };
}
