import { env } from '@spotify-pipeline/shared';
import { z } from 'zod';
import type { Images } from './builders/context.js';

// [registry[:port]/]path[:tag][@sha256:<64 hex>], as the distribution reference grammar allows.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*(?::\\d{1,5})?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*` +
    '(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

/** One workload image: a reference that names its tag or digest (nothing pulls an implicit `latest`). */
const imageReference = (name: string) =>
  z
    .string()
    .max(512)
    .regex(
      REFERENCE,
      `must be an image reference such as ghcr.io/spotify-pipeline/${name}:0.1.0 or …@sha256:<64 hex>`,
    )
    .refine((ref) => /[:@][^/]+$/.test(ref), 'must name a tag (:0.1.0) or a digest (@sha256:…)')
    .default(`ghcr.io/spotify-pipeline/${name}:0.1.0`);

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The operator's own settings (from the Deployment the Helm chart renders). */
export const operatorEnvSchema = z.object({
  KUBECONFIG: z.string().optional(),
  OPERATOR_NAMESPACE: z.string().min(1).default('spotify-pipeline-system'),
  POD_NAME: z.string().min(1).default(`spotify-pipeline-operator-${process.pid}`),
  /** Comma-separated namespaces to watch (pipelines, their children, their Secrets); empty: every namespace. */
  WATCH_NAMESPACES: z
    .string()
    .default('')
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z.array(
        z
          .string()
          .max(63, 'a namespace name has at most 63 characters')
          .regex(NAMESPACE, 'must be namespace names such as team-a,team-b (lowercase, digits, -)'),
      ),
    ),
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
  // The images the operator deploys, each as the chart's `images.*` values (or skaffold) name it.
  IMAGE_SIMULATOR: imageReference('simulator'),
  IMAGE_SPOTIFY_POLLER: imageReference('spotify-poller'),
  IMAGE_HISTORY_IMPORT: imageReference('history-import'),
  IMAGE_LAKE_WRITER: imageReference('lake-writer'),
  IMAGE_LOADER: imageReference('loader'),
  IMAGE_INSIGHTS: imageReference('insights'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});
export type OperatorEnv = z.infer<typeof operatorEnvSchema>;

/** Which image runs each workload; the loader image also runs the transform (dbt). */
export function workloadImages(config: OperatorEnv): Images {
  return {
    sources: {
      simulator: config.IMAGE_SIMULATOR,
      spotify_api: config.IMAGE_SPOTIFY_POLLER,
      history_import: config.IMAGE_HISTORY_IMPORT,
    },
    lakeWriter: config.IMAGE_LAKE_WRITER,
    loader: config.IMAGE_LOADER,
    transformer: config.IMAGE_LOADER,
    insights: config.IMAGE_INSIGHTS,
  };
}
