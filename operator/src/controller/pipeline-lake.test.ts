import { describe, expect, it } from 'vitest';
import { LakeError } from '../external/lake.js';
import { ExternalCalls } from './external-calls.js';
import { lakeStep } from './pipeline-lake.js';
import { putSecret, stepContext, testWorld } from './test-deps.js';

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
          remove: async () => {},
          exportFiles: async () => 0,
        },
      });
      await putSecret(kube, 'lake-creds', creds);
      const outcome = await lakeStep.run(deps, stepContext());
      expect(outcome).toMatchObject({ conditions: [{ ok: false, reason }] });
      expect(outcome.retry ?? false).toBe(retry);
    }
  });

  it('reports a store that never answers as pending, then unreachable at the deadline, without holding the caller', async () => {
    const { kube, deps } = testWorld({
      lake: { ensure: () => new Promise(() => {}), remove: async () => {}, exportFiles: async () => 0 },
      external: new ExternalCalls({
        inlineWaitMs: 20,
        retryBaseMs: 10_000,
        retryMaxMs: 10_000,
        onSettled: () => {},
      }),
      timeouts: { lakeMs: 100, kafkaMs: 100, deleteMs: 100, recheckMs: 60_000 },
    });
    await putSecret(kube, 'lake-creds', creds);
    const started = Date.now();
    const first = await lakeStep.run(deps, stepContext());
    expect(Date.now() - started).toBeLessThan(100);
    expect(first.conditions[0]).toMatchObject({ ok: false, reason: 'LakeCheckPending' });
    await new Promise((r) => setTimeout(r, 150));
    const later = await lakeStep.run(deps, stepContext());
    expect(later).toMatchObject({ retry: true, conditions: [{ ok: false, reason: 'LakeUnreachable' }] });
    expect(later.conditions[0]?.message).toContain('did not answer within 0.1s');
  });
});
