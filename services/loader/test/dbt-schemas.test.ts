import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentPaths } from '@spotify-pipeline/harness';
import { createLogger } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { runDbt } from '../src/dbt.js';
import { repoRoot } from './support.js';

interface Manifest {
  nodes: Record<string, { resource_type: string; name: string; schema: string }>;
  sources: Record<string, { name: string; schema: string }>;
}

/** The schema dbt gives each model and source with these settings (dbt parse: no warehouse needed). */
async function schemas(env: Record<string, string>) {
  const work = mkdtempSync(join(tmpdir(), 'sp-dbt-schemas-'));
  const result = await runDbt({
    bin: componentPaths().dbt,
    command: ['parse'],
    projectDir: join(repoRoot, 'dbt'),
    targetPath: join(work, 'target'),
    logPath: join(work, 'logs'),
    target: 'duckdb',
    env: { ...process.env, DUCKDB_PATH: join(work, 'w.duckdb'), ...env },
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  expect(result.exitCode).toBe(0);
  const manifest = JSON.parse(readFileSync(join(work, 'target/manifest.json'), 'utf8')) as Manifest;
  const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model');
  const of = (name: string) => models.find((m) => m.name === name)?.schema;
  return {
    staging: of('stg_lake__listening_events'),
    gold: of('fct_listening_events'),
    sources: [...new Set(Object.values(manifest.sources).map((s) => s.schema))],
  };
}

describe('dbt schemas', () => {
  it('a pipeline run builds plain silver and gold over bronze', async () => {
    expect(await schemas({})).toEqual({ staging: 'silver', gold: 'gold', sources: ['bronze'] });
  });

  it('a run with its own DBT_SCHEMA builds its own layers, and the source follows BRONZE_SCHEMA', async () => {
    expect(await schemas({ DBT_SCHEMA: 'ci_42', BRONZE_SCHEMA: 'lake_bronze' })).toEqual({
      staging: 'ci_42_silver',
      gold: 'ci_42_gold',
      sources: ['lake_bronze'],
    });
  });
});
