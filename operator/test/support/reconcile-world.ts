// Test fixtures for the reconcile steps: an in-memory API server, lake and Kafka stand-ins, and a pipeline.
import { createLogger } from '@spotify-pipeline/shared';
import { resolveClaims } from '../../src/controller/claims.js';
import type { ReconcileDeps } from '../../src/controller/deps.js';
import { ExternalCalls } from '../../src/controller/external-calls.js';
import type { StepContext } from '../../src/controller/step.js';
import type { LakeResult } from '../../src/external/lake.js';
import { MemoryKube } from '../../src/kube/memory-kube.js';
import { testContext } from './builder-context.js';

const silentLogger = createLogger({ name: 'test', level: 'silent' });

export interface TestWorld {
  kube: MemoryKube;
  deps: ReconcileDeps;
  lakeCalls: string[];
  kafkaCalls: string[];
  /** Export files under each lake prefix (none unless set). */
  exportFiles: Map<string, number>;
}

/** Deps over a MemoryKube that knows the pipeline's namespaces; lake and Kafka answer at once. */
export function testWorld(overrides: Partial<ReconcileDeps> = {}): TestWorld {
  const kube = new MemoryKube({ fieldManager: 'spotify-pipeline-operator' });
  const lakeCalls: string[] = [];
  const kafkaCalls: string[] = [];
  const exportFiles = new Map<string, number>();
  const deps: ReconcileDeps = {
    client: kube,
    logger: silentLogger,
    images: testContext().images,
    pipelines: () => [],
    lake: {
      ensure: async (s, _signal): Promise<LakeResult> => {
        lakeCalls.push(`ensure ${s.bucket}`);
        return { bucket: 'created', versioning: 'Enabled', lifecycle: 'Unsupported' };
      },
      remove: async (s, deletion) => {
        lakeCalls.push(
          `remove ${s.bucket} ${deletion.prefixes.join(',')}${deletion.removeBucket ? ' +bucket' : ''}`,
        );
        return { bucketRemoved: deletion.removeBucket, objectsLeft: 0 };
      },
      exportFiles: async (_s, prefix) => {
        lakeCalls.push(`list ${prefix}`);
        return exportFiles.get(prefix) ?? 0;
      },
    },
    kafka: {
      ensureTopic: async (_s, topic) => {
        kafkaCalls.push(`ensure ${topic.name} ${topic.partitions}`);
        return topic.partitions;
      },
      deleteTopic: async (_s, name) => {
        kafkaCalls.push(`delete ${name}`);
      },
    },
    external: new ExternalCalls({
      inlineWaitMs: 200,
      retryBaseMs: 50,
      retryMaxMs: 1000,
      onSettled: () => {},
    }),
    timeouts: { lakeMs: 1000, kafkaMs: 1000, deleteMs: 1000, recheckMs: 60_000 },
    ...overrides,
  };
  return { kube, deps, lakeCalls, kafkaCalls, exportFiles };
}

/** A step context for a defaulted test pipeline (namespace music, name wrapped); `spec` merges over it. */
export function stepContext(spec: Record<string, unknown> = {}): StepContext {
  const ctx = testContext(spec);
  return { ...ctx, key: 'music/wrapped', previous: {}, claims: resolveClaims(ctx.pipeline, []) };
}

export async function putSecret(kube: MemoryKube, name: string, data: Record<string, string>) {
  await kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'music' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as never);
}

/** The Secrets the test pipeline names, with every key its workloads read. */
export async function putPipelineSecrets(kube: MemoryKube): Promise<void> {
  await putSecret(kube, 'lake-creds', { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' });
  await putSecret(kube, 'snowflake-creds', {
    SNOWFLAKE_ACCOUNT: 'acct',
    SNOWFLAKE_USER: 'user',
    SNOWFLAKE_PASSWORD: 'made-up',
    SNOWFLAKE_WAREHOUSE: 'wh',
  });
}
