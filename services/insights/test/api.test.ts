import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiContext, groundTruthChecks } from './api-checks.js';
import { GroundTruth } from './ground-truth.js';
import { injectionChecks } from './injection-checks.js';
import { type PipelineLake, runPipelineToLake } from './pipeline.js';
import {
  duckdbWarehouse,
  type GoldWarehouse,
  loadAndBuild,
  postgresWarehouse,
  startInsights,
} from './warehouses.js';

// One run of the real stages fills the lake; the same lake is loaded into DuckDB and into PostgreSQL, and the
// API over each must return exactly the figures computed from the events that reached Kafka.
describe('the insights API over gold filled by simulator -> Kafka -> lake writer -> loader -> dbt', () => {
  let lake: PipelineLake;
  let truth: GroundTruth;

  beforeAll(async () => {
    lake = await runPipelineToLake({ listeners: 40, days: 3, start: '2026-01-30', seed: 11 });
    truth = new GroundTruth(lake.events, lake.artists);
  }, 600_000);
  afterAll(async () => {
    await lake?.stop();
  });

  for (const [target, start] of [
    ['duckdb', () => duckdbWarehouse(lake)],
    ['postgres', () => postgresWarehouse()],
  ] as const) {
    describe(`on ${target}`, () => {
      let warehouse: GoldWarehouse;
      const ctx = {} as ApiContext;

      beforeAll(async () => {
        warehouse = await start();
        await loadAndBuild(lake, warehouse.loaderEnv, target);
        const insights = await startInsights(warehouse.insightsEnv);
        Object.assign(ctx, {
          url: insights.url,
          reader: insights.reader,
          truth,
          lake,
          close: insights.close,
        });
      }, 600_000);
      afterAll(async () => {
        await ctx.close?.();
        await warehouse?.stop();
      });

      it('has gold to read', () => {
        expect(truth.events.length).toBeGreaterThan(5000);
        expect(new Set(truth.events.map((e) => e.date)).size).toBeGreaterThanOrEqual(3);
      });
      groundTruthChecks(ctx);
      injectionChecks(ctx);
    });
  }
});
