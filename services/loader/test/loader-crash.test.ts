import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, writeLakeObjects } from './lake-dataset.js';
import { lakeEnv, queryDuckDb, runCli } from './support.js';

const bucket = 'spotify-lake';

/** Everything the loader wrote, minus load times: the bronze rows and the manifest, in a stable order. */
async function loadedState(path: string) {
  return {
    manifest: await queryDuckDb(
      path,
      'select object_key, cast(row_count as integer) as row_count from bronze._load_manifest order by 1',
    ),
    events: await queryDuckDb(
      path,
      'select _object_key, event_id, _offset from bronze.listening_events order by 1, 2, 3',
    ),
    artists: await queryDuckDb(
      path,
      'select _object_key, artist_id from bronze.catalog_artists order by 1, 2',
    ),
  };
}

describe('loader killed mid-load (SIGKILL) and re-run', () => {
  let s3: S3Instance;
  let lake: NodeJS.ProcessEnv;
  const work = mkdtempSync(join(tmpdir(), 'sp-loader-crash-'));
  const dataset = generateDataset({ seed: 11, users: 80, sessionsPerUser: 4, playsPerSession: 8 });

  beforeAll(async () => {
    s3 = await startS3();
    lake = lakeEnv(s3, bucket);
    const store = createObjectStore(lake as never);
    await ensureBucket(store, bucket);
    await writeLakeObjects(store, bucket, dataset.objects);
  }, 240_000);

  afterAll(async () => {
    await s3?.stop();
  });

  it('leaves the same tables as an uninterrupted run: nothing lost, nothing twice', async () => {
    const settings = { LOADER_BATCH_FILES: '3', LOADER_PREFETCH: '6', WAREHOUSE: 'duckdb' };
    const reference = join(work, 'reference.duckdb');
    const clean = await runCli(['load'], { ...lake, ...settings, DUCKDB_PATH: reference });
    expect(clean.code, clean.output.slice(-2000)).toBe(0);

    const crashed = join(work, 'crashed.duckdb');
    const env = { ...lake, ...settings, DUCKDB_PATH: crashed };
    let kills = 0;
    // Each run is killed a few batches in, a few milliseconds after a commit: inside the next batch's work.
    for (const [batches, delayMs] of [
      [2, 0],
      [3, 5],
      [4, 15],
      [2, 30],
    ] as const) {
      const run = await runCli(['load'], env, {
        when: (output) => output.split('"msg":"loaded ').length - 1 >= batches,
        delayMs,
      });
      if (run.signal === 'SIGKILL') kills++;
      const state = await loadedState(crashed);
      const rowsPerObject = new Map<string, number>();
      for (const e of state.events)
        rowsPerObject.set(String(e._object_key), (rowsPerObject.get(String(e._object_key)) ?? 0) + 1);
      // After every crash, each listed object has exactly its rows and no unlisted object has any.
      for (const m of state.manifest) {
        if (String(m.object_key).includes('listening-events+')) {
          expect(rowsPerObject.get(String(m.object_key))).toBe(m.row_count);
        }
      }
      expect([...rowsPerObject.keys()].every((k) => state.manifest.some((m) => m.object_key === k))).toBe(
        true,
      );
    }
    expect(kills).toBeGreaterThanOrEqual(3);

    const finish = await runCli(['load'], env);
    expect(finish.code, finish.output.slice(-2000)).toBe(0);
    expect(await loadedState(crashed)).toEqual(await loadedState(reference));
    const total = dataset.objects.reduce((n, o) => n + o.lines.length, 0);
    const state = await loadedState(crashed);
    expect(state.events.length + state.artists.length).toBe(total);
  });
});
