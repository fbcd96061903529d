import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';

/** How much of what was played gold knows from the catalog topics (not only from the events' own names). */
export interface CatalogCoverage {
  tracks: number;
  tracksWithCatalog: number;
  artists: number;
  artistsWithCatalog: number;
}

// A track's popularity and an artist's genre exist only in catalog records.
const COVERAGE = `select
  (select count(*) from gold.dim_tracks)::bigint as tracks,
  (select count(*) from gold.dim_tracks where popularity is not null)::bigint as tracks_with_catalog,
  (select count(*) from gold.dim_artists)::bigint as artists,
  (select count(*) from gold.dim_artists where primary_genre is not null)::bigint as artists_with_catalog`;

const coverageOf = (row: Record<string, unknown> | undefined): CatalogCoverage => ({
  tracks: Number(row?.tracks ?? 0),
  tracksWithCatalog: Number(row?.tracks_with_catalog ?? 0),
  artists: Number(row?.artists ?? 0),
  artistsWithCatalog: Number(row?.artists_with_catalog ?? 0),
});

export async function catalogCoverage(duckdbPath: string): Promise<CatalogCoverage> {
  const instance = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return coverageOf((await connection.runAndReadAll(COVERAGE)).getRowObjectsJS()[0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function catalogCoverageFromPostgres(connectionString: string): Promise<CatalogCoverage> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await client.connect();
  try {
    return coverageOf((await client.query(COVERAGE)).rows[0]);
  } finally {
    await client.end();
  }
}

export function catalogCoverageLine(c: CatalogCoverage): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const complete = c.tracksWithCatalog === c.tracks && c.artistsWithCatalog === c.artists;
  return `catalog: ${n(c.tracksWithCatalog)} of ${n(c.tracks)} played tracks and ${n(c.artistsWithCatalog)} of ${n(c.artists)} artists have their catalog record in gold${complete ? '' : ' (the rest were played but never published to the catalog topics)'}`;
}
