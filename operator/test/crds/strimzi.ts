// Strimzi's CRDs as a cluster running a given Strimzi release serves them, with the schemas of
// @kubernetes-models/strimzi-kafka-operator (generated from Strimzi's own CRD files: v1 from 1.0.0, v1beta2
// from 0.49.0) read back from its compiled validators (from-validator.ts). Names, short names, subresources
// and served versions are those of Strimzi's CRDs of that release.
import { compiledSchemaPath, type OpenApiSchema, schemaFromCompiledValidatorFile } from './from-validator.js';

/**
 * 1.0: v1 only (1.0.0 and later). 0.49: v1 served beside v1beta2, which stays the storage version (0.49-0.51).
 * 0.48: v1beta2 only (before 0.49; with the 0.49.0 v1beta2 schema, the oldest the package carries).
 */
export type StrimziRelease = '1.0' | '0.49' | '0.48';

const STRIMZI_GROUP = 'kafka.strimzi.io';

const KINDS = {
  Kafka: { plural: 'kafkas', shortNames: ['k'] },
  KafkaTopic: { plural: 'kafkatopics', shortNames: ['kt'] },
  KafkaUser: { plural: 'kafkausers', shortNames: ['ku'] },
  KafkaNodePool: { plural: 'kafkanodepools', shortNames: ['knp'] },
  KafkaRebalance: { plural: 'kafkarebalances', shortNames: ['kr'] },
} as const;

export type StrimziKind = keyof typeof KINDS;

const scale = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.labelSelector',
};

/** The OpenAPI schema of one kind at one version, as the package's validator checks it. */
function strimziSchema(kind: StrimziKind, version: 'v1' | 'v1beta2'): OpenApiSchema {
  const name = `KafkaStrimziIo${version === 'v1' ? 'V1' : 'V1beta2'}${kind}`;
  const schema = schemaFromCompiledValidatorFile(compiledSchemaPath('strimzi-kafka-operator', name));
  // The models pin apiVersion and kind and require them, and type metadata as ObjectMeta; a CRD schema leaves
  // all three to the API server.
  const properties = {
    ...schema.properties,
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
  };
  const { required: pinned, ...rest } = schema;
  const required = (pinned ?? []).filter((r) => r !== 'apiVersion' && r !== 'kind');
  return { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
}

function strimziCrd(kind: StrimziKind, release: StrimziRelease) {
  const { plural, shortNames } = KINDS[kind];
  const versions: Array<{ name: 'v1' | 'v1beta2'; storage: boolean }> =
    release === '1.0'
      ? [{ name: 'v1', storage: true }]
      : release === '0.49'
        ? [
            { name: 'v1', storage: false },
            { name: 'v1beta2', storage: true },
          ]
        : [{ name: 'v1beta2', storage: true }];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${STRIMZI_GROUP}`, labels: { app: 'strimzi' } },
    spec: {
      group: STRIMZI_GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        singular: kind.toLowerCase(),
        plural,
        shortNames,
        categories: ['strimzi'],
      },
      scope: 'Namespaced',
      conversion: { strategy: 'None' },
      versions: versions.map(({ name, storage }) => ({
        name,
        served: true,
        storage,
        subresources: kind === 'KafkaNodePool' ? { status: {}, scale } : { status: {} },
        schema: { openAPIV3Schema: JSON.parse(JSON.stringify(strimziSchema(kind, name))) },
      })),
    },
  };
}

/** Every Strimzi CRD the operator reads or writes, as `release` serves them. */
export function strimziCrds(release: StrimziRelease = '1.0') {
  return (Object.keys(KINDS) as StrimziKind[]).map((kind) => strimziCrd(kind, release));
}
