// `npm run -w @spotify-pipeline/operator plan -- --users 5000000 [--events-per-user 80] [--peak-factor 3] ...`
// Prints the capacity plan and how each number was reached.
import { parseArgs } from 'node:util';
import { applyDefaults } from '../crd/defaults.js';
import { type PipelineSpec, specNode } from '../crd/spotify-pipeline.js';
import { planCapacity, planInputFromSpec } from '../plan/capacity-plan.js';

const options = {
  users: { type: 'string' },
  'events-per-user': { type: 'string' },
  'peak-factor': { type: 'string' },
  'event-bytes': { type: 'string' },
  'current-partitions': { type: 'string' },
  'min-brokers': { type: 'string' },
  'max-brokers': { type: 'string' },
  replicas: { type: 'string' },
  external: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function runPlan(argv: string[]): string {
  const { values } = parseArgs({ args: argv, options, strict: true });
  const num = (name: keyof typeof options): number | undefined => {
    const raw = values[name];
    if (raw === undefined || typeof raw === 'boolean') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return n;
  };
  const users = num('users');
  if (users === undefined) throw new Error('--users is required, e.g. plan --users 5000000');
  const spec = applyDefaults<PipelineSpec>(specNode.schema, {
    audience: {
      users,
      eventsPerUserPerDay: num('events-per-user'),
      peakFactor: num('peak-factor'),
      averageEventBytes: num('event-bytes'),
    },
    kafka: values.external
      ? {
          mode: 'external',
          external: { bootstrapServers: 'unused:9092' },
          topic: { replicas: num('replicas') },
        }
      : {
          strimzi: { cluster: 'unused', minBrokers: num('min-brokers'), maxBrokers: num('max-brokers') },
          topic: { replicas: num('replicas') },
        },
    lake: { endpoint: 'http://unused', bucket: 'unused', credentialsSecret: 'unused' },
  });
  const plan = planCapacity(planInputFromSpec(spec), num('current-partitions') ?? 0);
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
  try {
    process.stdout.write(runPlan(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`plan: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
