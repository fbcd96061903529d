import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { lakeWriterEnvSchema } from './lake-writer-env.js';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  LAKE_ENDPOINT: 'http://127.0.0.1:9000',
  LAKE_BUCKET: 'spotify-lake',
  LAKE_ACCESS_KEY: 'a',
  LAKE_SECRET_KEY: 'b',
};

describe('lakeWriterEnvSchema', () => {
  it('fills defaults from the contract', () => {
    const config = loadConfig(lakeWriterEnvSchema, base);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.LAKE_WRITER_TOPIC).toBe('listening-events');
    expect(config.LAKE_WRITER_DLQ_TOPIC).toBe('listening-events.dlq');
    expect(config.LAKE_WRITER_FORMAT).toBe('jsonl.gz');
    expect(config.LAKE_WRITER_BATCH_MAX_EVENTS).toBe(50_000);
    expect(config.LAKE_WRITER_BATCH_MAX_AGE_MS).toBe(60_000);
  });

  it('reads numbers from strings', () => {
    const config = loadConfig(lakeWriterEnvSchema, { ...base, LAKE_WRITER_BATCH_MAX_EVENTS: '1000' });
    expect(config.LAKE_WRITER_BATCH_MAX_EVENTS).toBe(1000);
  });

  it('names every bad variable in one message', () => {
    expect(() =>
      loadConfig(lakeWriterEnvSchema, {
        ...base,
        LAKE_SECRET_KEY: '',
        LAKE_WRITER_BATCH_MAX_EVENTS: '0',
        LAKE_WRITER_BATCH_MAX_BYTES: String(2 ** 30),
        LAKE_WRITER_GZIP_LEVEL: '12',
      }),
    ).toThrow(
      /LAKE_SECRET_KEY.*LAKE_WRITER_BATCH_MAX_EVENTS: must be at least 1.*LAKE_WRITER_BATCH_MAX_BYTES: must be at most.*LAKE_WRITER_GZIP_LEVEL/,
    );
  });

  it('accepts the two lake formats and nothing else', () => {
    expect(
      loadConfig(lakeWriterEnvSchema, { ...base, LAKE_WRITER_FORMAT: 'parquet' }).LAKE_WRITER_FORMAT,
    ).toBe('parquet');
    expect(() => loadConfig(lakeWriterEnvSchema, { ...base, LAKE_WRITER_FORMAT: 'csv' })).toThrow(
      /LAKE_WRITER_FORMAT/,
    );
  });
});
