import { names } from '../builders/context.js';
import { type ClusterFacts, type SourceNeeds, sourceNeeds } from '../builders/source-needs.js';
import { buildSourceWorkloads, IMPORT_SETTINGS_ANNOTATION } from '../builders/sources.js';
import type { KubeObject } from '../kube/api.js';
import type { ReconcileDeps, SecretObject } from './deps.js';
import { lakeSettings } from './pipeline-lake.js';
import type { StepContext } from './step.js';

/** Uploads are noticed this soon while an import waits for its files (it lists one prefix, then stops). */
const EXPORT_RECHECK_MS = 30_000;

/**
 * What each source needs now: an import whose Job already runs (or ran) with the same settings needs its
 * files no more, so its prefix is not listed again.
 */
export async function currentSourceNeeds(deps: ReconcileDeps, ctx: StepContext): Promise<SourceNeeds[]> {
  const jobs = buildSourceWorkloads(ctx).filter((w) => w.object.kind === 'Job');
  const settled = new Set<number>();
  for (const { index, object } of jobs) {
    const ref = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: ctx.pipeline.metadata.namespace,
      name: names.source(ctx.pipeline, index),
    };
    const cached = deps.observed?.({ ...object });
    const current = (cached !== undefined ? cached : await deps.client.getOrNull(ref)) as KubeObject | null;
    const want = object.metadata.annotations?.[IMPORT_SETTINGS_ANNOTATION];
    if (current?.metadata?.annotations?.[IMPORT_SETTINGS_ANNOTATION] === want) settled.add(index);
  }
  return sourceNeeds(ctx).map(({ exportPrefix, ...need }) =>
    settled.has(need.index) || exportPrefix === undefined ? need : { ...need, exportPrefix },
  );
}

/**
 * What the cluster has that the sources need: the keys of the Secrets they read (each read by name, never
 * listed; values are not kept), and the export files under each waiting import's prefix (counted off the
 * worker's path, with the lake step's deadline).
 */
export async function gatherSourceFacts(
  deps: ReconcileDeps,
  ctx: StepContext,
  needs: SourceNeeds[],
): Promise<ClusterFacts> {
  const namespace = ctx.pipeline.metadata.namespace;
  const secretNames = [...new Set(needs.flatMap((n) => n.secrets.map((s) => s.secret)))];
  const keys = new Map(
    await Promise.all(
      secretNames.map(async (name) => {
        const secret = await deps.client.getOrNull<SecretObject>({
          apiVersion: 'v1',
          kind: 'Secret',
          namespace,
          name,
        });
        return [name, secret ? new Set(Object.keys(secret.data ?? {})) : null] as const;
      }),
    ),
  );
  const prefixes = [...new Set(needs.flatMap((n) => (n.exportPrefix === undefined ? [] : [n.exportPrefix])))];
  const counts = new Map<string, number | string>();
  if (prefixes.length > 0) {
    const lake = await lakeSettings(deps, ctx);
    for (const prefix of prefixes)
      counts.set(prefix, typeof lake === 'string' ? lake : await countExportFiles(deps, ctx, lake, prefix));
  }
  return {
    secretKeys: (name) => keys.get(name) ?? null,
    exportFiles: (prefix) => counts.get(prefix) ?? 'not counted',
  };
}

async function countExportFiles(
  deps: ReconcileDeps,
  ctx: StepContext,
  lake: Exclude<Awaited<ReturnType<typeof lakeSettings>>, string>,
  prefix: string,
): Promise<number | string> {
  const call = await deps.external.call<number>(
    ctx.key,
    `export-files ${prefix}`,
    `${ctx.pipeline.metadata.uid}/${lake.secretVersion}/${ctx.pipeline.spec.lake.endpoint}/${ctx.pipeline.spec.lake.bucket}`,
    {
      deadlineMs: deps.timeouts.lakeMs,
      maxAgeMs: EXPORT_RECHECK_MS,
      describe: `listing ${prefix} in the lake`,
    },
    (signal) => deps.lake.exportFiles(lake.settings, prefix, signal),
  );
  if (call.state === 'done') return call.value;
  if (call.state === 'pending') return 'the object store has not answered yet';
  return (call.error as Error).message;
}
