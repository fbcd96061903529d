import { type FlagTable, type SimulatorEnv, SOURCE_TOPIC_FLAGS } from '@spotify-pipeline/shared/workloads';

/** Each flag sets one variable of `simulatorEnvSchema`; the schema alone holds the defaults and limits. */
export const SIMULATOR_FLAGS: FlagTable = {
  command: {
    name: 'spotify-simulator',
    usage: '[options]',
    summary: 'Realistic, deterministic listening events into Kafka or a JSONL file.',
    details: `Kafka connection: KAFKA_BROKERS (required for Kafka output), KAFKA_CLIENT_ID, KAFKA_SSL,
KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD. Lake (for --ground-truth-prefix):
LAKE_ENDPOINT, LAKE_BUCKET, LAKE_REGION, LAKE_ACCESS_KEY, LAKE_SECRET_KEY. Logs go to stderr: readable on a
terminal, JSON otherwise (LOG_FORMAT=json|pretty).`,
  },
  flags: {
    mode: {
      type: 'string',
      env: 'SIMULATOR_MODE',
      arg: 'backfill|realtime',
      help: 'backfill simulates --days of event time as fast as possible (default); realtime emits events as their time (now) comes, at --rate',
    },
    seed: {
      type: 'string',
      env: 'SIMULATOR_SEED',
      arg: 'N',
      help: '0..4294967295: the world, i.e. catalog and audience (default 1)',
    },
    'run-id': {
      type: 'string',
      env: 'SIMULATOR_RUN_ID',
      arg: 'ID',
      help: 'names this run: sessions and event ids come from (seed, run id, start), so the same seed, run id and settings give byte-identical backfills (default: a new random id per start, so replicas and restarts never repeat an id)',
    },
    listeners: {
      type: 'string',
      env: 'SIMULATOR_LISTENERS',
      arg: 'N',
      help: 'audience size; listeners are derived from (seed, index), not stored (default 10000)',
    },
    artists: {
      type: 'string',
      env: 'SIMULATOR_ARTISTS',
      arg: 'N',
      help: 'catalog size in artists, about 20 tracks each (default 2000)',
    },
    start: {
      type: 'string',
      env: 'SIMULATOR_START',
      arg: 'DATE',
      help: 'backfill: first instant, e.g. 2026-01-01 or 2026-01-01T06:00:00Z (default 2026-01-01)',
    },
    days: {
      type: 'string',
      env: 'SIMULATOR_DAYS',
      arg: 'N',
      help: 'backfill: days of event time (default 1)',
    },
    'events-per-listener-day': {
      type: 'string',
      env: 'SIMULATOR_EVENTS_PER_LISTENER_DAY',
      arg: 'N',
      help: 'backfill: mean events per listener per day (default 80)',
    },
    rate: {
      type: 'string',
      env: 'SIMULATOR_RATE',
      arg: 'N',
      help: 'mean events/s of event time; realtime default 1000, backfill default listeners x events-per-listener-day / 86400',
    },
    'max-events': { type: 'string', env: 'SIMULATOR_MAX_EVENTS', arg: 'N', help: 'stop after N events' },
    seconds: { type: 'string', env: 'SIMULATOR_SECONDS', arg: 'N', help: 'realtime: stop after N seconds' },
    out: {
      type: 'string',
      env: 'SIMULATOR_OUT',
      arg: 'PATH',
      help: "write JSON Lines to PATH ('-' for stdout) instead of Kafka",
    },
    'dry-run': {
      type: 'boolean',
      env: 'SIMULATOR_DRY_RUN',
      value: 'true',
      help: 'generate and count only, write nothing',
    },
    'catalog-out': {
      type: 'string',
      env: 'SIMULATOR_CATALOG_OUT',
      arg: 'DIR',
      help: 'also write artists.jsonl, albums.jsonl, tracks.jsonl to DIR',
    },
    'catalog-csv': {
      type: 'string',
      env: 'SIMULATOR_CATALOG_CSV',
      arg: 'PATH',
      help: 'draw listening from the tracks in this CSV (columns track_id, track_name, artists, duration_ms; album_name, popularity, track_genre if present) instead of a generated catalog',
    },
    'catalog-only': {
      type: 'boolean',
      env: 'SIMULATOR_CATALOG_ONLY',
      value: 'true',
      help: 'publish the catalog to its topics (and write it to --catalog-out) and stop, with no events: the catalog import',
    },
    summary: {
      type: 'string',
      env: 'SIMULATOR_SUMMARY',
      arg: 'PATH',
      help: 'write the ground-truth summary (events per type and day, ms played per listener, top tracks) as JSON',
    },
    'ground-truth-prefix': {
      type: 'string',
      env: 'SIMULATOR_GROUND_TRUTH_PREFIX',
      arg: 'PREFIX',
      help: 'when the run ends, write the ground-truth summary to the lake as PREFIX<run id>.json (needs LAKE_*)',
    },
    'no-catalog': {
      type: 'boolean',
      env: 'SIMULATOR_CATALOG',
      value: 'false',
      help: 'Kafka: do not publish the catalog to the compacted catalog topics',
    },
    ...SOURCE_TOPIC_FLAGS,
    producers: {
      type: 'string',
      env: 'SIMULATOR_PRODUCERS',
      arg: 'N',
      help: 'idempotent producers, each user pinned to one (default 2)',
    },
    'progress-seconds': {
      type: 'string',
      env: 'SIMULATOR_PROGRESS_SECONDS',
      arg: 'N',
      help: 'seconds between progress lines on stderr (default 5)',
    },
    'metrics-port': {
      type: 'string',
      env: 'OPS_PORT',
      arg: 'N',
      help: 'serve /metrics, /healthz, /readyz on this port',
    },
  },
};

/** What a run needs, named for the code that runs it; every value comes from the env schema as parsed. */
export interface SimulatorOptions {
  mode: SimulatorEnv['SIMULATOR_MODE'];
  seed: number;
  runId: string;
  listeners: number;
  artists: number;
  start: number;
  days: number;
  eventsPerListenerDay: number;
  rate: number | undefined;
  maxEvents: number | undefined;
  seconds: number | undefined;
  catalogOut: string | undefined;
  /** Read the catalog from this tracks CSV instead of generating one. */
  catalogCsv: string | undefined;
  catalogOnly: boolean;
  summary: string | undefined;
  /** Tally the ground truth (for `summary` or the lake); costs memory per listener. */
  recordGroundTruth: boolean;
  noCatalog: boolean;
  progressSeconds: number;
}

export function simulatorOptions(config: SimulatorEnv): SimulatorOptions {
  return {
    mode: config.SIMULATOR_MODE,
    seed: config.SIMULATOR_SEED,
    runId: config.SIMULATOR_RUN_ID,
    listeners: config.SIMULATOR_LISTENERS,
    artists: config.SIMULATOR_ARTISTS,
    start: config.SIMULATOR_START,
    days: config.SIMULATOR_DAYS,
    eventsPerListenerDay: config.SIMULATOR_EVENTS_PER_LISTENER_DAY,
    rate: config.SIMULATOR_RATE,
    maxEvents: config.SIMULATOR_MAX_EVENTS,
    seconds: config.SIMULATOR_SECONDS,
    catalogOut: config.SIMULATOR_CATALOG_OUT,
    catalogCsv: config.SIMULATOR_CATALOG_CSV,
    catalogOnly: config.SIMULATOR_CATALOG_ONLY,
    summary: config.SIMULATOR_SUMMARY,
    recordGroundTruth:
      config.SIMULATOR_SUMMARY !== undefined || config.SIMULATOR_GROUND_TRUTH_PREFIX !== undefined,
    noCatalog: !config.SIMULATOR_CATALOG,
    progressSeconds: config.SIMULATOR_PROGRESS_SECONDS,
  };
}
