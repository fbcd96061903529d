// `npm run -w @spotify-pipeline/operator plan -- --users 5000000` or `... plan -- -f pipeline.yaml`:
// prints the capacity plan the operator would apply, and how each number was reached.
import { type CliSpec, ConfigError, numberOption, runCli } from '@spotify-pipeline/shared';
import { applyDefaults } from '../crd/defaults.js';
import type { JsonSchema } from '../crd/schema-builder.js';
import { type PipelineSpec, specNode } from '../crd/spotify-pipeline.js';
import { planCapacity, planInputFromSpec } from '../plan/capacity-plan.js';
import { readPipelineFile } from './pipeline-file.js';

export const planCli: CliSpec = {
  name: 'plan',
  usage: '--users N [options]  |  -f pipeline.yaml [--current-partitions N] [--json]',
  summary:
    'Prints the capacity plan the operator applies to a SpotifyPipeline (partitions, brokers, lake writers) and how each number was reached.',
  options: {
    file: {
      type: 'string',
      short: 'f',
      arg: 'FILE',
      help: 'plan this SpotifyPipeline (YAML or JSON), checked against the CRD',
    },
    users: { type: 'string', arg: 'N', help: 'monthly active listeners (spec.audience.users)' },
    'events-per-user': {
      type: 'string',
      arg: 'N',
      help: 'listening events per listener per day (default 80)',
    },
    'peak-factor': { type: 'string', arg: 'X', help: 'peak-hour rate / daily average rate (default 3)' },
    'event-bytes': { type: 'string', arg: 'N', help: 'average event size in bytes (default 480)' },
    'min-brokers': { type: 'string', arg: 'N', help: 'lowest broker count (Strimzi; default 3)' },
    'max-brokers': { type: 'string', arg: 'N', help: 'highest broker count (Strimzi; default 12)' },
    replicas: { type: 'string', arg: 'N', help: 'topic replication factor (default 3)' },
    external: { type: 'boolean', help: 'Kafka is managed elsewhere (no broker sizing)' },
    'current-partitions': {
      type: 'string',
      arg: 'N',
      help: 'partitions the topic has now (they never shrink)',
    },
    json: { type: 'boolean', help: 'print the figures as JSON' },
  },
  details: `With -f, every field is checked against the CRD's schema (types, bounds, patterns, unknown fields); the
CEL rules are the API server's: kubectl apply --dry-run=server -f FILE checks those too.`,
};

const SPEC_FLAGS = [
  'users',
  'events-per-user',
  'peak-factor',
  'event-bytes',
  'min-brokers',
  'max-brokers',
  'replicas',
  'external',
];

type Values = Record<string, string | boolean | undefined>;

/** The bounds of a spec field, as the CRD declares them. */
function bounds(path: string[]): { min: number; max: number; integer: boolean } {
  let node: JsonSchema | undefined = specNode.schema;
  for (const key of path) node = node?.properties?.[key];
  if (!node) throw new Error(`no field spec.${path.join('.')} in the CRD`);
  return {
    min: node.minimum ?? 0,
    max: node.maximum ?? Number.MAX_SAFE_INTEGER,
    integer: node.type === 'integer',
  };
}

function specFromFlags(values: Values): PipelineSpec {
  const num = (flag: string, path: string[]) => numberOption(values, flag, bounds(path));
  const users = num('users', ['audience', 'users']);
  if (users === undefined)
    throw new ConfigError('--users is required, e.g. plan --users 5000000 (or plan -f pipeline.yaml)');
  const replicas = num('replicas', ['kafka', 'topic', 'replicas']);
  return applyDefaults<PipelineSpec>(specNode.schema, {
    audience: {
      users,
      eventsPerUserPerDay: num('events-per-user', ['audience', 'eventsPerUserPerDay']),
      peakFactor: num('peak-factor', ['audience', 'peakFactor']),
      averageEventBytes: num('event-bytes', ['audience', 'averageEventBytes']),
    },
    kafka: values.external
      ? { mode: 'external', external: { bootstrapServers: 'unused:9092' }, topic: { replicas } }
      : {
          strimzi: {
            cluster: 'unused',
            minBrokers: num('min-brokers', ['kafka', 'strimzi', 'minBrokers']),
            maxBrokers: num('max-brokers', ['kafka', 'strimzi', 'maxBrokers']),
          },
          topic: { replicas },
        },
    lake: { endpoint: 'http://unused', bucket: 'unused', credentialsSecret: 'unused' },
  });
}

export function runPlan(values: Values): string {
  let spec: PipelineSpec;
  if (values.file !== undefined) {
    const mixed = SPEC_FLAGS.filter((flag) => values[flag] !== undefined);
    if (mixed.length > 0)
      throw new ConfigError(`-f takes the whole spec from the file: drop --${mixed.join(', --')} or drop -f`);
    spec = readPipelineFile(String(values.file)).spec;
  } else spec = specFromFlags(values);
  const current = numberOption(values, 'current-partitions', {
    min: 0,
    max: bounds(['kafka', 'topic', 'partitions']).max,
  });
  const plan = planCapacity(planInputFromSpec(spec), current ?? 0);
  if (values.json) {
    const { explanation: _, ...figures } = plan;
    return `${JSON.stringify(figures, null, 2)}\n`;
  }
  return [
    `partitions: ${plan.partitions}`,
    `brokers: ${plan.brokers || 'n/a (external)'}`,
    `lake writers: ${plan.lakeWriters.min}-${plan.lakeWriters.max}`,
    `peak events/s: ${plan.peakEventsPerSecond}`,
    '',
    'how:',
    ...plan.explanation.map((line) => `  - ${line}`),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(planCli, async (values) => {
    process.stdout.write(runPlan(values));
    return 0;
  });
}
