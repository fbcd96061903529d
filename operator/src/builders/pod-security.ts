// Secure defaults every pod the operator creates gets: the restricted Pod Security Standard.
export const podSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  fsGroup: 10001,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export const containerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** A writable /tmp, since the root filesystem is read-only. */
export const tmpVolume = { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } } as const;
export const tmpMount = { name: 'tmp', mountPath: '/tmp' } as const;

export const METRICS_PORT = 8080;

export const opsProbes = {
  livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10, failureThreshold: 3 },
  readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5, failureThreshold: 2 },
  startupProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 2, failureThreshold: 30 },
} as const;
