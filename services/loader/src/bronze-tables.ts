import { CATALOG_TOPIC, catalogKindOf, LISTENING_EVENT_FIELDS, TOPICS } from '@spotify-pipeline/shared';

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
  /** Fields that hold a JSON list (kept as its JSON text); every other field holds a scalar. */
  compoundFields?: readonly string[];
}

const LAKE_METADATA = ['_topic', '_partition', '_offset', '_ingested_at'] as const;

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
    compoundFields: ['genres'],
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

export const MANIFEST_TABLE = '_load_manifest';

/** Lines the loader kept out of bronze (any table), with the object and line they came from and why. */
export const REJECTED_TABLE = '_rejected_rows';

/**
 * The table of a lake topic: `eventsTopic` (a pipeline's own events topic name) loads as listening events; a
 * catalog topic, under the contract's name or a deployment's prefixed one (`plays.catalog.tracks`), into its
 * catalog table.
 */
export function bronzeTableFor(
  topic: string,
  eventsTopic: string = TOPICS.listeningEvents,
): BronzeTable | undefined {
  const kind = catalogKindOf(topic);
  const contractTopic =
    topic === eventsTopic ? TOPICS.listeningEvents : kind === null ? topic : CATALOG_TOPIC[kind];
  return BRONZE_TABLES.find((t) => t.topic === contractTopic);
}
