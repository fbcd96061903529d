// The operator's permissions, least privilege: one list the generator writes to manifests/rbac and the
// Helm chart. Secrets are read one by one (get), never listed or watched.
import { GROUP, PLURAL } from './spotify-pipeline.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const manage = ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'];

export const clusterRules: PolicyRule[] = [
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['get', 'patch', 'update'] },
  // ownerReferences with blockOwnerDeletion need update on the owner's finalizers subresource
  { apiGroups: [GROUP], resources: [`${PLURAL}/finalizers`], verbs: ['update'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: manage },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: manage },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'create', 'patch', 'delete'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: manage },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: manage },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: manage },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkatopics', 'kafkarebalances'], verbs: manage },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkanodepools'], verbs: ['get', 'patch'] },
];

/** Leader election, in the operator's own namespace only. */
export const leaseRules: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
