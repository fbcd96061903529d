import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { insightsEnvSchema } from './insights-env.js';

describe('insightsEnvSchema', () => {
  it('defaults to DuckDB, no Kafka, and the documented limits', () => {
    const config = loadConfig(insightsEnvSchema, { DUCKDB_PATH: '/data/insights.duckdb' });
    expect(config.warehouse).toEqual({
      type: 'duckdb',
      bronzeSchema: 'bronze',
      duckdb: { DUCKDB_PATH: '/data/insights.duckdb' },
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config).toMatchObject({
      INSIGHTS_PORT: 8080,
      INSIGHTS_QUERY_TIMEOUT_MS: 5000,
      INSIGHTS_CACHE_SECONDS: 30,
      INSIGHTS_DUCKDB_MEMORY_LIMIT: '1GB',
    });
  });

  it('names every missing PostgreSQL setting, and the Secret for the password', () => {
    expect(() => loadConfig(insightsEnvSchema, { WAREHOUSE: 'postgres', POSTGRES_HOST: 'db' })).toThrow(
      /POSTGRES_USER: is required for WAREHOUSE=postgres.*POSTGRES_PASSWORD: is required for WAREHOUSE=postgres: mount it from the warehouse credentials Secret.*POSTGRES_DB/s,
    );
  });

  it('takes an optional Kafka connection for the lake writer lag', () => {
    const config = loadConfig(insightsEnvSchema, { KAFKA_BROKERS: 'a:9092, b:9092' });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
  });

  it('refuses settings that cannot work', () => {
    expect(() => loadConfig(insightsEnvSchema, { INSIGHTS_DUCKDB_MEMORY_LIMIT: 'lots' })).toThrow(
      /INSIGHTS_DUCKDB_MEMORY_LIMIT: must be a size such as 512MB/,
    );
    expect(() => loadConfig(insightsEnvSchema, { INSIGHTS_QUERY_TIMEOUT_MS: '0' })).toThrow(
      /INSIGHTS_QUERY_TIMEOUT_MS/,
    );
    expect(() => loadConfig(insightsEnvSchema, { WAREHOUSE: 'bigquery' })).toThrow(/WAREHOUSE/);
  });
});
