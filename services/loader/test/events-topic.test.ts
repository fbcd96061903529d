import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3Instance, startS3 } from '@spotify-pipeline/harness';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, writeLakeObjects } from './lake-dataset.js';
import { lakeEnv, queryDuckDb, runCli } from './support.js';

const bucket = 'spotify-lake';
const EVENTS_TOPIC = 'team-a.plays';

// A pipeline that names its own events topic (spec.kafka.topic.name): the lake writer writes its objects
// under bronze/<that topic>/, and the loader takes them into listening_events when told which topic it is.
describe('a pipeline with its own events topic name', () => {
  let s3: S3Instance;
  let lake: NodeJS.ProcessEnv;
  const work = mkdtempSync(join(tmpdir(), 'sp-loader-topic-'));
  const dataset = generateDataset({ seed: 5, users: 20, sessionsPerUser: 2, playsPerSession: 5 });
  const renamed = dataset.objects.map((o) =>
    o.key.startsWith('bronze/listening-events/')
      ? {
          key: o.key.replaceAll('listening-events', EVENTS_TOPIC),
          lines: o.lines.map((l) => l.replace('"_topic":"listening-events"', `"_topic":"${EVENTS_TOPIC}"`)),
        }
      : o,
  );
  const eventLines = renamed
    .filter((o) => o.key.startsWith(`bronze/${EVENTS_TOPIC}/`))
    .reduce((sum, o) => sum + o.lines.length, 0);

  beforeAll(async () => {
    s3 = await startS3();
    lake = lakeEnv(s3, bucket);
    const store = createObjectStore(lake as never);
    await ensureBucket(store, bucket);
    await writeLakeObjects(store, bucket, renamed);
  }, 240_000);

  afterAll(async () => {
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads its objects into listening_events, as the operator configures the loader', async () => {
    const path = join(work, 'named.duckdb');
    const run = await runCli(['load'], {
      ...lake,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: path,
      LOADER_EVENTS_TOPIC: EVENTS_TOPIC,
      LOADER_TOPICS: `${EVENTS_TOPIC},catalog.artists,catalog.albums,catalog.tracks`,
    });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(eventLines).toBeGreaterThan(0);
    expect(
      await queryDuckDb(
        path,
        'select _topic, cast(count(*) as integer) as n from bronze.listening_events group by 1',
      ),
    ).toEqual([{ _topic: EVENTS_TOPIC, n: eventLines }]);
    expect(
      await queryDuckDb(path, 'select cast(count(*) as integer) as n from bronze.catalog_artists'),
    ).toEqual([{ n: expect.any(Number) }]);
  }, 240_000);

  it('loads none of them with the contract topic alone (what happened before the setting)', async () => {
    const path = join(work, 'default.duckdb');
    const run = await runCli(['load'], { ...lake, WAREHOUSE: 'duckdb', DUCKDB_PATH: path });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(
      await queryDuckDb(path, 'select cast(count(*) as integer) as n from bronze.listening_events'),
    ).toEqual([{ n: 0 }]);
  }, 240_000);

  it('refuses a catalog topic as the events topic, and a topic with no bronze table, before loading anything', async () => {
    const catalog = await runCli(['load'], {
      ...lake,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: join(work, 'refused.duckdb'),
      LOADER_EVENTS_TOPIC: 'catalog.tracks',
    });
    expect(catalog.code).toBe(2);
    expect(catalog.output).toMatch(/LOADER_EVENTS_TOPIC: must not be a catalog topic/);
    const unknown = await runCli(['load'], {
      ...lake,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: join(work, 'refused.duckdb'),
      LOADER_TOPICS: `${EVENTS_TOPIC},catalog.tracks`,
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toMatch(/LOADER_TOPICS has topics with no bronze table: team-a.plays/);
  }, 240_000);
});
