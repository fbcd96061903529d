import { TOPICS } from '@spotify-pipeline/shared';

/**
 * One warehouse bronze table per lake topic. Every field of the record lands as text: bronze keeps what the
 * lake holds (even a record that breaks the contract), and the dbt staging layer casts, validates and counts
 * the rows it rejects. Two columns are the loader's own: the object a row came from and when it was loaded.
 */
export interface BronzeTable {
  topic: string;
  table: string;
  /** Record fields, in column order; each is read from the JSON line by name. */
  fields: readonly string[];
}

const LAKE_METADATA = ['_topic', '_partition', '_offset', '_ingested_at'] as const;

const LISTENING_EVENT_FIELDS = [
  'schema_version',
  'event_id',
  'event_type',
  'event_ts',
  'user_id',
  'session_id',
  'track_id',
  'track_name',
  'artist_id',
  'artist_name',
  'album_id',
  'album_name',
  'duration_ms',
  'position_ms',
  'ms_played',
  'device_type',
  'country',
  'context_type',
  'context_id',
  'source',
  'shuffle',
  'offline',
] as const;

export const BRONZE_TABLES: readonly BronzeTable[] = [
  {
    topic: TOPICS.listeningEvents,
    table: 'listening_events',
    fields: [...LISTENING_EVENT_FIELDS, ...LAKE_METADATA],
  },
  {
    topic: TOPICS.artists,
    table: 'catalog_artists',
    fields: ['schema_version', 'artist_id', 'name', 'genres', ...LAKE_METADATA],
  },
  {
    topic: TOPICS.albums,
    table: 'catalog_albums',
    fields: ['schema_version', 'album_id', 'artist_id', 'name', 'release_date', ...LAKE_METADATA],
  },
  {
    topic: TOPICS.tracks,
    table: 'catalog_tracks',
    fields: [
      'schema_version',
      'track_id',
      'album_id',
      'artist_id',
      'name',
      'duration_ms',
      'popularity',
      ...LAKE_METADATA,
    ],
  },
];

/** The columns the loader adds to every bronze row. */
export const LOADER_COLUMNS = ['_object_key', '_loaded_at'] as const;

export const MANIFEST_TABLE = '_load_manifest';

export function bronzeTableFor(topic: string): BronzeTable | undefined {
  return BRONZE_TABLES.find((t) => t.topic === topic);
}
