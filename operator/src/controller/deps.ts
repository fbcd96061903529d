import type { Logger } from '@spotify-pipeline/shared';
import type { KafkaEnv } from '@spotify-pipeline/shared/kafka';
import type { Images } from '../builders/context.js';
import type { ExternalTopic } from '../external/external-kafka.js';
import type { LakeResult, LakeSettings } from '../external/lake.js';
import type { Applyable, KubeApi, KubeObject } from '../kube/api.js';
import type { LakeCheckCache } from './pipeline-lake.js';

/** What the reconcile steps reach the world through; tests and the benchmark hand in their own. */
export interface ReconcileDeps {
  client: KubeApi;
  logger: Logger;
  images: Images;
  lake: {
    ensure(settings: LakeSettings): Promise<LakeResult>;
    remove(settings: LakeSettings): Promise<void>;
  };
  kafka: {
    ensureTopic(settings: KafkaEnv, topic: ExternalTopic, logger: Logger): Promise<number>;
    deleteTopic(settings: KafkaEnv, name: string, logger: Logger): Promise<void>;
  };
  /**
   * The object as the controller's watch cache sees it: the object, null when known absent, undefined when
   * the kind is not watched or not synced (then the caller asks the API server).
   */
  observed?: (ref: Applyable) => KubeObject | null | undefined;
  /** Successful lake checks of this controller, reused for `lakeRecheckMs` (one instance per controller). */
  lakeChecks: LakeCheckCache;
  /** How long a successful lake check stays good for the same generation and Secret. */
  lakeRecheckMs: number;
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
