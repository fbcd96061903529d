/** A bronze object the loader may load, as named by the lake layout contract. */
export interface BronzeObject {
  key: string;
  topic: string;
  sizeBytes: number;
}

// <prefix>bronze/<topic>/date=YYYY-MM-DD/hour=HH/<topic>+<partition>+<firstOffset>-<lastOffset>.jsonl.gz
const OBJECT_NAME =
  /^bronze\/([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/+]+)\+(\d+)\+(\d+)-(\d+)\.jsonl\.gz$/;

export interface ParsedObjectKey {
  topic: string;
  date: string;
  hour: number;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

/** Parses a lake object name; `undefined` for anything that is not a JSONL bronze object of the contract. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const m = OBJECT_NAME.exec(key);
  if (!m) return undefined;
  const [, topic, date, hour, fileTopic, partition, first, last] = m;
  if (topic !== fileTopic) return undefined;
  return {
    topic: topic!,
    date: date!,
    hour: Number(hour),
    partition: Number(partition),
    firstOffset: Number(first),
    lastOffset: Number(last),
  };
}

export function topicPrefix(topic: string): string {
  return `bronze/${topic}/`;
}

/**
 * The minio client asks for URL-encoded keys in listings and form-decodes them ('+' becomes ' '); a server
 * that ignores `encoding-type=url` (versitygw does) returns a raw '+', which then arrives as a space.
 * Contract names never contain spaces, so a space can only be a mangled '+'.
 */
export function restoreListedKey(name: string): string {
  return name.includes(' ') ? name.replaceAll(' ', '+') : name;
}

/**
 * The objects still to load: contract-named, not in the manifest, in a stable order (by topic, then date/hour,
 * partition and offset as the names sort) so every run, and every re-run after a crash, walks the same list.
 */
export function pendingObjects(
  listed: ReadonlyArray<{ name: string; size: number }>,
  loaded: ReadonlySet<string>,
): { pending: BronzeObject[]; ignored: string[] } {
  const pending: BronzeObject[] = [];
  const ignored: string[] = [];
  for (const { name: listedName, size } of listed) {
    const name = restoreListedKey(listedName);
    const parsed = parseObjectKey(name);
    if (!parsed) {
      ignored.push(name);
      continue;
    }
    if (!loaded.has(name)) pending.push({ key: name, topic: parsed.topic, sizeBytes: size });
  }
  pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { pending, ignored };
}
