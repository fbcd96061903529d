import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import type { KubeApi } from '../kube/api.js';

const EVENT_SOURCE = 'spotify-pipeline-operator';

/** A core/v1 Event on the pipeline: what `kubectl describe spl` shows. Failures to record are not fatal. */
export async function recordEvent(
  client: KubeApi,
  pipeline: SpotifyPipeline,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): Promise<void> {
  const now = new Date().toISOString();
  await client
    .create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        generateName: `${pipeline.metadata.name}.`,
        namespace: pipeline.metadata.namespace,
      } as never,
      involvedObject: {
        apiVersion: pipeline.apiVersion,
        kind: pipeline.kind,
        name: pipeline.metadata.name,
        namespace: pipeline.metadata.namespace,
        uid: pipeline.metadata.uid,
        resourceVersion: pipeline.metadata.resourceVersion,
      },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: process.env.HOSTNAME ?? EVENT_SOURCE,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as never)
    .catch(() => undefined);
}
