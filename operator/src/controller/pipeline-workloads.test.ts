import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { putPipelineSecrets, putSecret, stepContext, testWorld } from '../../test/support/reconcile-world.js';
import { KubeApiError } from '../kube/api.js';
import { resolveClaims } from './claims.js';
import { workloadsStep } from './pipeline-workloads.js';
import { runStep } from './step.js';

const deploymentRef = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'music',
  name,
});

describe('workloads step', () => {
  it('applies sources, lake writer and autoscaler, and waits for the Deployments', async () => {
    const { kube, deps } = testWorld();
    await putPipelineSecrets(kube);
    const ctx = stepContext({ lakeWriter: { autoscaler: 'hpa' } });
    const outcome = await workloadsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'DeploymentsNotAvailable' });
    expect(outcome.status?.lakeWriters).toBe(`${ctx.plan.lakeWriters.min}-${ctx.plan.lakeWriters.max}`);
    expect(
      kube
        .all('apps/v1', 'Deployment')
        .map((c) => c.metadata?.name)
        .sort(),
    ).toEqual(['wrapped-lake-writer', 'wrapped-source-0']);
    expect(kube.all('autoscaling/v2', 'HorizontalPodAutoscaler')).toHaveLength(1);
    for (const name of ['wrapped-lake-writer', 'wrapped-source-0']) {
      const d = kube.peek(deploymentRef(name));
      kube.put({
        ...d,
        status: { observedGeneration: d?.metadata?.generation, availableReplicas: 1, updatedReplicas: 1 },
      });
    }
    expect((await workloadsStep.run(deps, ctx)).conditions[0]).toMatchObject({
      ok: true,
      reason: 'DeploymentsAvailable',
    });
  });

  it('says to install KEDA when the ScaledObject kind is not served', async () => {
    const { kube, deps } = testWorld();
    kube.unserve('keda.sh/v1alpha1', 'ScaledObject');
    const outcome = await workloadsStep.run(deps, stepContext({ lakeWriter: { autoscaler: 'keda' } }));
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'KedaNotInstalled' });
  });

  it('applies every other child when the API server refuses one, and reports the refusal', async () => {
    const { kube, deps } = testWorld();
    kube.intercept = (call) => {
      if (call.verb === 'apply' && call.name === 'wrapped-source-0')
        throw new KubeApiError(
          422,
          { message: 'Deployment.apps "wrapped-source-0" is invalid' },
          'PATCH',
          'x',
        );
    };
    const outcome = await runStep(workloadsStep, deps, stepContext(), {
      timeoutMs: 1000,
      stragglers: new Map(),
    });
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'ApiServerRejected' });
    expect(outcome.conditions[0]?.message).toContain('wrapped-source-0" is invalid');
    expect(kube.peek(deploymentRef('wrapped-lake-writer'))).toBeDefined();
    expect(
      kube.peek({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        namespace: 'music',
        name: 'wrapped-lake-writer',
      }),
    ).toBeDefined();
  });

  describe('a source that cannot start', () => {
    const poller = {
      type: 'spotify_api',
      credentialsSecret: 'spotify-app',
      spotifyApi: { tokenSecret: 'spotify-tokens', listeners: [{ userId: 'alice' }, { userId: 'bob' }] },
    };
    const lakeCreds = { LAKE_ACCESS_KEY: 'a', LAKE_SECRET_KEY: 'b' };

    it('is withheld with the reason until its Secret exists; a missing listener token only degrades it', async () => {
      const { kube, deps } = testWorld();
      await putSecret(kube, 'lake-creds', lakeCreds);
      const ctx = stepContext({ sources: [poller] });
      const blocked = await workloadsStep.run(deps, ctx);
      expect(blocked.conditions[0]).toMatchObject({ ok: false, reason: 'SourceNotReady' });
      expect(blocked.conditions[0]?.message).toContain(
        'Secret spotify-app does not exist: create it with the keys SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET',
      );
      expect(blocked.requeueAfterMs).toBeGreaterThan(0);
      expect(kube.peek(deploymentRef('wrapped-source-0'))).toBeUndefined();
      expect(kube.peek(deploymentRef('wrapped-lake-writer'))).toBeDefined();

      await putSecret(kube, 'spotify-app', { SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 's' });
      await putSecret(kube, 'spotify-tokens', { alice: 't' });
      const running = await workloadsStep.run(deps, ctx);
      expect(running.conditions[0]).toMatchObject({ reason: 'DeploymentsNotAvailable' });
      expect(running.conditions[0]?.message).toContain(
        'Running without: spec.sources[0] (spotify_api): Secret spotify-tokens has no key bob (the refresh token of listener bob)',
      );
      expect(kube.peek(deploymentRef('wrapped-source-0'))).toBeDefined();
    });

    it('an import waits for export files under its prefix, and lists it no more once its Job exists', async () => {
      const { kube, deps, lakeCalls, exportFiles } = testWorld();
      await putSecret(kube, 'lake-creds', lakeCreds);
      const ctx = stepContext({
        sources: [{ type: 'history_import', historyImport: { prefix: 'imports/alice/' } }],
      });
      const job = { apiVersion: 'batch/v1', kind: 'Job', namespace: 'music', name: 'wrapped-source-0' };
      const waiting = await workloadsStep.run(deps, ctx);
      expect(waiting.conditions[0]).toMatchObject({ ok: false, reason: 'SourceNotReady' });
      expect(waiting.conditions[0]?.message).toContain(
        'no Streaming_History_Audio_*.json objects under imports/alice/',
      );
      expect(kube.peek(job)).toBeUndefined();

      exportFiles.set('imports/alice/', 2);
      deps.external.forget('music/wrapped'); // as if the 30 s recheck had passed
      await workloadsStep.run(deps, ctx);
      expect(kube.peek(job)).toBeDefined();
      const listed = lakeCalls.filter((c) => c === 'list imports/alice/').length;
      deps.external.forget('music/wrapped');
      await workloadsStep.run(deps, ctx);
      expect(lakeCalls.filter((c) => c === 'list imports/alice/').length).toBe(listed);
    });
  });

  it('deploys nothing while another pipeline owns its topic or lake prefix', async () => {
    const { kube, deps } = testWorld();
    const first = testPipeline();
    first.metadata = {
      ...first.metadata,
      name: 'first',
      uid: 'uid-first',
      creationTimestamp: '2025-01-01T00:00:00Z',
    };
    const ctx = stepContext();
    ctx.pipeline.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    ctx.claims = resolveClaims(ctx.pipeline, [first, ctx.pipeline]);
    const outcome = await workloadsStep.run(deps, ctx);
    expect(outcome.conditions[0]).toMatchObject({ ok: false, reason: 'BlockedByClaim' });
    expect(outcome.conditions[0]?.message).toContain('music/first');
    expect(kube.calls).toEqual([]);
  });

  it('names a Secret the lake writer reads and lacks, with the field that names it', async () => {
    const { deps } = testWorld();
    const lacking = await workloadsStep.run(deps, stepContext());
    expect(lacking.conditions[0]).toMatchObject({ ok: false, reason: 'SecretMissing' });
    expect(lacking.conditions[0]?.message).toContain(
      'the lake writer reads Secret lake-creds (spec.lake.credentialsSecret), which does not exist',
    );
  });
});
