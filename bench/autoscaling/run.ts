/**
 * Autoscaling benchmark: a pipeline with `autoscaler: keda` on the single-node test cluster (KEDA's operator
 * and metrics API server in pods, lake writers in pods) under a burst of events produced as fast as one
 * producer can. Figures: time from the burst's start to the first added writer, to the lag drained and back
 * to one writer; events/s the lake writers committed with 1 writer vs N writers, in the same run.
 * Writes bench/results/autoscaling.json.   Run: npm run bench -- autoscaling   (BENCH_EVENTS overrides the burst)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchMachine, repoRoot } from '@spotify-pipeline/harness';
import {
  applyPipeline,
  consumeRate,
  lakeCounts,
  PARTITIONS,
  runBurst,
  startBurstEnvironment,
  waitUntilSteady,
} from '../../e2e/keda-burst.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const LAG_THRESHOLD = 5000;
const log = (line: string) => console.log(`[bench autoscaling] ${line}`);

const env = await startBurstEnvironment(log);
try {
  await applyPipeline(env, { lagThreshold: LAG_THRESHOLD, autoscaler: 'keda' });
  await waitUntilSteady(env, 'keda');
  const burst = await runBurst(env, { events: EVENTS, timeoutMs: 900_000, log });
  const lake = await lakeCounts(env);
  const n = burst.maxReplicas;
  const one = consumeRate(burst.samples, (ready) => ready === 1);
  const many = consumeRate(burst.samples, (ready) => ready === n);
  const seconds = (ms: number | undefined) => (ms === undefined ? null : Number((ms / 1000).toFixed(1)));
  const figures = [
    {
      name: `time from the start of a burst of ${EVENTS.toLocaleString('en-US')} events to the autoscaler's first added lake writer (spec.replicas > 1)`,
      value: seconds(burst.firstAddedWriterMs),
      unit: 's',
    },
    {
      name: 'time from the start of the burst to the first added lake writer running (ready)',
      value: seconds(burst.firstReadyAddedWriterMs),
      unit: 's',
    },
    {
      name: 'time from the start of the burst to the lag drained (every event committed)',
      value: seconds(burst.drainedMs),
      unit: 's',
    },
    {
      name: 'time from the start of the burst back to one lake writer (scale-down window 30 s)',
      value: seconds(burst.backToOneMs),
      unit: 's',
    },
    {
      name: 'time to produce the burst (one kafkajs producer, acks=all)',
      value: seconds(burst.producedAt),
      unit: 's',
    },
    {
      name: `most lake writers at once (partitions: ${PARTITIONS}, lagThreshold ${LAG_THRESHOLD})`,
      value: n,
      unit: 'writers',
    },
    {
      name: `events/s committed with ${n} lake writers`,
      value: many === undefined ? null : Math.round(many),
      unit: 'events/s',
      reference: 'events/s committed with 1 lake writer, same burst, same run',
      reference_value: one === undefined ? null : Math.round(one),
      ratio: one && many ? Number((many / one).toFixed(2)) : null,
    },
    { name: 'distinct events in the lake afterwards (the burst)', value: lake.distinct, unit: 'events' },
    {
      name: 'rows in the lake afterwards (rows beyond the distinct events are re-written after a rebalance)',
      value: lake.rows,
      unit: 'rows',
    },
  ];
  const result = {
    benchmark: 'autoscaling',
    date: new Date().toISOString(),
    machine: benchMachine(
      `single-node cluster (control plane, kubelet, KEDA, lake-writer pods), Kafka, S3 server and producer on the same machine; lake writers request 100m CPU each (a request: no CPU limit is set)`,
    ),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/autoscaling.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const f of figures) log(`${f.name}: ${f.value} ${f.unit}`);
} finally {
  await env.stop();
}
