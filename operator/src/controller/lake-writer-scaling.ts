import { names } from '../builders/context.js';
import type { LakeWriterScaling } from '../crd/spotify-pipeline.js';
import type { KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';
import type { StepContext } from './step.js';

interface HpaObject extends KubeObject {
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    lastScaleTime?: string;
    conditions?: unknown[];
    currentMetrics?: Array<{
      type?: string;
      external?: { current?: { averageValue?: string; value?: string } };
    }>;
  };
}

/** The HPA that scales the lake writers: KEDA's (`keda-hpa-<ScaledObject>`) or the operator's own. */
function scalingHpaName(ctx: StepContext): string | null {
  const { pipeline } = ctx;
  const autoscaler = pipeline.spec.lakeWriter.autoscaler;
  if (autoscaler === 'keda') return `keda-hpa-${names.lakeWriter(pipeline)}`;
  if (autoscaler === 'hpa') return names.lakeWriter(pipeline);
  return null;
}

/** A Kubernetes quantity as a number ("41666", "41666500m", "2k"). */
export function quantityValue(q: string): number {
  const m = /^([0-9.]+)(m|k|M|G)?$/.exec(q);
  if (!m) return Number.NaN;
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}

/**
 * Current and desired lake writers and the consumer lag, as the HPA reports them. The lag metric is an
 * AverageValue (lag per writer): the total is that times the current writers.
 */
export function scalingFromHpa(autoscaler: 'keda' | 'hpa', hpa: HpaObject): LakeWriterScaling {
  const st = hpa.status ?? {};
  const metric = st.currentMetrics?.find((m) => m.type === 'External')?.external?.current;
  const current = st.currentReplicas ?? 0;
  const perWriter = metric?.averageValue ? quantityValue(metric.averageValue) : Number.NaN;
  const total = metric?.value ? quantityValue(metric.value) : perWriter * current;
  return {
    autoscaler,
    current,
    desired: st.desiredReplicas ?? current,
    ...(Number.isFinite(total) ? { lag: Math.round(total) } : {}),
    ...(st.lastScaleTime ? { lastScaleTime: st.lastScaleTime } : {}),
  };
}

/**
 * Whether the HPA controller has looked at the HPA yet. A new HPA reads back without currentReplicas, which the
 * status would show as 0 writers (and an Event "Lake writers 1 -> 0" on a switch to hpa); the controller writes
 * its conditions on its first pass.
 */
export function hasReported(hpa: HpaObject): boolean {
  return (hpa.status?.conditions?.length ?? 0) > 0;
}

/** The lake writers' scaling as last seen, or undefined without an autoscaler or before it reported. */
export async function readScaling(
  deps: ReconcileDeps,
  ctx: StepContext,
): Promise<LakeWriterScaling | undefined> {
  const name = scalingHpaName(ctx);
  const autoscaler = ctx.pipeline.spec.lakeWriter.autoscaler;
  if (!name || autoscaler === 'none') return undefined;
  const ref = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { namespace: ctx.pipeline.metadata.namespace, name },
  };
  const cached = deps.observed?.(ref);
  const hpa = (
    cached !== undefined
      ? cached
      : await deps.client.getOrNull({ ...ref, namespace: ref.metadata.namespace, name })
  ) as HpaObject | null;
  if (!hpa || !hasReported(hpa)) return undefined;
  return scalingFromHpa(autoscaler, hpa);
}

/** The Event line for a change in the number of lake writers, or null when it did not change. */
export function scalingEvent(
  previous: LakeWriterScaling | undefined,
  next: LakeWriterScaling | undefined,
): string | null {
  if (!next || !previous || previous.current === next.current) return null;
  const lag = next.lag === undefined ? '' : `, lag ${next.lag.toLocaleString('en-US')}`;
  return `Lake writers ${previous.current} -> ${next.current} (${next.autoscaler}: desired ${next.desired}${lag}).`;
}
