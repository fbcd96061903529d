import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface OperatorMetrics {
  reconciles: Counter<'result'>;
  errors: Counter<'kind'>;
  duration: Histogram<never>;
  queueDepth: Gauge<never>;
  retries: Counter<never>;
  leader: Gauge<never>;
  statusWrites: Counter<'skipped'>;
}

export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const registers = [registry];
  return {
    reconciles: new Counter({
      name: 'spotify_pipeline_operator_reconcile_total',
      help: 'Reconciles by result (success, requeue, error).',
      labelNames: ['result'],
      registers,
    }),
    errors: new Counter({
      name: 'spotify_pipeline_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were retried with backoff, by error kind.',
      labelNames: ['kind'],
      registers,
    }),
    duration: new Histogram({
      name: 'spotify_pipeline_operator_reconcile_duration_seconds',
      help: 'Time of one reconcile of one pipeline.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'spotify_pipeline_operator_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      registers,
    }),
    retries: new Counter({
      name: 'spotify_pipeline_operator_workqueue_retries_total',
      help: 'Keys requeued with backoff after a failure.',
      registers,
    }),
    leader: new Gauge({
      name: 'spotify_pipeline_operator_leader',
      help: '1 while this replica holds the leader Lease.',
      registers,
    }),
    statusWrites: new Counter({
      name: 'spotify_pipeline_operator_status_writes_total',
      help: 'Status writes, and writes skipped because nothing changed.',
      labelNames: ['skipped'],
      registers,
    }),
  };
}
