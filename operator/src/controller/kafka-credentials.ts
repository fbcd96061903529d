import { clusterCaSecret, strimziAuthentication, strimziListener } from '../builders/kafka-users.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { KubeObject } from '../kube/api.js';
import type { SecretKeys } from './workload-secrets.js';

interface KafkaUserObject extends KubeObject {
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
}

/** The keys Strimzi's User Operator writes into a KafkaUser's Secret (KafkaUserModel.generateSecret). */
const USER_SECRET_KEYS = {
  tls: ['user.crt', 'user.key'],
  'scram-sha-512': ['password', 'sasl.jaas.config'],
} as const;

/**
 * What keeps the workloads from logging in to the Strimzi cluster, one line each: the cluster CA's Secret
 * missing on a TLS listener, or a KafkaUser whose Secret the User Operator has not written (yet), with the
 * KafkaUser's own status when it says why. `users` are the KafkaUsers as just applied. Empty when nothing is
 * missing or the listener does not authenticate.
 */
export async function missingKafkaCredentials(
  pipeline: SpotifyPipeline,
  users: KafkaUserObject[],
  secretKeys: SecretKeys,
): Promise<string[]> {
  const listener = strimziListener(pipeline);
  if (!listener) return [];
  const cluster = pipeline.spec.kafka.strimzi?.cluster ?? '';
  const namespace = pipeline.metadata.namespace;
  const lines: string[] = [];
  if (listener.tls) {
    const ca = clusterCaSecret(pipeline);
    const keys = await secretKeys(ca);
    if (!keys?.has('ca.crt'))
      lines.push(
        `Secret ${ca} (the cluster CA certificate Strimzi writes for Kafka ${cluster}) ${keys ? 'has no ca.crt' : 'does not exist'} in namespace ${namespace}: is Kafka ${cluster} running there (spec.kafka.strimzi.cluster)?`,
      );
  }
  const auth = strimziAuthentication(pipeline);
  if (!auth) return lines;
  for (const user of users) {
    const name = user.metadata?.name ?? '';
    const keys = await secretKeys(name);
    const lacking = USER_SECRET_KEYS[auth].filter((k) => !keys?.has(k));
    if (lacking.length === 0) continue;
    const what = keys ? `lacks ${lacking.join(', ')}` : 'does not exist yet';
    lines.push(`Secret ${name} of KafkaUser ${name} ${what}: ${userProblem(user, cluster)}`);
  }
  return lines;
}

/** Why Strimzi has not written a KafkaUser's Secret, as far as its status tells. */
function userProblem(user: KafkaUserObject, cluster: string): string {
  const ready = user.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False' || ready?.status === 'Unknown')
    return `Strimzi reports ${ready.reason ?? 'NotReady'}: ${ready.message ?? 'no message'}`;
  if (ready?.status === 'True')
    return 'Strimzi reports the KafkaUser Ready: the Secret was removed or renamed (STRIMZI_SECRET_PREFIX is not supported)';
  return `Strimzi's User Operator has not reconciled it: is the Entity Operator's User Operator of Kafka ${cluster} running, with authorization type simple in the Kafka resource?`;
}
