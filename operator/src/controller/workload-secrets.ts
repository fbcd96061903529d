import type { SecretEnv } from '../builders/workload-env.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';

/** A Secret as a pass read it: its keys, or null when it does not exist. */
export type SecretKeys = (name: string) => Promise<ReadonlySet<string> | null>;

/** The spec fields that name a Secret, for messages that say what to fix. */
export function secretFields(pipeline: SpotifyPipeline, secret: string): string[] {
  const { spec } = pipeline;
  const fields: string[] = [];
  if (spec.lake.credentialsSecret === secret) fields.push('spec.lake.credentialsSecret');
  if (spec.kafka.external?.credentialsSecret === secret) fields.push('spec.kafka.external.credentialsSecret');
  if (spec.warehouse?.credentialsSecret === secret) fields.push('spec.warehouse.credentialsSecret');
  spec.sources.forEach((s, i) => {
    if (s.credentialsSecret === secret) fields.push(`spec.sources[${i}].credentialsSecret`);
    if (s.spotifyApi?.tokenSecret === secret) fields.push(`spec.sources[${i}].spotifyApi.tokenSecret`);
  });
  return fields;
}

/**
 * What is missing for the Secret keys a workload reads (its secretKeyRefs): a Secret that does not exist,
 * or a key it lacks. Optional keys are left out: the workload runs without them. One line per Secret,
 * naming the spec field, for `workload`.
 */
export async function missingSecrets(
  pipeline: SpotifyPipeline,
  workload: string,
  refs: SecretEnv[],
  secretKeys: SecretKeys,
): Promise<string[]> {
  const bySecret = new Map<string, Set<string>>();
  for (const r of refs.filter((r) => !r.optional))
    bySecret.set(r.secret, (bySecret.get(r.secret) ?? new Set()).add(r.key));
  const lines: string[] = [];
  for (const [secret, keys] of bySecret) {
    const where = `Secret ${secret} (${secretFields(pipeline, secret).join(', ') || 'referenced'})`;
    const found = await secretKeys(secret);
    if (found === null) {
      lines.push(`${workload} reads ${where}, which does not exist: create it with ${[...keys].join(', ')}`);
      continue;
    }
    const lacking = [...keys].filter((k) => !found.has(k));
    if (lacking.length) lines.push(`${workload} reads ${lacking.join(', ')} from ${where}, which lacks them`);
  }
  return lines;
}
