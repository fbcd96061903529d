import { generateKeyPairSync, type KeyObject } from 'node:crypto';
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
    expect(config.warehouse).toEqual({
      type: 'duckdb',
      bronzeSchema: 'bronze',
      duckdb: { DUCKDB_PATH: 'warehouse.duckdb' },
    });
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

describe('bronze schema and Snowflake sign-in', () => {
  const snowflake = {
    ...lake,
    WAREHOUSE: 'snowflake',
    SNOWFLAKE_ACCOUNT: 'acme-eu1',
    SNOWFLAKE_USER: 'LOADER',
    SNOWFLAKE_DATABASE: 'SPOTIFY',
    SNOWFLAKE_WAREHOUSE: 'LOAD_WH',
  };
  // One 2048-bit key for every case: generating one costs seconds of CPU on a loaded machine.
  let keyPair: KeyObject | undefined;
  const rsa = (passphrase?: string) => {
    keyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const pem = keyPair.export(
      passphrase
        ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
        : { type: 'pkcs8', format: 'pem' },
    );
    return pem.toString();
  };

  it('takes BRONZE_SCHEMA for every warehouse, and refuses one that is not a plain identifier', () => {
    expect(loadLoaderConfig({ ...lake, BRONZE_SCHEMA: 'lake_bronze' }).warehouse.bronzeSchema).toBe(
      'lake_bronze',
    );
    for (const hostile of ['bronze; drop schema gold', 'x"y', '', '1abc', 'a'.repeat(64)])
      expect(() => loadLoaderConfig({ ...lake, BRONZE_SCHEMA: hostile })).toThrow(/BRONZE_SCHEMA/);
  });

  it('needs a password or a private key, and prefers the key', () => {
    expect(() => loadLoaderConfig(snowflake)).toThrow(
      /SNOWFLAKE_PRIVATE_KEY: or SNOWFLAKE_PASSWORD is required/,
    );
    const key = rsa();
    const config = loadLoaderConfig({ ...snowflake, SNOWFLAKE_PASSWORD: 'p', SNOWFLAKE_PRIVATE_KEY: key });
    expect(config.warehouse).toMatchObject({ snowflake: { SNOWFLAKE_PRIVATE_KEY: key } });
    expect(
      config.warehouse.type === 'snowflake' && config.warehouse.snowflake.SNOWFLAKE_PASSWORD,
    ).toBeUndefined();
  });

  it('says what is wrong with a private key without printing it', () => {
    const key = rsa('s3cret');
    const check = (env: Record<string, string>) => () => loadLoaderConfig({ ...snowflake, ...env });
    expect(check({ SNOWFLAKE_PRIVATE_KEY: key })).toThrow(
      /is encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE/,
    );
    expect(check({ SNOWFLAKE_PRIVATE_KEY: key, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'wrong' })).toThrow(
      /cannot be read/,
    );
    expect(
      loadLoaderConfig({
        ...snowflake,
        SNOWFLAKE_PRIVATE_KEY: key,
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 's3cret',
      }).warehouse.type,
    ).toBe('snowflake');
    const oneLine = rsa()
      .replace(/-----[A-Z ]+-----/g, '')
      .replaceAll('\n', '');
    expect(check({ SNOWFLAKE_PRIVATE_KEY: oneLine })).toThrow(/is not a PEM PKCS#8 private key/);
    try {
      check({ SNOWFLAKE_PRIVATE_KEY: oneLine })();
    } catch (err) {
      expect(String(err)).not.toContain(oneLine.slice(0, 40));
    }
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(check({ SNOWFLAKE_PRIVATE_KEY: ec })).toThrow(/is a ec key; Snowflake takes RSA keys/);
  });
});
