// What the integration tests share: pipelines and the status other controllers would write.
import type { KubeClient, KubeObject } from '../src/kube/client.js';
import { waitFor } from './kube-helpers.js';

export const API = 'pipeline.spotify-pipeline.io/v1alpha1';
export const STRIMZI = 'kafka.strimzi.io/v1';

export type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
export type Cond = { type: string; status: string; reason: string; message: string };

export const pipelineRef = (namespace: string, name: string) => ({
  apiVersion: API,
  kind: 'SpotifyPipeline',
  namespace,
  name,
});

export async function conditionsOf(client: KubeClient, namespace: string, name: string): Promise<Cond[]> {
  return ((await client.get<Obj>(pipelineRef(namespace, name))).status?.conditions ?? []) as Cond[];
}

export async function condition(client: KubeClient, namespace: string, name: string, type: string) {
  return (await conditionsOf(client, namespace, name)).find((c) => c.type === type);
}

/** Waits until the condition has the reason (and returns it). */
export function conditionReason(
  client: KubeClient,
  namespace: string,
  name: string,
  type: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<Cond> {
  return waitFor(
    `${namespace}/${name} ${type}=${reason}`,
    async () => {
      const c = await condition(client, namespace, name, type);
      if (c?.reason === reason) return c;
      throw new Error(`last seen: ${c ? `${c.status} ${c.reason}: ${c.message}` : 'no condition'}`);
    },
    timeoutMs,
  );
}

/** Waits until the operator has reconciled the pipeline's current generation. */
export function reconciled(client: KubeClient, namespace: string, name: string, timeoutMs = 30_000) {
  return waitFor(
    `${namespace}/${name} reconciled`,
    async () => {
      const p = await client.get<Obj>(pipelineRef(namespace, name));
      return p.status?.observedGeneration === p.metadata?.generation ? p : null;
    },
    timeoutMs,
  );
}

/** What the deployment controller would write once pods are up (there is no kubelet here). */
export async function markDeploymentsAvailable(client: KubeClient, namespace: string, names: string[]) {
  for (const d of names) {
    const dep = await client.getOrNull<Obj>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: d,
    });
    if (!dep) continue;
    const replicas = (dep.spec?.replicas as number | undefined) ?? 1;
    await client.request('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${d}/status`, {
      body: {
        status: {
          observedGeneration: dep.metadata?.generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
        },
      },
      contentType: 'application/merge-patch+json',
    });
  }
}

/** What the Strimzi topic operator would write once the topic exists in Kafka. */
export async function markTopicsReady(client: KubeClient, namespace: string, names: string[]) {
  for (const t of names) {
    await client.request('PATCH', `/apis/${STRIMZI}/namespaces/${namespace}/kafkatopics/${t}/status`, {
      body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      contentType: 'application/merge-patch+json',
    });
  }
}

/** A broker KafkaNodePool as the cluster admin creates it (Strimzi would then run the brokers). */
export async function createBrokerPool(client: KubeClient, namespace: string, name: string, replicas = 3) {
  await client.apply({
    apiVersion: STRIMZI,
    kind: 'KafkaNodePool',
    metadata: { name, namespace, labels: { 'strimzi.io/cluster': 'events' } },
    spec: { replicas, roles: ['broker'], storage: { type: 'ephemeral' } },
  } as never);
}

/** Waits until the pipeline is gone (finalized); on timeout says what its Ready condition says. */
export function gone(client: KubeClient, namespace: string, name: string, timeoutMs = 60_000) {
  return waitFor(
    `${namespace}/${name} gone`,
    async () => {
      const p = await client.getOrNull<Obj>(pipelineRef(namespace, name));
      if (!p) return true;
      const ready = ((p.status?.conditions ?? []) as Cond[]).find((c) => c.type === 'Ready');
      throw new Error(`still there: ${ready ? `${ready.reason}: ${ready.message}` : 'no Ready condition'}`);
    },
    timeoutMs,
  );
}
