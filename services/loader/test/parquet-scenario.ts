import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { encodeParquet } from '@spotify-pipeline/lake-writer/encode-parquet';
import { parseBronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGoldEqualsTruth, goldFigures } from './batch-scenario.js';
import { generateDataset, gzipLines } from './lake-dataset.js';
import { dbtEnv, lakeEnv, runCli, type WarehouseUnderTest } from './support.js';

const bucket = 'parquet-lake';

/**
 * The batch scenario's first lake with its listening events written by the lake writer's own Parquet encoder
 * (the catalog stays JSON Lines: the writer encodes only events as Parquet): `batch` gives the gold the JSON
 * Lines lake gives, i.e. the ground truth, with every Parquet row in bronze once.
 */
export function parquetScenario(
  target: WarehouseUnderTest['target'],
  startWarehouse: () => Promise<WarehouseUnderTest>,
  timeoutMs = 600_000,
) {
  describe(`a Parquet lake on ${target}`, () => {
    let s3: S3Instance;
    let warehouse: WarehouseUnderTest;
    const dataset = generateDataset({ seed: 7, users: 40, sessionsPerUser: 3, playsPerSession: 8 });

    beforeAll(async () => {
      s3 = await startS3();
      const store = createObjectStore({ ...lakeEnv(s3, bucket) } as never);
      await ensureBucket(store, bucket);
      for (const { key, lines } of dataset.objects) {
        const parsed = parseBronzeObjectKey(key)!;
        if (parsed.topic !== 'listening-events') await store.putObject(bucket, key, gzipLines(lines));
        else
          await store.putObject(
            bucket,
            key.replace(/\.jsonl\.gz$/, '.parquet'),
            encodeParquet({
              date: parsed.date,
              hour: parsed.hour,
              lines,
              offsets: lines.map((_, i) => String(BigInt(parsed.firstOffset) + BigInt(i))),
              bytes: 0,
              firstOffset: parsed.firstOffset,
              lastOffset: parsed.lastOffset,
            }),
          );
      }
      warehouse = await startWarehouse();
    }, 240_000);

    afterAll(async () => {
      await s3?.stop();
      await warehouse?.stop();
    });

    it(
      'loads every Parquet row once and gold equals the ground truth',
      async () => {
        const env = { ...lakeEnv(s3, bucket), ...dbtEnv(), WAREHOUSE: target, ...warehouse.env };
        const run = await runCli(['batch'], env);
        expect(run.code, run.output.slice(-4000)).toBe(0);
        expect(run.output).not.toContain('not a contract-named bronze object');
        const [bronze] = await warehouse.query(
          `select cast(count(*) as double precision) as n,
                  cast(count(distinct _object_key) as double precision) as objects
           from bronze.listening_events where _object_key like '%.parquet'`,
        );
        const events = dataset.objects.filter((o) => o.key.startsWith('bronze/listening-events/'));
        expect(bronze).toEqual({
          n: events.reduce((sum, o) => sum + o.lines.length, 0),
          objects: events.length,
        });
        expectGoldEqualsTruth(await goldFigures(warehouse.query), dataset.truth);
      },
      timeoutMs,
    );
  });
}
