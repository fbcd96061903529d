import { createHash } from 'node:crypto';
import type { RunKey } from './prng.js';

/**
 * The key of one run's randomness. The seed names the world (catalog and audience), the run id one run of
 * one process, and the start instant the window it simulates: a real-time run starts at "now", so even a
 * restart that reuses a run id gets new keys. Sessions and event ids come from streams of this key, so two
 * replicas or a restart never repeat an id, while the same (seed, run id, start) gives the same bytes.
 */
export function runKey(seed: number, runId: string, startMs: number): RunKey {
  const digest = createHash('sha256').update(`spotify-simulator|${seed}|${startMs}|${runId}`).digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4), digest.readUInt32BE(8), digest.readUInt32BE(12)];
}
