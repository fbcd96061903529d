import { Counter, Histogram, type Registry } from 'prom-client';

export interface PublisherMetrics {
  produced: Counter<'topic'>;
  failed: Counter<'topic'>;
  deadLettered: Counter<'source'>;
  batchSeconds: Histogram;
}

/** Registers the publisher's metrics once per registry, so several publishers in one process share them. */
export function publisherMetrics(registry: Registry): PublisherMetrics {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    produced:
      existing<Counter<'topic'>>('publisher_records_produced_total') ??
      new Counter({
        name: 'publisher_records_produced_total',
        help: 'Records the broker acknowledged (acks=all), per topic.',
        labelNames: ['topic'],
        registers: [registry],
      }),
    failed:
      existing<Counter<'topic'>>('publisher_records_failed_total') ??
      new Counter({
        name: 'publisher_records_failed_total',
        help: 'Records in send attempts that failed; retriable failures are retried with the same sequence numbers.',
        labelNames: ['topic'],
        registers: [registry],
      }),
    deadLettered:
      existing<Counter<'source'>>('publisher_records_dead_lettered_total') ??
      new Counter({
        name: 'publisher_records_dead_lettered_total',
        help: 'Records rejected by the contract and sent to the dead-letter topic.',
        labelNames: ['source'],
        registers: [registry],
      }),
    batchSeconds:
      existing<Histogram>('publisher_batch_duration_seconds') ??
      new Histogram({
        name: 'publisher_batch_duration_seconds',
        help: 'Time from handing a batch to the producer until the broker acknowledged all of it.',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  };
}
