import { join } from 'node:path';
import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDbt } from '../src/dbt.js';
import { type GroundTruth, generateDataset, mergeTruth, writeLakeObjects } from './lake-dataset.js';
import { dbtEnv, lakeEnv, repoRoot, runCli, type WarehouseUnderTest } from './support.js';

const bucket = 'spotify-lake';

type Query = WarehouseUnderTest['query'];

export async function goldFigures(query: Query) {
  const byType = await query(
    'select event_type, cast(sum(events) as double precision) as n from gold.daily_event_counts group by 1',
  );
  const byListener = await query(
    'select user_id, cast(ms_played as double precision) as ms from gold.listener_wrapped',
  );
  const top = await query('select track_id from gold.track_stats order by chart_rank limit 10');
  return {
    eventsByType: Object.fromEntries(byType.map((r) => [r.event_type, r.n])),
    msPlayedByListener: Object.fromEntries(byListener.map((r) => [r.user_id, r.ms])),
    topTracks: top.map((r) => r.track_id),
  };
}

export function expectGoldEqualsTruth(gold: Awaited<ReturnType<typeof goldFigures>>, truth: GroundTruth) {
  expect(gold.eventsByType).toEqual(truth.eventsByType);
  expect(gold.msPlayedByListener).toEqual(truth.msPlayedByListener);
  expect(gold.topTracks).toEqual(truth.topTracks.slice(0, 10));
}

/**
 * The end-to-end scenario every warehouse must pass: lake with duplicates -> `batch` (load + dbt build) ->
 * gold equal to the ground truth; re-runs, late events, freshness, docs and a corrupted row.
 */
export function batchScenario(
  target: WarehouseUnderTest['target'],
  startWarehouse: () => Promise<WarehouseUnderTest>,
  /** Per test: fakesnow answers each statement far slower than a real warehouse. */
  timeoutMs = 180_000,
) {
  describe(`batch on ${target}: lake -> bronze -> silver -> gold`, () => {
    let s3: S3Instance;
    let env: NodeJS.ProcessEnv;
    let warehouse: WarehouseUnderTest;
    const first = generateDataset({ seed: 7, users: 40, sessionsPerUser: 3, playsPerSession: 8 });

    beforeAll(async () => {
      s3 = await startS3();
      const store = createObjectStore({ ...lakeEnv(s3, bucket) } as never);
      await ensureBucket(store, bucket);
      await writeLakeObjects(store, bucket, first.objects);
      warehouse = await startWarehouse();
      env = { ...lakeEnv(s3, bucket), ...dbtEnv(), WAREHOUSE: target, ...warehouse.env };
    }, 240_000);

    afterAll(async () => {
      await s3?.stop();
      await warehouse?.stop();
    }, timeoutMs);

    it(
      'loads every object once, dbt build passes, and gold equals the ground truth despite lake duplicates',
      async () => {
        const run = await runCli(['batch'], env);
        expect(run.output).toContain('batch succeeded');
        expect(run.code, run.output.slice(-4000)).toBe(0);

        const linesInLake = first.objects.reduce((n, o) => n + o.lines.length, 0);
        const [bronze] = await warehouse.query(
          `select cast((select count(*) from bronze.listening_events) as double precision) as event_rows,
              cast((select count(*) from bronze.catalog_artists) as double precision) as artist_rows,
              cast((select count(*) from bronze._load_manifest) as double precision) as objects`,
        );
        expect((bronze!.event_rows! as number) + (bronze!.artist_rows as number)).toBe(linesInLake);
        expect(bronze!.event_rows).toBeGreaterThan(first.truth.uniqueEvents); // the lake holds duplicates
        expect(bronze!.objects).toBe(first.objects.length);
        expectGoldEqualsTruth(await goldFigures(warehouse.query), first.truth);
        // Every copy silver dropped is counted in gold, none more.
        const [dropped] = await warehouse.query(
          'select cast(sum(duplicate_rows) as double precision) as n from gold.duplicate_event_counts',
        );
        expect(dropped!.n).toBe((bronze!.event_rows as number) - first.truth.uniqueEvents);
      },
      timeoutMs,
    );

    it(
      'a re-run loads nothing; late events and a redelivered object update gold incrementally and exactly',
      async () => {
        const again = await runCli(['load'], env);
        expect(again.code, again.output.slice(-4000)).toBe(0);
        expect(again.output).toContain('found 0 new objects');

        // Events from weeks ago arriving now, plus a copy of an already-loaded object under a new name.
        const late = generateDataset({
          seed: 8,
          users: 10,
          sessionsPerUser: 2,
          playsPerSession: 6,
          firstUser: 1000,
          firstOffset: 500_000,
          startMs: Date.UTC(2026, 8, 1),
          days: 5,
        });
        const redelivered = first.objects[3]!;
        const store = createObjectStore({ ...lakeEnv(s3, bucket) } as never);
        await writeLakeObjects(store, bucket, [
          ...late.objects,
          {
            key: redelivered.key.replace(/\+(\d+)-(\d+)\.jsonl\.gz$/, '+9$1-9$2.jsonl.gz'),
            lines: redelivered.lines,
          },
        ]);
        const run = await runCli(['batch'], env);
        expect(run.code, run.output.slice(-4000)).toBe(0);
        expect(run.output).toContain(`found ${late.objects.length + 1} new objects`);
        expectGoldEqualsTruth(await goldFigures(warehouse.query), mergeTruth(first.truth, late.truth));
        const [incremental] = await warehouse.query(
          `select cast(count(*) as double precision) as n from gold.fct_listening_events where event_date < date '2026-09-10'`,
        );
        expect(incremental!.n).toBe(late.truth.uniqueEvents);
      },
      timeoutMs,
    );

    it(
      'source freshness passes and dbt docs generate builds the catalog',
      async () => {
        const logger = createLogger({ name: 'test', level: 'silent' });
        const common = {
          bin: env.DBT_BIN!,
          projectDir: join(repoRoot, 'dbt'),
          targetPath: env.DBT_TARGET_PATH,
          logPath: env.DBT_LOG_PATH,
          target,
          env: { ...process.env, ...env },
          logger,
        };
        const freshness = await runDbt({ ...common, command: ['source', 'freshness'] });
        expect(freshness.exitCode).toBe(0);
        const docs = await runDbt({ ...common, command: ['docs', 'generate'] });
        expect(docs.exitCode).toBe(0);
      },
      timeoutMs,
    );

    it('a corrupted row makes the named test fail', async () => {
      // On DuckDB gold's fact is a view over silver: the duplicate goes into the table under it.
      const corrupted =
        target === 'duckdb' ? 'silver.stg_lake__listening_events' : 'gold.fct_listening_events';
      await warehouse.query(`insert into ${corrupted} select * from ${corrupted} order by event_id limit 1`);

      const result = await runDbt({
        bin: env.DBT_BIN!,
        command: ['test', '--select', 'fct_listening_events'],
        projectDir: join(repoRoot, 'dbt'),
        targetPath: env.DBT_TARGET_PATH,
        logPath: env.DBT_LOG_PATH,
        target,
        env: { ...process.env, ...env },
        logger: createLogger({ name: 'test', level: 'silent' }),
      });
      expect(result.exitCode).not.toBe(0);
      // The duplicate breaks the fact's key and, with it, the gold-vs-silver reconciliation.
      expect(result.failures.map((f) => f.node.split('.')[2]).sort()).toEqual([
        'assert_gold_events_reconcile_with_silver',
        'unique_fct_listening_events_event_id',
      ]);
      expect(result.statuses.pass).toBeGreaterThan(5);
    });
  });
}
