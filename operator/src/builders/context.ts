import type { SourceSpec, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { CapacityPlan } from '../plan/capacity-plan.js';

/** Container images the operator deploys; the operator's own settings choose them, not the resource. */
export interface Images {
  /** One image per source type (simulator, spotify-poller, history-import). */
  sources: Record<SourceSpec['type'], string>;
  lakeWriter: string;
  loader: string;
  transformer: string;
  insights: string;
}

/** Everything a builder may read: builders are pure functions of this. */
export interface BuildContext {
  pipeline: SpotifyPipeline;
  plan: CapacityPlan;
  images: Images;
  /** The external cluster's SASL mechanism, read from its credentials Secret (KEDA's scaler needs it in the clear). */
  kafkaSaslMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
}

export const MANAGED_BY = 'spotify-pipeline-operator';
export const PIPELINE_LABEL = 'pipeline.spotify-pipeline.io/name';
export const PIPELINE_NAMESPACE_LABEL = 'pipeline.spotify-pipeline.io/namespace';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface ChildObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

function labels(pipeline: SpotifyPipeline, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'spotify-pipeline',
    'app.kubernetes.io/instance': pipeline.metadata.name,
    [COMPONENT_LABEL]: component,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [PIPELINE_LABEL]: pipeline.metadata.name,
    [PIPELINE_NAMESPACE_LABEL]: pipeline.metadata.namespace,
  };
}

export function selectorLabels(pipeline: SpotifyPipeline, component: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': pipeline.metadata.name, [COMPONENT_LABEL]: component };
}

function ownerReference(pipeline: SpotifyPipeline): OwnerReference {
  return {
    apiVersion: pipeline.apiVersion,
    kind: pipeline.kind,
    name: pipeline.metadata.name,
    uid: pipeline.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Metadata of a child in the pipeline's namespace, owned by it (garbage-collected with it). Children in
 * another namespace (Strimzi objects next to the Kafka cluster) cannot carry an owner reference: the
 * labels find them and the finalizer removes them.
 */
export function childMeta(
  pipeline: SpotifyPipeline,
  name: string,
  component: string,
  namespace?: string,
): ObjectMeta {
  const ns = namespace ?? pipeline.metadata.namespace;
  const meta: ObjectMeta = { name, namespace: ns, labels: labels(pipeline, component) };
  if (ns === pipeline.metadata.namespace) meta.ownerReferences = [ownerReference(pipeline)];
  return meta;
}

export const names = {
  config: (p: SpotifyPipeline) => `${p.metadata.name}-config`,
  lakeWriter: (p: SpotifyPipeline) => `${p.metadata.name}-lake-writer`,
  source: (p: SpotifyPipeline, index: number) => `${p.metadata.name}-source-${index}`,
  load: (p: SpotifyPipeline) => `${p.metadata.name}-load`,
  insights: (p: SpotifyPipeline) => `${p.metadata.name}-insights`,
  duckdb: (p: SpotifyPipeline) => `${p.metadata.name}-duckdb`,
  transform: (p: SpotifyPipeline) => `${p.metadata.name}-transform`,
  dag: (p: SpotifyPipeline) => `${p.metadata.name}-airflow-dag`,
  kafkaTriggerAuthentication: (p: SpotifyPipeline) => `${p.metadata.name}-lake-writer-kafka`,
  consumerGroup: (p: SpotifyPipeline) => `${p.metadata.namespace}.${p.metadata.name}.lake-writer`,
  /** KafkaUser (and Kafka user name) of KEDA's lag reads; the workloads' users are their client ids. */
  kedaKafkaUser: (p: SpotifyPipeline) => `${p.metadata.name}-keda`,
  /** KEDA's SCRAM user name (not a credential), where its TriggerAuthentication reads it. */
  kedaKafkaConfig: (p: SpotifyPipeline) => `${p.metadata.name}-keda-kafka`,
};

/** Bootstrap address the workloads use: Strimzi's bootstrap Service, or the external cluster's list. */
export function kafkaBootstrap(pipeline: SpotifyPipeline): string {
  const kafka = pipeline.spec.kafka;
  if (kafka.mode === 'external') return kafka.external?.bootstrapServers ?? '';
  const cluster = kafka.strimzi?.cluster ?? '';
  const ns = kafka.strimzi?.namespace ?? pipeline.metadata.namespace;
  return `${cluster}-kafka-bootstrap.${ns}.svc:${kafka.strimzi?.listener.port ?? 9092}`;
}

export function strimziNamespace(pipeline: SpotifyPipeline): string {
  return pipeline.spec.kafka.strimzi?.namespace ?? pipeline.metadata.namespace;
}
