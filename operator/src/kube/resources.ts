import { GROUP, PLURAL, VERSION } from '../crd/spotify-pipeline.js';

/** Plural resource names of every kind the operator touches, so no discovery round-trip is needed. */
const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  Service: 'services',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Event: 'events',
  Namespace: 'namespaces',
  Deployment: 'deployments',
  PodDisruptionBudget: 'poddisruptionbudgets',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  CronJob: 'cronjobs',
  Job: 'jobs',
  Lease: 'leases',
  CustomResourceDefinition: 'customresourcedefinitions',
  KafkaTopic: 'kafkatopics',
  KafkaNodePool: 'kafkanodepools',
  KafkaRebalance: 'kafkarebalances',
  ScaledObject: 'scaledobjects',
  TriggerAuthentication: 'triggerauthentications',
  KafkaUser: 'kafkausers',
  Kafka: 'kafkas',
  SpotifyPipeline: PLURAL,
};

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition']);

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
}

export function resourcePath(ref: ResourceRef, subresource?: string): string {
  const plural = PLURALS[ref.kind];
  if (!plural) throw new Error(`unknown kind ${ref.kind}`);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace && !CLUSTER_SCOPED.has(ref.kind) ? `/namespaces/${ref.namespace}` : '';
  const name = ref.name ? `/${ref.name}` : '';
  return `${base}${ns}/${plural}${name}${subresource ? `/${subresource}` : ''}`;
}

export const PIPELINE_REF = { apiVersion: `${GROUP}/${VERSION}`, kind: 'SpotifyPipeline' } as const;
