// The operator's permissions, least privilege: one list the generator writes to manifests/rbac and the
// Helm chart. Children are server-side applied (PATCH; the apply that first makes an object is authorized as
// `create` too) and deleted, never updated; Secrets are read one by one (get), never listed or watched.
import { GROUP, PLURAL } from './spotify-pipeline.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A kind the operator watches (get reveals nothing list does not), applies and deletes. */
const manage = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

export const clusterRules: PolicyRule[] = [
  // patch: the finalizer, added and removed by server-side apply
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['patch'] },
  // ownerReferences with blockOwnerDeletion need update on the owner's finalizers subresource
  { apiGroups: [GROUP], resources: [`${PLURAL}/finalizers`], verbs: ['update'] },
  { apiGroups: [''], resources: ['configmaps', 'services'], verbs: manage },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  // the DuckDB volume: watched and applied (its size may grow), never deleted by the operator (see buildDuckDbClaim)
  {
    apiGroups: [''],
    resources: ['persistentvolumeclaims'],
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: manage },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: manage },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: manage },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: manage },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects', 'triggerauthentications'], verbs: manage },
  {
    apiGroups: ['kafka.strimzi.io'],
    resources: ['kafkatopics', 'kafkarebalances', 'kafkausers'],
    verbs: manage,
  },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkanodepools'], verbs: ['get', 'patch'] },
];

/** Leader election, in the operator's own namespace only: a Lease is created once, then updated (PUT). */
export const leaseRules: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
