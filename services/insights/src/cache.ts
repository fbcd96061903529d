/**
 * A short-lived answer cache: entries expire after `ttlMs`, the oldest go first beyond `maxEntries`, and
 * concurrent requests for the same key share one computation (a burst of identical requests costs one
 * query). A failed computation is not kept.
 */
export interface AnswerCache {
  get<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; hit: boolean }>;
  clear(): void;
  readonly size: number;
}

export function createAnswerCache(options: {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}): AnswerCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { expires: number; value: Promise<unknown> }>();
  return {
    async get<T>(key: string, compute: () => Promise<T>) {
      const found = entries.get(key);
      if (found && found.expires > now()) return { value: (await found.value) as T, hit: true };
      if (found) entries.delete(key);
      if (options.ttlMs <= 0) return { value: await compute(), hit: false };
      const value = compute();
      entries.set(key, { expires: now() + options.ttlMs, value });
      while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
      try {
        return { value: await value, hit: false };
      } catch (err) {
        if (entries.get(key)?.value === value) entries.delete(key);
        throw err;
      }
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
