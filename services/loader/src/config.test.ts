import { ConfigError } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { loadLoaderConfig } from './config.js';

const lake = {
  LAKE_ENDPOINT: 'http://127.0.0.1:9000',
  LAKE_BUCKET: 'spotify-lake',
  LAKE_ACCESS_KEY: 'a',
  LAKE_SECRET_KEY: 'b',
};

describe('loadLoaderConfig', () => {
  it('defaults to DuckDB and every contract topic except the dead-letter one', () => {
    const config = loadLoaderConfig(lake);
    expect(config.warehouse).toEqual({ type: 'duckdb', duckdb: { DUCKDB_PATH: 'warehouse.duckdb' } });
    expect(config.LOADER_TOPICS).toEqual([
      'listening-events',
      'catalog.artists',
      'catalog.albums',
      'catalog.tracks',
    ]);
    expect(config.LOADER_BATCH_FILES).toBe(8);
  });

  it('names every missing PostgreSQL setting in one error', () => {
    expect(() => loadLoaderConfig({ ...lake, WAREHOUSE: 'postgres', POSTGRES_HOST: 'db' })).toThrow(
      ConfigError,
    );
    expect(() => loadLoaderConfig({ ...lake, WAREHOUSE: 'postgres', POSTGRES_HOST: 'db' })).toThrow(
      /POSTGRES_USER.*POSTGRES_PASSWORD.*POSTGRES_DB|POSTGRES_USER[\s\S]*POSTGRES_DB/,
    );
  });

  it('reads PostgreSQL settings with a numeric port', () => {
    const config = loadLoaderConfig({
      ...lake,
      WAREHOUSE: 'postgres',
      POSTGRES_HOST: 'db',
      POSTGRES_PORT: '6543',
      POSTGRES_USER: 'u',
      POSTGRES_PASSWORD: 'p',
      POSTGRES_DB: 'd',
    });
    expect(config.warehouse.type === 'postgres' && config.warehouse.postgres.POSTGRES_PORT).toBe(6543);
  });

  it('rejects an unknown warehouse and a bad batch size', () => {
    expect(() => loadLoaderConfig({ ...lake, WAREHOUSE: 'bigquery' })).toThrow(/WAREHOUSE/);
    expect(() => loadLoaderConfig({ ...lake, LOADER_BATCH_FILES: '0' })).toThrow(/LOADER_BATCH_FILES/);
  });
});
