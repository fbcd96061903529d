import type { GroundTruth } from '@spotify-pipeline/shared';
import { createObjectStore, type ObjectStoreEnv, writeObject } from '@spotify-pipeline/shared/object-store';

/** The lake key of one run's ground truth: runs never share a key, so restarts and replicas add up. */
export const groundTruthKey = (prefix: string, runId: string) => `${prefix}${runId}.json`;

/** Writes a run's ground-truth summary to the lake; rejects if the lake has not taken it within 30 s. */
export async function writeGroundTruthToLake(
  lake: ObjectStoreEnv,
  key: string,
  summary: GroundTruth,
): Promise<void> {
  await writeObject(createObjectStore(lake), lake.LAKE_BUCKET, key, Buffer.from(JSON.stringify(summary)), {
    timeoutMs: 30_000,
    contentType: 'application/json',
  });
}
