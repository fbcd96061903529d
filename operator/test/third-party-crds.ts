// Test CRDs for the kinds the operator writes but whose operators cannot run here (no kubelet), written
// from their documented APIs: Strimzi's API reference (KafkaTopicSpec, KafkaNodePoolSpec/Status,
// KafkaRebalanceSpec, v1beta2) and KEDA's ScaledObject spec (keda.sh/v1alpha1, Kafka scaler trigger).
// Schemas are structural and close to upstream for the fields the operator touches; open elsewhere.

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as const;
const conditions = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      type: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
      message: { type: 'string' },
      lastTransitionTime: { type: 'string' },
    },
  },
} as const;

function crd(
  group: string,
  version: string,
  kind: string,
  plural: string,
  shortName: string,
  schema: object,
  extra: object = {},
) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, shortNames: [shortName] },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {}, ...extra },
          schema: { openAPIV3Schema: { type: 'object', properties: schema } },
        },
      ],
    },
  };
}

export const kafkaTopicCrd = crd('kafka.strimzi.io', 'v1beta2', 'KafkaTopic', 'kafkatopics', 'kt', {
  spec: {
    type: 'object',
    properties: {
      topicName: { type: 'string' },
      partitions: { type: 'integer', minimum: 1 },
      replicas: { type: 'integer', minimum: 1, maximum: 32767 },
      config: open,
    },
  },
  status: {
    type: 'object',
    properties: {
      conditions,
      observedGeneration: { type: 'integer' },
      topicName: { type: 'string' },
      topicId: { type: 'string' },
    },
  },
});

export const kafkaNodePoolCrd = crd(
  'kafka.strimzi.io',
  'v1beta2',
  'KafkaNodePool',
  'kafkanodepools',
  'knp',
  {
    spec: {
      type: 'object',
      required: ['replicas', 'storage', 'roles'],
      properties: {
        replicas: { type: 'integer', minimum: 0 },
        storage: open,
        roles: { type: 'array', items: { type: 'string', enum: ['controller', 'broker'] } },
        resources: open,
        jvmOptions: open,
        template: open,
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions,
        observedGeneration: { type: 'integer' },
        nodeIds: { type: 'array', items: { type: 'integer' } },
        clusterId: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
        replicas: { type: 'integer' },
        labelSelector: { type: 'string' },
      },
    },
  },
  {
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.labelSelector',
    },
  },
);

export const kafkaRebalanceCrd = crd(
  'kafka.strimzi.io',
  'v1beta2',
  'KafkaRebalance',
  'kafkarebalances',
  'kr',
  {
    spec: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['full', 'add-brokers', 'remove-brokers', 'remove-disks'] },
        brokers: { type: 'array', items: { type: 'integer' } },
        goals: { type: 'array', items: { type: 'string' } },
        skipHardGoalCheck: { type: 'boolean' },
        rebalanceDisk: { type: 'boolean' },
        excludedTopics: { type: 'string' },
        concurrentPartitionMovementsPerBroker: { type: 'integer', minimum: 0 },
        replicationThrottle: { type: 'integer', minimum: 0 },
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions,
        observedGeneration: { type: 'integer' },
        sessionId: { type: 'string' },
        optimizationResult: open,
      },
    },
  },
);

export const scaledObjectCrd = crd('keda.sh', 'v1alpha1', 'ScaledObject', 'scaledobjects', 'so', {
  spec: {
    type: 'object',
    required: ['scaleTargetRef', 'triggers'],
    properties: {
      scaleTargetRef: {
        type: 'object',
        required: ['name'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          name: { type: 'string' },
          envSourceContainerName: { type: 'string' },
        },
      },
      minReplicaCount: { type: 'integer', format: 'int32' },
      maxReplicaCount: { type: 'integer', format: 'int32' },
      idleReplicaCount: { type: 'integer', format: 'int32' },
      pollingInterval: { type: 'integer', format: 'int32' },
      cooldownPeriod: { type: 'integer', format: 'int32' },
      advanced: open,
      fallback: open,
      triggers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'metadata'],
          properties: {
            type: { type: 'string' },
            name: { type: 'string' },
            metricType: { type: 'string' },
            useCachedMetrics: { type: 'boolean' },
            metadata: { type: 'object', additionalProperties: { type: 'string' } },
            authenticationRef: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, kind: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  status: open,
});

export const strimziCrds = [kafkaTopicCrd, kafkaNodePoolCrd, kafkaRebalanceCrd];
