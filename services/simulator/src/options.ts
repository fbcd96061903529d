import { parseArgs } from 'node:util';
import { ConfigError, formatIssues } from '@spotify-pipeline/shared';
import { z } from 'zod';

export const HELP = `spotify-simulator: realistic, deterministic listening events into Kafka or a JSONL file.

Usage: spotify-simulator [options]

Modes
  --mode backfill|realtime      backfill simulates --days of event time as fast as possible (default);
                                realtime emits events as their event time (now) comes, at --rate
  --seed N                      0..4294967295; same seed and settings give byte-identical events (default 1)
  --listeners N                 audience size; listeners are derived from (seed, index), not stored (default 10000)
  --artists N                   catalog size in artists (about 20 tracks each) (default 2000)
  --start DATE                  backfill: first instant, e.g. 2026-01-01 or 2026-01-01T06:00:00Z (default 2026-01-01)
  --days N                      backfill: days of event time, fractions allowed (default 1)
  --events-per-listener-day N   backfill: mean events per listener per day (default 80)
  --rate N                      mean events/s of event time; realtime default 1000, backfill default
                                listeners x events-per-listener-day / 86400
  --max-events N                stop after N events
  --seconds N                   realtime: stop after N seconds

Output (default: Kafka at $KAFKA_BROKERS, topics from the contract)
  --out PATH                    write JSON Lines to PATH instead ('-' for stdout); no Kafka needed
  --dry-run                     generate and count only, write nothing
  --catalog-out DIR             also write artists.jsonl, albums.jsonl, tracks.jsonl to DIR
  --summary PATH                write the ground-truth summary (events per type and day, ms played per
                                listener, top tracks) as JSON; costs 8 bytes per listener
  --no-catalog                  Kafka: do not publish the catalog to the compacted catalog topics
  --create-topics               Kafka: create missing contract topics first (local runs)
  --partitions N                partitions for --create-topics (default 6)
  --topic-prefix P              prefix for every topic name (default none)
  --producers N                 idempotent producers, each user pinned to one (default 2)
  --progress-seconds N          seconds between progress lines on stderr (default 5)
  --metrics-port N              serve /metrics, /healthz, /readyz on this port
  -h, --help                    show this help

Kafka connection: KAFKA_BROKERS (required for Kafka output), KAFKA_CLIENT_ID, KAFKA_SSL,
KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD. Logs are JSON on stderr.
`;

const positive = z.coerce.number().positive();
const count = z.coerce.number().int().positive();

const startDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z)?$/,
    'must be a UTC date such as 2026-01-01 or 2026-01-01T06:00:00Z',
  )
  .transform((s) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((ms) => !Number.isNaN(ms), 'is not a real date');

export const simulatorOptionsSchema = z
  .object({
    mode: z.enum(['backfill', 'realtime']).default('backfill'),
    seed: z.coerce.number().int().min(0).max(0xffff_ffff).default(1),
    listeners: count.max(1_000_000_000).default(10_000),
    artists: count.max(200_000).default(2000),
    start: startDate.default(Date.UTC(2026, 0, 1)),
    days: positive.default(1),
    eventsPerListenerDay: positive.default(80),
    rate: positive.optional(),
    maxEvents: count.optional(),
    seconds: positive.optional(),
    out: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
    catalogOut: z.string().min(1).optional(),
    summary: z.string().min(1).optional(),
    noCatalog: z.boolean().default(false),
    createTopics: z.boolean().default(false),
    partitions: count.default(6),
    topicPrefix: z.string().default(''),
    producers: count.max(16).default(2),
    progressSeconds: positive.default(5),
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
  })
  .strict()
  .refine((o) => !(o.out && o.dryRun), { message: '--out and --dry-run exclude each other', path: ['out'] });

export type SimulatorOptions = z.infer<typeof simulatorOptionsSchema>;

const FLAGS = {
  mode: 'string',
  seed: 'string',
  listeners: 'string',
  artists: 'string',
  start: 'string',
  days: 'string',
  'events-per-listener-day': 'string',
  rate: 'string',
  'max-events': 'string',
  seconds: 'string',
  out: 'string',
  'dry-run': 'boolean',
  'catalog-out': 'string',
  summary: 'string',
  'no-catalog': 'boolean',
  'create-topics': 'boolean',
  partitions: 'string',
  'topic-prefix': 'string',
  producers: 'string',
  'progress-seconds': 'string',
  'metrics-port': 'string',
  help: 'boolean',
} as const;

/** Parses argv into validated options, or returns 'help'. Throws ConfigError with every problem listed. */
export function parseSimulatorArgs(argv: string[]): SimulatorOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.fromEntries(
      Object.entries(FLAGS).map(([name, type]) => [name, { type }]),
    );
    options.help = { type: 'boolean', short: 'h' };
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; see --help`);
  }
  if (values.help) return 'help';
  const camel = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
  const result = simulatorOptionsSchema.safeParse(camel);
  if (!result.success) {
    const message = formatIssues(result.error, 10).replace(
      /(^|; )([a-zA-Z]+)/g,
      (_, sep: string, key: string) => {
        return `${sep}--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      },
    );
    throw new ConfigError(`invalid options: ${message}; see --help`);
  }
  return result.data;
}
