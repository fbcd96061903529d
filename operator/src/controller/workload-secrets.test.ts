import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { missingSecrets, secretFields } from './workload-secrets.js';

describe('missingSecrets', () => {
  const pipeline = testPipeline();
  const keys = (secrets: Record<string, string[]>) => async (name: string) =>
    secrets[name] ? new Set(secrets[name]) : null;

  it('names the missing Secret and the spec field that names it', async () => {
    const lines = await missingSecrets(
      pipeline,
      'the loader',
      [
        { name: 'SNOWFLAKE_USER', secret: 'snowflake-creds', key: 'SNOWFLAKE_USER' },
        { name: 'SNOWFLAKE_ROLE', secret: 'snowflake-creds', key: 'SNOWFLAKE_ROLE', optional: true },
      ],
      keys({}),
    );
    expect(lines).toEqual([
      'the loader reads Secret snowflake-creds (spec.warehouse.credentialsSecret), which does not exist: create it with SNOWFLAKE_USER',
    ]);
  });

  it('names the keys a Secret lacks, and has nothing to say when all are there or only optional ones lack', async () => {
    const refs = [
      { name: 'LAKE_ACCESS_KEY', secret: 'lake-creds', key: 'LAKE_ACCESS_KEY' },
      { name: 'LAKE_SECRET_KEY', secret: 'lake-creds', key: 'LAKE_SECRET_KEY' },
      { name: 'KAFKA_SASL_USERNAME', secret: 'kafka', key: 'KAFKA_SASL_USERNAME', optional: true },
    ];
    expect(
      await missingSecrets(pipeline, 'the lake writer', refs, keys({ 'lake-creds': ['LAKE_ACCESS_KEY'] })),
    ).toEqual([
      'the lake writer reads LAKE_SECRET_KEY from Secret lake-creds (spec.lake.credentialsSecret), which lacks them',
    ]);
    expect(
      await missingSecrets(
        pipeline,
        'the lake writer',
        refs,
        keys({ 'lake-creds': ['LAKE_ACCESS_KEY', 'LAKE_SECRET_KEY'] }),
      ),
    ).toEqual([]);
  });

  it('finds every field naming a Secret', () => {
    const p = testPipeline({ warehouse: { type: 'postgres', credentialsSecret: 'lake-creds' } });
    expect(secretFields(p, 'lake-creds')).toEqual([
      'spec.lake.credentialsSecret',
      'spec.warehouse.credentialsSecret',
    ]);
  });
});
