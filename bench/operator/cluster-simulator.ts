import type { KubeClient, KubeObject } from '@spotify-pipeline/operator/kube/client';

/**
 * Plays Strimzi's operators and the deployment controller (none runs here): KafkaTopics marked Ready,
 * KafkaNodePools given the node ids of their replicas, KafkaRebalances done (Ready), Deployments available,
 * once they appear or change, until `stop` aborts.
 */
export async function simulateCluster(
  client: KubeClient,
  where: { kafkaNamespace: string; namespace: string },
  stop: AbortSignal,
): Promise<void> {
  const done = new Set<string>();
  while (!stop.aborted) {
    await simulateOnce(client, where, done).catch(() => undefined); // 429 while a new CRD's storage initializes
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function simulateOnce(
  client: KubeClient,
  { kafkaNamespace, namespace }: { kafkaNamespace: string; namespace: string },
  done: Set<string>,
): Promise<void> {
  const topics = await client.list<KubeObject>({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    namespace: kafkaNamespace,
  });
  const deployments = await client.list<KubeObject & { spec?: { replicas?: number } }>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace,
  });
  const pools = await client.list<KubeObject & { spec?: { replicas?: number } }>({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    namespace: kafkaNamespace,
  });
  const rebalances = await client.list<KubeObject>({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaRebalance',
    namespace: kafkaNamespace,
  });
  const strimzi = (plural: string, name: string | undefined, status: Record<string, unknown>) =>
    client.request(
      'PATCH',
      `/apis/kafka.strimzi.io/v1/namespaces/${kafkaNamespace}/${plural}/${name}/status`,
      {
        body: { status },
        contentType: 'application/merge-patch+json',
      },
    );
  const work: Promise<unknown>[] = [];
  for (const p of pools.items) {
    const key = `p/${p.metadata?.name}/${p.metadata?.generation}`;
    if (done.has(key)) continue;
    done.add(key);
    const replicas = p.spec?.replicas ?? 0;
    work.push(
      strimzi('kafkanodepools', p.metadata?.name, {
        replicas,
        nodeIds: Array.from({ length: replicas }, (_, i) => i),
      }),
    );
  }
  for (const r of rebalances.items) {
    const key = `r/${r.metadata?.name}/${r.metadata?.uid}`;
    if (done.has(key)) continue;
    done.add(key);
    work.push(
      strimzi('kafkarebalances', r.metadata?.name, { conditions: [{ type: 'Ready', status: 'True' }] }),
    );
  }
  for (const t of topics.items) {
    const key = `t/${t.metadata?.name}/${t.metadata?.generation}`;
    if (done.has(key)) continue;
    done.add(key);
    work.push(
      client.request(
        'PATCH',
        `/apis/kafka.strimzi.io/v1/namespaces/${kafkaNamespace}/kafkatopics/${t.metadata?.name}/status`,
        {
          body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
          contentType: 'application/merge-patch+json',
        },
      ),
    );
  }
  for (const d of deployments.items) {
    const key = `d/${d.metadata?.name}/${d.metadata?.generation}`;
    if (done.has(key)) continue;
    done.add(key);
    const r = d.spec?.replicas ?? 1;
    work.push(
      client.request(
        'PATCH',
        `/apis/apps/v1/namespaces/${namespace}/deployments/${d.metadata?.name}/status`,
        {
          body: {
            status: {
              observedGeneration: d.metadata?.generation,
              replicas: r,
              updatedReplicas: r,
              readyReplicas: r,
              availableReplicas: r,
            },
          },
          contentType: 'application/merge-patch+json',
        },
      ),
    );
  }
  await Promise.all(work);
}
