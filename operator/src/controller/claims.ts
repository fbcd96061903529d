import { strimziNamespace } from '../builders/context.js';
import { kafkaTopicResourceName, pipelineTopicNames } from '../builders/kafka-topic.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';

/**
 * What a pipeline may own alone: a Kafka topic (and its dead-letter and catalog topics) in one cluster, and the lake
 * prefix its lake writer writes (`bronze/<topic>/` of a bucket at an endpoint). Two pipelines writing one
 * topic or one prefix would mix their data, and one's deletion would take the other's.
 */
export interface Claim {
  kind: 'Topic' | 'LakePrefix';
  /** Canonical and comparable: `kafkatopic:<ns>/<name>`, `kafka://<servers>/<topic>`, `lake:<endpoint>/<bucket>/<prefix>`. */
  id: string;
  /** For condition messages. */
  describe: string;
}

export interface ClaimView {
  /** Claims this pipeline holds: the ones it wants and the ones it recorded that still need it. */
  held: Claim[];
  /** Claims it wants that another pipeline holds, with that pipeline's namespace/name. */
  conflicts: Array<{ claim: Claim; owner: string }>;
}

const keyOf = (p: SpotifyPipeline) => `${p.metadata.namespace}/${p.metadata.name}`;

/** Normalized so that two spellings of one endpoint or broker list compare equal. */
function endpointOf(url: string): string {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

export function topicClaim(pipeline: SpotifyPipeline, topic: string): Claim {
  const { kafka } = pipeline.spec;
  if (kafka.mode === 'external') {
    const servers = (kafka.external?.bootstrapServers ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .sort()
      .join(',');
    return {
      kind: 'Topic',
      id: `kafka://${servers}/${topic}`,
      describe: `topic ${topic} on Kafka ${servers}`,
    };
  }
  const ns = strimziNamespace(pipeline);
  const name = kafkaTopicResourceName(topic);
  return {
    kind: 'Topic',
    id: `kafkatopic:${ns}/${name}`,
    describe: `topic ${topic} (KafkaTopic ${ns}/${name})`,
  };
}

export function lakePrefixClaim(pipeline: SpotifyPipeline, topic: string): Claim {
  const { lake } = pipeline.spec;
  const prefix = `bronze/${topic}/`;
  return {
    kind: 'LakePrefix',
    id: `lake:${endpointOf(lake.endpoint)}/${lake.bucket}/${prefix}`,
    describe: `s3://${lake.bucket}/${prefix} at ${lake.endpoint}`,
  };
}

/** What the pipeline's current spec claims. */
export function wantedClaims(pipeline: SpotifyPipeline): Claim[] {
  const topic = pipeline.spec.kafka.topic.name;
  return [
    ...pipelineTopicNames(topic).map((name) => topicClaim(pipeline, name)),
    lakePrefixClaim(pipeline, topic),
  ];
}

/** Claim ids the pipeline recorded in its status on earlier passes. */
export const recordedClaims = (pipeline: SpotifyPipeline): string[] => pipeline.status?.claims ?? [];

/**
 * Who holds a claim among the pipelines that want it or recorded it: a pipeline that recorded it keeps it
 * (first come, first served, even if an older pipeline turns to it later); among new claimants the oldest
 * wins, then the first by namespace/name, so every pass of every pipeline agrees.
 */
export function holderOf(id: string, pipelines: readonly SpotifyPipeline[]): SpotifyPipeline | undefined {
  const candidates = pipelines.filter(
    (p) => recordedClaims(p).includes(id) || wantedClaims(p).some((c) => c.id === id),
  );
  const rank = (p: SpotifyPipeline) => (recordedClaims(p).includes(id) ? 0 : 1);
  return candidates.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      keyOf(a).localeCompare(keyOf(b)),
  )[0];
}

/** The pipelines the operator sees with this one in its current version (the cache may lag behind). */
export function withSelf(
  pipeline: SpotifyPipeline,
  pipelines: readonly SpotifyPipeline[],
): SpotifyPipeline[] {
  return [...pipelines.filter((p) => keyOf(p) !== keyOf(pipeline)), pipeline];
}

/** The pipeline's claims against every pipeline the operator sees (itself included). */
export function resolveClaims(pipeline: SpotifyPipeline, pipelines: readonly SpotifyPipeline[]): ClaimView {
  const all = withSelf(pipeline, pipelines);
  const held: Claim[] = [];
  const conflicts: ClaimView['conflicts'] = [];
  for (const claim of wantedClaims(pipeline)) {
    const holder = holderOf(claim.id, all);
    if (!holder || keyOf(holder) === keyOf(pipeline)) held.push(claim);
    else conflicts.push({ claim, owner: keyOf(holder) });
  }
  return { held, conflicts };
}

/** The conflict on a kind of claim, as a sentence for the condition, or null. */
export function conflictMessage(view: ClaimView, kind: Claim['kind']): string | null {
  const found = view.conflicts.filter((c) => c.claim.kind === kind);
  if (found.length === 0) return null;
  return found.map((c) => `${c.claim.describe} belongs to pipeline ${c.owner}`).join('; ');
}
