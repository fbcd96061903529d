import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { putSecret, stepContext, testWorld } from '../../test/support/reconcile-world.js';
import { LakeError } from '../external/lake.js';
import { resolveClaims } from './claims.js';
import { ExternalCalls } from './external-calls.js';
import { lakeStep } from './pipeline-lake.js';

const creds = { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' };

describe('lake step', () => {
  it('names the Secret field when the Secret or a key is missing', async () => {
    const { kube, deps, lakeCalls } = testWorld();
    const missing = await lakeStep.run(deps, stepContext());
    expect(missing.conditions[0]).toMatchObject({ ok: false, reason: 'LakeSecretMissing' });
    expect(missing.conditions[0]?.message).toContain('spec.lake.credentialsSecret');
    await putSecret(kube, 'lake-creds', { LAKE_ACCESS_KEY: 'a' });
    expect((await lakeStep.run(deps, stepContext())).conditions[0]?.message).toContain('LAKE_SECRET_KEY');
    expect(lakeCalls).toEqual([]);
  });

  it('ensures the bucket, says what the server does not support, and reuses the check', async () => {
    const { kube, deps, lakeCalls } = testWorld();
    await putSecret(kube, 'lake-creds', creds);
    const first = await lakeStep.run(deps, stepContext());
    expect(first.conditions[0]).toMatchObject({ ok: true, reason: 'BucketReady' });
    expect(first.conditions[0]?.message).toContain('does not support the bronze expiry');
    expect(first.status?.lake).toEqual({
      bucket: 'spotify-lake',
      versioning: 'Enabled',
      lifecycle: 'Unsupported',
    });
    await lakeStep.run(deps, stepContext());
    expect(lakeCalls).toEqual(['ensure spotify-lake']);
  });

  it('tells refused credentials from an unreachable store, and retries only the latter', async () => {
    for (const [kind, reason, retry] of [
      ['access-denied', 'LakeAccessDenied', false],
      ['unreachable', 'LakeUnreachable', true],
    ] as const) {
      const { kube, deps } = testWorld({
        lake: {
          ensure: async () => {
            throw new LakeError(kind, 'the object store said no');
          },
          remove: async () => ({ bucketRemoved: false, objectsLeft: 0 }),
          exportFiles: async () => 0,
        },
      });
      await putSecret(kube, 'lake-creds', creds);
      const outcome = await lakeStep.run(deps, stepContext());
      expect(outcome).toMatchObject({ conditions: [{ ok: false, reason }] });
      expect(outcome.retry ?? false).toBe(retry);
    }
  });

  it('reports a store that never answers as pending (the caller goes on), then unreachable at the deadline', async () => {
    const { kube, deps } = testWorld({
      lake: {
        ensure: () => new Promise(() => {}),
        remove: async () => ({ bucketRemoved: false, objectsLeft: 0 }),
        exportFiles: async () => 0,
      },
      external: new ExternalCalls({
        inlineWaitMs: 20,
        retryBaseMs: 10_000,
        retryMaxMs: 10_000,
        onSettled: () => {},
      }),
      timeouts: { lakeMs: 100, kafkaMs: 100, deleteMs: 100, recheckMs: 60_000 },
    });
    await putSecret(kube, 'lake-creds', creds);
    const first = await lakeStep.run(deps, stepContext());
    expect(first.conditions[0]).toMatchObject({ ok: false, reason: 'LakeCheckPending' });
    // Asked again until the 100 ms deadline has passed: on a loaded machine its timer may fire well after
    // 100 ms of wall time, so the test waits for the outcome, not for a fixed time.
    let later = first;
    for (const asked = Date.now(); Date.now() - asked < 10_000; ) {
      await new Promise((r) => setTimeout(r, 50));
      later = await lakeStep.run(deps, stepContext());
      if (later.conditions[0]?.reason !== 'LakeCheckPending') break;
    }
    expect(later).toMatchObject({ retry: true, conditions: [{ ok: false, reason: 'LakeUnreachable' }] });
    expect(later.conditions[0]?.message).toContain('did not answer within 0.1s');
  });

  it('refuses a lake prefix another pipeline writes, without calling the store', async () => {
    const { kube, deps, lakeCalls } = testWorld();
    await putSecret(kube, 'lake-creds', creds);
    const first = testPipeline();
    first.metadata = {
      ...first.metadata,
      name: 'first',
      uid: 'uid-first',
      creationTimestamp: '2025-01-01T00:00:00Z',
    };
    const ctx = stepContext({ kafka: { mode: 'external', external: { bootstrapServers: 'other:9092' } } });
    ctx.pipeline.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    ctx.claims = resolveClaims(ctx.pipeline, [first, ctx.pipeline]);
    const outcome = await lakeStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'LakePrefixClaimed' });
    expect(outcome.conditions[0]?.message).toContain('s3://spotify-lake/bronze/listening-events/');
    expect(outcome.conditions[0]?.message).toContain('pipeline music/first');
    expect(lakeCalls).toEqual([]);
  });

  it('does not make again in silence a bucket the pipeline had and lost', async () => {
    const asked: boolean[] = [];
    const { kube, deps } = testWorld({
      lake: {
        ensure: async (s) => {
          asked.push(s.mayCreate);
          if (!s.mayCreate) throw new LakeError('bucket-missing', `bucket ${s.bucket} is gone`);
          return { bucket: 'created', versioning: 'Enabled', lifecycle: 'Enabled' };
        },
        remove: async () => ({ bucketRemoved: false, objectsLeft: 0 }),
        exportFiles: async () => 0,
      },
    });
    await putSecret(kube, 'lake-creds', creds);
    expect((await lakeStep.run(deps, stepContext())).conditions[0]).toMatchObject({ ok: true });
    const had = stepContext();
    had.pipeline.status = { lake: { bucket: 'spotify-lake', versioning: 'Enabled', lifecycle: 'Enabled' } };
    had.pipeline.metadata.generation = 2;
    const outcome = await lakeStep.run(deps, had);
    expect(asked).toEqual([true, false]);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'BucketMissing' });
    expect(outcome.conditions[0]?.message).toContain('Create the bucket');
  });
});
