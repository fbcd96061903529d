import { bronzeObjectKey, type LakeFormat, parseBronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';

/** A bronze object the loader may load, as named by the lake layout contract. */
export interface BronzeObject {
  key: string;
  topic: string;
  sizeBytes: number;
  format: LakeFormat;
}

/**
 * The objects still to load: bronze objects in either lake format (the shared layout's names) that the
 * manifest does not list, in a stable order (by topic, then date/hour, partition and
 * offset as the names sort) so every run, and every re-run after a crash, walks the same list.
 */
export function pendingObjects(
  listed: ReadonlyArray<{ name: string; size: number }>,
  loaded: ReadonlySet<string>,
): { pending: BronzeObject[]; ignored: string[] } {
  const pending: BronzeObject[] = [];
  const ignored: string[] = [];
  for (const { name, size } of listed) {
    const parsed = parseBronzeObjectKey(name);
    if (!parsed) {
      ignored.push(name);
      continue;
    }
    // Rebuilt from its parts: some S3 servers list '+' as a space (see parseBronzeObjectKey).
    const key = bronzeObjectKey(parsed);
    if (!loaded.has(key)) pending.push({ key, topic: parsed.topic, sizeBytes: size, format: parsed.format });
  }
  pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { pending, ignored };
}

export function topicPrefix(topic: string): string {
  return `bronze/${topic}/`;
}
