/** Topic names from the contract. A deployment may prefix them, and may name its events topic (and its DLQ). */
export const TOPICS = {
  listeningEvents: 'listening-events',
  deadLetter: 'listening-events.dlq',
  artists: 'catalog.artists',
  albums: 'catalog.albums',
  tracks: 'catalog.tracks',
} as const;

export const CATALOG_TOPICS = [TOPICS.artists, TOPICS.albums, TOPICS.tracks] as const;

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
