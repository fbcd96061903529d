import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';

/** Which spec field each env variable the operator builds comes from (`i`: the source's index). */
function fieldOf(pipeline: SpotifyPipeline, env: string): string | null {
  const fields: Record<string, string> = {
    KAFKA_BROKERS:
      pipeline.spec.kafka.mode === 'external'
        ? 'spec.kafka.external.bootstrapServers'
        : 'spec.kafka.strimzi.cluster',
    KAFKA_SSL: 'spec.kafka.external.tls',
    SOURCE_TOPIC: 'spec.kafka.topic.name',
    LAKE_WRITER_TOPIC: 'spec.kafka.topic.name',
    LAKE_WRITER_DLQ_TOPIC: 'spec.kafka.topic.name',
    LAKE_ENDPOINT: 'spec.lake.endpoint',
    LAKE_BUCKET: 'spec.lake.bucket',
    LAKE_REGION: 'spec.lake.region',
    LAKE_WRITER_FORMAT: 'spec.lakeWriter.format',
    LAKE_WRITER_BATCH_MAX_EVENTS: 'spec.lakeWriter.batch.maxEvents',
    LAKE_WRITER_BATCH_MAX_BYTES: 'spec.lakeWriter.batch.maxBytes',
    LAKE_WRITER_BATCH_MAX_AGE_MS: 'spec.lakeWriter.batch.maxAgeSeconds',
    SIMULATOR_RATE: 'spec.sources[i].eventsPerSecond',
    SIMULATOR_LISTENERS: 'spec.audience.users',
    SPOTIFY_POLLER_LISTENERS: 'spec.sources[i].spotifyApi.listeners',
    SPOTIFY_POLLER_INTERVAL_SECONDS: 'spec.sources[i].spotifyApi.intervalSeconds',
    HISTORY_IMPORT_PREFIX: 'spec.sources[i].historyImport.prefix',
    HISTORY_IMPORT_USER: 'spec.sources[i].historyImport.userId',
    WAREHOUSE: 'spec.warehouse.type',
    POSTGRES_DB: 'spec.warehouse.database',
    SNOWFLAKE_DATABASE: 'spec.warehouse.database',
    BRONZE_SCHEMA: 'spec.warehouse.schema',
  };
  return fields[env] ?? null;
}

/**
 * A workload's refusal ("spec.sources[1] (simulator): SIMULATOR_RATE: must be ...") with the spec field
 * each env variable comes from, so the message says what to fix in the resource.
 */
export function withSpecFields(pipeline: SpotifyPipeline, refusal: string): string {
  return refusal.replace(/\b([A-Z][A-Z0-9_]+):/g, (whole, env: string, offset: number) => {
    const field = fieldOf(pipeline, env);
    if (!field) return whole;
    const source = /spec\.sources\[(\d+)\]/.exec(refusal.slice(0, offset).split(';').pop() ?? '')?.[1];
    return `${env} (${source === undefined ? field : field.replace('[i]', `[${source}]`)}):`;
  });
}
