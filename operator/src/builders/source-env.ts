import {
  historyImportEnvSchema,
  simulatorEnvSchema,
  spotifyPollerEnvSchema,
} from '@spotify-pipeline/shared/workloads';
import type { SourceSpec } from '../crd/spotify-pipeline.js';
import { type BuildContext, names } from './context.js';
import { catalogTopicPrefix } from './kafka-topic.js';
import { kafkaUserName } from './kafka-users.js';
import { METRICS_PORT } from './pod-security.js';
import {
  type EnvName,
  kafkaSecretEnv,
  kafkaValues,
  lakeSecretEnv,
  lakeValues,
  type SecretEnv,
  type WorkloadEnv,
} from './workload-env.js';

/** A source's env and the schema its service reads it with: the same pair the config check parses. */
export type SourceEnv =
  | {
      type: 'simulator';
      schema: typeof simulatorEnvSchema;
      env: WorkloadEnv<EnvName<typeof simulatorEnvSchema>>;
    }
  | {
      type: 'spotify_api';
      schema: typeof spotifyPollerEnvSchema;
      env: WorkloadEnv<EnvName<typeof spotifyPollerEnvSchema>>;
    }
  | {
      type: 'history_import';
      schema: typeof historyImportEnvSchema;
      env: WorkloadEnv<EnvName<typeof historyImportEnvSchema>>;
    };

/** The variable a listener's refresh token is read into (from the token Secret, by secretKeyRef). */
const refreshTokenEnv = (listener: number) => `SPOTIFY_REFRESH_TOKEN_${listener}`;

/** Where the pipeline's simulators write each run's ground truth in the lake (`<prefix><run id>.json`). */
export const simulatorGroundTruthPrefix = (pipeline: { metadata: { namespace: string; name: string } }) =>
  `ground-truth/simulator/${pipeline.metadata.namespace}/${pipeline.metadata.name}/`;

/** Where the pipeline's pollers keep their cursors in the lake. */
const pollerStatePrefix = ({ pipeline }: BuildContext) =>
  `state/spotify-poller/${pipeline.metadata.namespace}/${pipeline.metadata.name}/`;

export function sourceEnv(ctx: BuildContext, index: number, source: SourceSpec): SourceEnv {
  const { pipeline } = ctx;
  const common = {
    ...kafkaValues(ctx, names.source(pipeline, index)),
    SOURCE_TOPIC: pipeline.spec.kafka.topic.name,
  };
  if (source.type === 'simulator') {
    return {
      type: 'simulator',
      schema: simulatorEnvSchema,
      env: {
        values: {
          ...common,
          SIMULATOR_MODE: 'realtime',
          SIMULATOR_RATE: String(source.eventsPerSecond),
          SIMULATOR_LISTENERS: String(Math.min(pipeline.spec.audience.users, 1_000_000_000)),
          // The catalog goes to the pipeline's own catalog topics (<events>.catalog.*); the events keep SOURCE_TOPIC.
          SIMULATOR_CATALOG: 'true',
          SOURCE_TOPIC_PREFIX: catalogTopicPrefix(pipeline.spec.kafka.topic.name),
          OPS_PORT: String(METRICS_PORT),
          ...(source.simulator?.groundTruth
            ? { ...lakeValues(ctx), SIMULATOR_GROUND_TRUTH_PREFIX: simulatorGroundTruthPrefix(pipeline) }
            : {}),
        },
        secrets: [
          ...(source.simulator?.groundTruth ? lakeSecretEnv(ctx) : []),
          ...kafkaSecretEnv(ctx, kafkaUserName.source(ctx.pipeline, index)),
        ],
      },
    };
  }
  if (source.type === 'spotify_api') return pollerEnv(ctx, index, common, source);
  const history = source.historyImport;
  return {
    type: 'history_import',
    schema: historyImportEnvSchema,
    env: {
      values: {
        ...common,
        ...lakeValues(ctx),
        ...(history?.prefix ? { HISTORY_IMPORT_PREFIX: history.prefix } : {}),
        ...(history?.userId ? { HISTORY_IMPORT_USER: history.userId } : {}),
        HISTORY_IMPORT_INCLUDE_INCOGNITO: String(history?.includeIncognito ?? false),
      },
      secrets: [...lakeSecretEnv(ctx), ...kafkaSecretEnv(ctx, kafkaUserName.source(ctx.pipeline, index))],
    },
  };
}

function pollerEnv(
  ctx: BuildContext,
  index: number,
  common: ReturnType<typeof kafkaValues> & { SOURCE_TOPIC: string },
  source: SourceSpec,
): SourceEnv {
  const api = source.spotifyApi;
  const listeners = api?.listeners ?? [];
  const credentials: SecretEnv[] = source.credentialsSecret
    ? (['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET'] as const).map((name) => ({
        name,
        secret: source.credentialsSecret!,
        key: name,
      }))
    : [];
  // A listener whose token key is missing is skipped by the poller (and reported); the others still run.
  const tokens: SecretEnv[] = api
    ? listeners.map((l, j) => ({
        name: refreshTokenEnv(j),
        secret: api.tokenSecret,
        key: l.tokenKey ?? l.userId,
        optional: true,
      }))
    : [];
  return {
    type: 'spotify_api',
    schema: spotifyPollerEnvSchema,
    env: {
      values: {
        ...common,
        ...lakeValues(ctx),
        SPOTIFY_POLLER_LISTENERS: JSON.stringify(
          listeners.map((l, j) => ({
            user_id: l.userId,
            refresh_token_env: refreshTokenEnv(j),
            ...(l.country ? { country: l.country } : {}),
            ...(l.device ? { device: l.device } : {}),
          })),
        ),
        SPOTIFY_POLLER_INTERVAL_SECONDS: String(api?.intervalSeconds ?? 60),
        SPOTIFY_POLLER_STATE_PREFIX: pollerStatePrefix(ctx),
      },
      secrets: [
        ...credentials,
        ...tokens,
        ...lakeSecretEnv(ctx),
        ...kafkaSecretEnv(ctx, kafkaUserName.source(ctx.pipeline, index)),
      ],
    },
  };
}
