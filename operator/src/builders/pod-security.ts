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

/**
 * The ops server answers on the same event loop as the work. Under a backlog on a CPU-starved node a busy
 * process answered late (> 1 s, the probes' default timeout): readiness flapped and liveness restarted a
 * process that was working, which dropped its uncommitted batches, read them again and was killed again,
 * while an HPA on CPU saw no ready pod to take a metric from and never scaled (issue 15). So the probes
 * wait for an answer: not answering for 30 s, or /healthz saying it stalled, is what restarts a workload.
 */
export const opsProbes = {
  livenessProbe: {
    httpGet: { path: '/healthz', port: 'metrics' },
    periodSeconds: 10,
    timeoutSeconds: 10,
    failureThreshold: 3,
  },
  readinessProbe: {
    httpGet: { path: '/readyz', port: 'metrics' },
    periodSeconds: 5,
    timeoutSeconds: 5,
    failureThreshold: 3,
  },
  startupProbe: {
    httpGet: { path: '/healthz', port: 'metrics' },
    periodSeconds: 2,
    timeoutSeconds: 5,
    failureThreshold: 30,
  },
} as const;
