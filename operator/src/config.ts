import { env } from '@spotify-pipeline/shared';
import { z } from 'zod';

/** The operator's own settings (from the Deployment the Helm chart renders). */
export const operatorEnvSchema = z.object({
  KUBECONFIG: z.string().optional(),
  OPERATOR_NAMESPACE: z.string().min(1).default('spotify-pipeline-system'),
  POD_NAME: z.string().min(1).default(`spotify-pipeline-operator-${process.pid}`),
  LEADER_ELECTION: env.bool(true),
  LEASE_NAME: z.string().min(1).default('spotify-pipeline-operator'),
  WORKERS: env.int(4).pipe(z.number().int().min(1).max(64)),
  RESYNC_SECONDS: env.int(300).pipe(z.number().int().min(5)),
  /** Deadline of one API server request. */
  API_TIMEOUT_SECONDS: env.int(15).pipe(z.number().int().min(1).max(300)),
  /** Deadline of one reconcile step (topics, brokers, lake, workloads, schedule). */
  STEP_TIMEOUT_SECONDS: env.int(30).pipe(z.number().int().min(1).max(600)),
  /** Keys waiting and no reconcile finishing for this long: /readyz and /healthz answer 503. */
  STALL_SECONDS: env.int(180).pipe(z.number().int().min(10)),
  OPS_PORT: env.int(8080).pipe(z.number().int().min(0).max(65_535)),
  IMAGE_REGISTRY: z.string().min(1).default('ghcr.io/spotify-pipeline'),
  IMAGE_TAG: z.string().min(1).default('0.1.0'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});
export type OperatorEnv = z.infer<typeof operatorEnvSchema>;
