import type { Applyable, KubeObject } from '../kube/api.js';
import type { ReconcileDeps } from './deps.js';

/**
 * True when every field of `desired` already has that value in `actual` (extra fields in `actual`, such as
 * API-server defaults and other managers' fields, do not matter). Then applying would change nothing.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((d, i) => isSubset(d, actual[i]))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(desired).every(([k, v]) => isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  return desired === actual;
}

/**
 * Where `actual` first departs from `desired` in the sense of `isSubset` (a path and both values), or null
 * when it does not: an object that never reads back as sent is applied again on every pass.
 */
export function firstDifference(desired: unknown, actual: unknown, path = ''): string | null {
  if (isSubset(desired, actual)) return null;
  if (Array.isArray(desired) && Array.isArray(actual) && actual.length === desired.length) {
    for (let i = 0; i < desired.length; i++) {
      const found = firstDifference(desired[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
  }
  if (desired !== null && typeof desired === 'object' && !Array.isArray(desired)) {
    if (actual !== null && typeof actual === 'object' && !Array.isArray(actual)) {
      for (const [k, v] of Object.entries(desired)) {
        const found = firstDifference(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
        if (found) return found;
      }
    }
  }
  return `${path || '.'}: sent ${JSON.stringify(desired)?.slice(0, 200)}, read back ${JSON.stringify(actual)?.slice(0, 200)}`;
}

/**
 * Server-side apply, skipped when the watch cache shows the object already as desired: a converged
 * pipeline costs reads from memory, not writes. A stale cache only delays the apply until its watch event
 * requeues the pipeline.
 */
export async function applyIfChanged<T extends KubeObject>(
  deps: ReconcileDeps,
  object: Applyable,
): Promise<T> {
  const current = deps.observed?.(object);
  if (current && isSubset(object, current)) return current as T;
  return deps.client.apply<T>(object);
}

/** Whether a "must not exist" object is known to be absent already (null) or must be deleted to be sure. */
export function knownAbsent(deps: ReconcileDeps, ref: Applyable): boolean {
  return deps.observed?.(ref) === null;
}
