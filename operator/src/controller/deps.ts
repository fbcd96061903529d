import type { Logger } from '@spotify-pipeline/shared';
import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import type { Images } from '../builders/context.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { ExternalTopic } from '../external/external-kafka.js';
import type { LakeDeletion, LakeResult, LakeSettings } from '../external/lake.js';
import type { Applyable, KubeApi, KubeObject } from '../kube/api.js';
import type { ExternalCalls } from './external-calls.js';

/** What the reconcile steps reach the world through; tests and the benchmark hand in their own. */
export interface ReconcileDeps {
  client: KubeApi;
  /** The kafka.strimzi.io version the cluster was last found to serve (reported in status). */
  strimziApiVersion?: () => string | undefined;
  logger: Logger;
  images: Images;
  /** Object-store calls; each lets go of its sockets when `signal` aborts. */
  lake: {
    ensure(settings: LakeSettings, signal: AbortSignal): Promise<LakeResult>;
    remove(
      settings: LakeSettings,
      deletion: LakeDeletion,
      signal: AbortSignal,
    ): Promise<{ bucketRemoved: boolean; objectsLeft: number }>;
    /** Files of a Spotify export under a prefix of the bucket (what a history import needs). */
    exportFiles(settings: LakeSettings, prefix: string, signal: AbortSignal): Promise<number>;
  };
  /** Kafka admin calls; each disconnects when `signal` aborts. */
  kafka: {
    ensureTopic(
      settings: KafkaEnv,
      topic: ExternalTopic,
      logger: Logger,
      signal: AbortSignal,
    ): Promise<number>;
    deleteTopic(settings: KafkaEnv, name: string, logger: Logger, signal: AbortSignal): Promise<void>;
  };
  /** Every pipeline the operator sees (the watch cache): shared pools and claims are decided among them. */
  pipelines(): readonly SpotifyPipeline[];
  /**
   * The object as the controller's watch cache sees it: the object, null when known absent, undefined when
   * the kind is not watched or not synced (then the caller asks the API server).
   */
  observed?: (ref: Applyable) => KubeObject | null | undefined;
  /**
   * Objects of a kind that carry the pipeline's labels, as the watch cache sees them; undefined when the
   * kind is not watched or not synced.
   */
  owned?: (apiVersion: string, kind: string, pipeline: SpotifyPipeline) => KubeObject[] | undefined;
  /** Calls to the object store and Kafka, off the workers' path (one instance per controller). */
  external: ExternalCalls;
  timeouts: ExternalTimeouts;
}

export interface ExternalTimeouts {
  /** Deadline of one lake check (bucket, versioning, lifecycle). */
  lakeMs: number;
  /** Deadline of one topic change through the Kafka admin API. */
  kafkaMs: number;
  /** Deadline of deleting a pipeline's lake data and topics. */
  deleteMs: number;
  /** A successful check is made again after this long, as the world can change behind our back. */
  recheckMs: number;
}

export interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

export interface SecretData {
  data: Record<string, string>;
  resourceVersion: string;
}

/** A Secret of the pipeline's namespace, read once per pass when the pass shares its reads. */
export function pipelineSecret(
  deps: ReconcileDeps,
  ctx: { pipeline: SpotifyPipeline; secrets?: Map<string, Promise<SecretData | null>> },
  name: string,
): Promise<SecretData | null> {
  const read = () => readSecret(deps.client, ctx.pipeline.metadata.namespace, name);
  if (!ctx.secrets) return read();
  let found = ctx.secrets.get(name);
  if (!found) {
    found = read();
    ctx.secrets.set(name, found);
  }
  return found;
}

/** The Secret's decoded data, or null when it does not exist. */
async function readSecret(client: KubeApi, namespace: string, name: string): Promise<SecretData | null> {
  const secret = await client.getOrNull<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  if (!secret) return null;
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { data, resourceVersion: secret.metadata?.resourceVersion ?? '' };
}
