import type { DesiredChild } from '../builders/index.js';
import { IMPORT_SETTINGS_ANNOTATION } from '../builders/sources.js';
import type { KubeObject } from '../kube/client.js';
import type { ReconcileDeps } from './deps.js';

interface JobObject extends KubeObject {
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
}

/**
 * A Job's template cannot change, and a finished import must not run again on every pass: a desired Job
 * is created when absent and otherwise left as it is, unless its import settings changed. Then it is
 * deleted; its watch event brings the pipeline back and the next pass creates the new one. Returns what is
 * left to apply, and the Jobs that exist (their status feeds the condition).
 */
export async function settleJobs(
  deps: ReconcileDeps,
  namespace: string,
  children: DesiredChild[],
): Promise<{ toApply: DesiredChild[]; existing: JobObject[] }> {
  const toApply: DesiredChild[] = [];
  const existing: JobObject[] = [];
  for (const child of children) {
    if (child.kind !== 'Job' || !child.object) {
      toApply.push(child);
      continue;
    }
    const ref = { apiVersion: child.apiVersion, kind: child.kind, namespace, name: child.name };
    const cached = deps.observed?.({ ...child.object });
    const current = (cached !== undefined ? cached : await deps.client.getOrNull(ref)) as JobObject | null;
    if (!current) {
      toApply.push(child);
      continue;
    }
    const want = child.object.metadata.annotations?.[IMPORT_SETTINGS_ANNOTATION];
    if (current.metadata?.annotations?.[IMPORT_SETTINGS_ANNOTATION] === want) existing.push(current);
    else await deps.client.delete(ref);
  }
  return { toApply, existing };
}

/** Why a Job needs attention (it failed), or null while it runs or once it completed. */
export function jobProblem(job: JobObject): string | null {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return null;
  return `Job ${job.metadata?.name} failed (${failed.reason ?? 'Failed'}: ${failed.message ?? 'no message'}); see its pod's log, fix the input or the settings, then delete the Job to run it again`;
}
