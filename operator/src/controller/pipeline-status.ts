import { isDeepStrictEqual } from 'node:util';
import type { PipelineStatus, SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { KubeApi } from '../kube/api.js';
import { transitions } from './conditions.js';
import { recordEvent } from './events.js';
import { scalingEvent } from './lake-writer-scaling.js';
import type { OperatorMetrics } from './metrics.js';

/**
 * Writes a pipeline's status with server-side apply on the status subresource, only when it changed, and
 * records an Event for every condition that appeared or changed status or reason.
 */
export async function writeStatus(
  client: KubeApi,
  metrics: OperatorMetrics,
  pipeline: SpotifyPipeline,
  status: PipelineStatus,
): Promise<void> {
  if (isDeepStrictEqual(normalize(pipeline.status ?? {}), normalize(status))) {
    metrics.statusWrites.inc({ skipped: 'true' });
    return;
  }
  await client.apply(
    {
      apiVersion: pipeline.apiVersion,
      kind: pipeline.kind,
      metadata: { name: pipeline.metadata.name, namespace: pipeline.metadata.namespace },
      status,
    } as never,
    'status',
  );
  metrics.statusWrites.inc({ skipped: 'false' });
  for (const c of transitions(pipeline.status, status)) {
    await recordEvent(
      client,
      pipeline,
      c.status === 'True' ? 'Normal' : 'Warning',
      c.reason,
      `${c.type}: ${c.message}`,
    );
  }
  const scaled = scalingEvent(pipeline.status?.lakeWriterScaling, status.lakeWriterScaling);
  if (scaled) await recordEvent(client, pipeline, 'Normal', 'LakeWritersScaled', scaled);
}

function normalize(status: PipelineStatus): unknown {
  return JSON.parse(
    JSON.stringify({
      ...status,
      conditions: [...(status.conditions ?? [])].sort((a, b) => a.type.localeCompare(b.type)),
    }),
  );
}
