/** Topic names from the contract. Deployments may prefix them, never rename them. */
export const TOPICS = {
  listeningEvents: 'listening-events',
  deadLetter: 'listening-events.dlq',
  artists: 'catalog.artists',
  albums: 'catalog.albums',
  tracks: 'catalog.tracks',
} as const;

export const CATALOG_TOPICS = [TOPICS.artists, TOPICS.albums, TOPICS.tracks] as const;

/** Headers every dead-lettered record carries beside its original bytes. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  stage: 'dlq.stage',
} as const;
