import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { TOPICS } from '@spotify-pipeline/shared';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, type LakeObject, writeLakeObjects } from './lake-dataset.js';
import { dbtEnv, lakeEnv, queryDuckDb, runCli } from './support.js';

const bucket = 'spotify-lake';
const topic = TOPICS.albums;

/** An object of the album catalog topic, as the lake writer names one: records at offsets from `first`. */
function albumObject(first: number, records: Array<Record<string, unknown>>): LakeObject {
  return {
    key: `bronze/${topic}/date=2026-09-20/hour=00/${topic}+0+${first}-${first + records.length - 1}.jsonl.gz`,
    lines: records.map((r, i) =>
      JSON.stringify({
        schema_version: 1,
        ...r,
        _topic: topic,
        _partition: 0,
        _offset: first + i,
        _ingested_at: '2026-09-20T00:00:00.000Z',
      }),
    ),
  };
}

// The album catalog from the lake to gold: catalog.albums objects load into bronze.catalog_albums, dbt keeps
// the latest record per album (a compacted topic's semantics) and gold.dim_albums names the events' albums.
describe('albums from the catalog topic to gold', () => {
  let s3: S3Instance;
  let lake: NodeJS.ProcessEnv;
  const work = mkdtempSync(join(tmpdir(), 'sp-loader-albums-'));
  const dataset = generateDataset({ seed: 9, users: 15, sessionsPerUser: 2, playsPerSession: 4 });
  // Each event's album is its artist's (the dataset has none): album-<artist id>, named by the catalog only.
  const objects = dataset.objects.map((o) =>
    o.key.startsWith('bronze/listening-events/')
      ? {
          key: o.key,
          lines: o.lines.map((l) => {
            const e = JSON.parse(l) as Record<string, unknown>;
            return JSON.stringify({ ...e, album_id: `album-${e.artist_id}` });
          }),
        }
      : o,
  );
  const artists = [
    ...new Set(
      objects
        .filter((o) => o.key.startsWith('bronze/listening-events/'))
        .flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { artist_id: string }).artist_id)),
    ),
  ].sort();
  const [first, second, third] = artists as [string, string, string];

  beforeAll(async () => {
    s3 = await startS3();
    lake = lakeEnv(s3, bucket);
    const store = createObjectStore(lake as never);
    await ensureBucket(store, bucket);
    await writeLakeObjects(store, bucket, [
      ...objects,
      albumObject(0, [
        { album_id: `album-${first}`, artist_id: first, name: 'Old title', release_date: '2024-02-29' },
        { album_id: `album-${second}`, artist_id: second, name: 'Bad date', release_date: '2026-02-30' },
        { album_id: 'album-never-played', artist_id: first, name: 'Unplayed', release_date: '2020-01-01' },
        // As the tracks CSV import publishes albums: the public datasets know no release dates.
        { album_id: `album-${third}`, artist_id: third, name: 'Undated', release_date: null },
      ]),
      albumObject(3, [
        { album_id: `album-${first}`, artist_id: first, name: 'New title', release_date: '2024-02-29' },
      ]),
    ]);
  }, 240_000);

  afterAll(async () => {
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('names the albums of the events from the latest catalog record, with calendar release dates only', async () => {
    const path = join(work, 'albums.duckdb');
    const run = await runCli(['batch'], { ...lake, ...dbtEnv(), WAREHOUSE: 'duckdb', DUCKDB_PATH: path });
    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(
      await queryDuckDb(path, 'select cast(count(*) as integer) as n from bronze.catalog_albums'),
    ).toEqual([{ n: 5 }]);
    const albums = await queryDuckDb(
      path,
      'select album_id, album_name, artist_id, cast(release_date as varchar) as release_date from gold.dim_albums order by album_id',
    );
    expect(albums).toHaveLength(artists.length);
    expect(albums.find((a) => a.album_id === `album-${first}`)).toEqual({
      album_id: `album-${first}`,
      album_name: 'New title',
      artist_id: first,
      release_date: '2024-02-29',
    });
    expect(albums.find((a) => a.album_id === `album-${second}`)).toMatchObject({
      album_name: 'Bad date',
      release_date: null,
    });
    expect(albums.find((a) => a.album_id === `album-${third}`)).toMatchObject({
      album_name: 'Undated',
      release_date: null,
    });
    expect(albums.some((a) => a.album_id === 'album-never-played')).toBe(false);
  }, 600_000);
});
