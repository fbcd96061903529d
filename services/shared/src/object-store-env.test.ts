import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { objectStoreEnvSchema } from './object-store.js';

const lake = { LAKE_BUCKET: 'lake', LAKE_ACCESS_KEY: 'made-up', LAKE_SECRET_KEY: 'made-up-too' };

describe('the lake settings', () => {
  it('says a missing LAKE_ENDPOINT is required, and a wrong one must be a URL', () => {
    expect(() => loadConfig(objectStoreEnvSchema, lake)).toThrow(
      /LAKE_ENDPOINT: is required: the URL of the S3/,
    );
    expect(() => loadConfig(objectStoreEnvSchema, { ...lake, LAKE_ENDPOINT: 'the minio service' })).toThrow(
      /LAKE_ENDPOINT: must be a URL such as http:\/\/minio.minio:9000/,
    );
    expect(() => loadConfig(objectStoreEnvSchema, lake)).toThrow(ConfigError);
    expect(loadConfig(objectStoreEnvSchema, { ...lake, LAKE_ENDPOINT: 'http://s3:9000' }).LAKE_ENDPOINT).toBe(
      'http://s3:9000',
    );
  });
});
