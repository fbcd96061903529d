import type { Logger } from '@spotify-pipeline/shared';
import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import type { Images } from '../builders/context.js';
import type { ExternalTopic } from '../external/external-kafka.js';
import type { LakeResult, LakeSettings } from '../external/lake.js';
import type { Applyable, KubeApi, KubeObject } from '../kube/api.js';
import type { ExternalCalls } from './external-calls.js';

/** What the reconcile steps reach the world through; tests and the benchmark hand in their own. */
export interface ReconcileDeps {
  client: KubeApi;
  logger: Logger;
  images: Images;
  /** Object-store calls; each lets go of its sockets when `signal` aborts. */
  lake: {
    ensure(settings: LakeSettings, signal: AbortSignal): Promise<LakeResult>;
    remove(settings: LakeSettings, signal: AbortSignal): Promise<void>;
    /** Export files of a Spotify export under a prefix: whether a history import has input. */
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
  /**
   * The object as the controller's watch cache sees it: the object, null when known absent, undefined when
   * the kind is not watched or not synced (then the caller asks the API server).
   */
  observed?: (ref: Applyable) => KubeObject | null | undefined;
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

/** The Secret's decoded data, or null when it does not exist. */
export async function readSecret(
  client: KubeApi,
  namespace: string,
  name: string,
): Promise<{ data: Record<string, string>; resourceVersion: string } | null> {
  const secret = await client.getOrNull<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  if (!secret) return null;
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { data, resourceVersion: secret.metadata?.resourceVersion ?? '' };
}
