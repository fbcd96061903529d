/** Topic names from the contract. A deployment may prefix them, and may name its events topic (and its DLQ). */
export const TOPICS = {
  listeningEvents: 'listening-events',
  deadLetter: 'listening-events.dlq',
  artists: 'catalog.artists',
  albums: 'catalog.albums',
  tracks: 'catalog.tracks',
} as const;

export const CATALOG_TOPICS = [TOPICS.artists, TOPICS.albums, TOPICS.tracks] as const;

/** Which catalog a topic carries. */
export type CatalogKind = 'artists' | 'albums' | 'tracks';

/** The contract's topic of each catalog. */
export const CATALOG_TOPIC: Readonly<Record<CatalogKind, string>> = {
  artists: TOPICS.artists,
  albums: TOPICS.albums,
  tracks: TOPICS.tracks,
};

/**
 * The catalog a topic carries, known by the contract's name at its end (`catalog.tracks`, or a deployment's
 * `dev.catalog.tracks` / `plays.catalog.tracks`); null for any other topic.
 */
export function catalogKindOf(topic: string): CatalogKind | null {
  for (const [kind, contractTopic] of Object.entries(CATALOG_TOPIC))
    if (topic.endsWith(contractTopic)) return kind as CatalogKind;
  return null;
}

/** The topics one source writes to, as its configuration names them. */
export interface ContractTopicNames {
  events: string;
  deadLetter: string;
  artist: string;
  album: string;
  track: string;
}

/** The contract's names under a prefix; `events` (and with it the DLQ, `<events>.dlq`) may be named apart. */
export function contractTopicNames(
  prefix = '',
  events = prefix + TOPICS.listeningEvents,
): ContractTopicNames {
  return {
    events,
    deadLetter: `${events}.dlq`,
    artist: prefix + TOPICS.artists,
    album: prefix + TOPICS.albums,
    track: prefix + TOPICS.tracks,
  };
}

/** Headers every dead-lettered record carries beside its original bytes. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  stage: 'dlq.stage',
} as const;
