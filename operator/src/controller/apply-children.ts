import type { DesiredChild } from '../builders/index.js';
import { KubeApiError, type KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';
import { applyIfChanged, knownAbsent } from './observed.js';

export type ChildResult =
  | { child: DesiredChild; outcome: 'applied'; object: KubeObject }
  | { child: DesiredChild; outcome: 'absent' }
  | { child: DesiredChild; outcome: 'kind-missing' };

/**
 * Applies every desired child (server-side apply) and deletes every "must not exist" one, in parallel.
 * Every child is attempted even when one is refused; the first refusal is then thrown, so the step reports
 * it and the rest of the pipeline is as complete as it can be. A kind the API server does not serve (CRD
 * not installed) is reported, not thrown: absent is then already true, and present is the caller's
 * condition to explain.
 */
export async function applyChildren(
  deps: ReconcileDeps,
  namespace: string,
  children: DesiredChild[],
): Promise<ChildResult[]> {
  const settled = await Promise.allSettled(children.map((child) => applyChild(deps, namespace, child)));
  const refused = settled.find((s) => s.status === 'rejected');
  if (refused) throw refused.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ChildResult>).value);
}

async function applyChild(deps: ReconcileDeps, namespace: string, child: DesiredChild): Promise<ChildResult> {
  try {
    if (child.object) {
      return { child, outcome: 'applied', object: await applyIfChanged<KubeObject>(deps, child.object) };
    }
    const ref = { apiVersion: child.apiVersion, kind: child.kind, metadata: { namespace, name: child.name } };
    if (knownAbsent(deps, ref)) return { child, outcome: 'absent' };
    await deps.client.delete({ apiVersion: child.apiVersion, kind: child.kind, namespace, name: child.name });
    return { child, outcome: 'absent' };
  } catch (err) {
    if (err instanceof KubeApiError && err.resourceMissing) {
      return child.object ? { child, outcome: 'kind-missing' } : { child, outcome: 'absent' };
    }
    throw err;
  }
}
