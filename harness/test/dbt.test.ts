import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeWorkdir, type PostgresInstance, runDbt, startPostgres } from '../src/index.js';

const project = join(import.meta.dirname, 'fixtures/dbt-smoke');

describe('dbt on DuckDB and on PostgreSQL', () => {
  let postgres: PostgresInstance;
  const work = makeWorkdir('dbt-smoke');

  beforeAll(async () => {
    postgres = await startPostgres();
  }, 240_000);
  afterAll(async () => {
    await postgres?.destroy();
    work.remove();
  });

  const duckdbEnv = () => ({ SMOKE_DUCKDB_PATH: join(work.path, 'smoke.duckdb') });
  const postgresEnv = (port = postgres.port) => ({
    SMOKE_PG_HOST: postgres.host,
    SMOKE_PG_PORT: String(port),
    SMOKE_PG_USER: postgres.user,
    SMOKE_PG_PASSWORD: postgres.password,
    SMOKE_PG_DATABASE: postgres.database,
  });
  const dbt = (args: string[], env: NodeJS.ProcessEnv, name: string) =>
    runDbt({ args, projectDir: project, profilesDir: project, workdir: join(work.path, name), env });

  it('PostgreSQL answers queries from the pg client', async () => {
    const client = new pg.Client({ connectionString: postgres.connectionString });
    await client.connect();
    const { rows } = await client.query<{ answer: number }>('select 40 + 2 as answer');
    await client.end();
    expect(rows[0]?.answer).toBe(42);
  });

  it.each([
    ['duckdb', duckdbEnv],
    ['postgres', () => postgresEnv()],
  ] as const)(
    'dbt debug and a one-model dbt build pass on %s',
    async (target, env) => {
      const debug = await dbt(['debug', '--target', target], env(), `${target}-debug`);
      expect(debug.output).toContain('All checks passed');
      expect(debug.code).toBe(0);
      const build = await dbt(['build', '--target', target], env(), `${target}-build`);
      expect(build.output).toMatch(/PASS=4 WARN=0 ERROR=0 SKIP=0/);
      expect(build.code).toBe(0);
    },
    120_000,
  );

  it('is really what answers: dbt debug fails against a closed PostgreSQL port', async () => {
    const debug = await dbt(['debug', '--target', 'postgres'], postgresEnv(await freePort()), 'closed');
    expect(debug.code).not.toBe(0);
    expect(debug.output).toMatch(/Connection test: \[ERROR\]|connection/i);
  }, 120_000);
});
