import type { ObjectStoreClient } from '@spotify-pipeline/shared/object-store';

/** Where bronze objects go. `put` resolves only once the store has acknowledged the whole object. */
export interface LakeStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
}

/**
 * `timeoutMs` turns a store that accepts connections and then hangs into a failed write that is retried.
 * A put that times out may still land later; that is harmless, the retry writes the same name and bytes.
 */
export function createLakeStore(params: {
  client: ObjectStoreClient;
  bucket: string;
  timeoutMs: number;
}): LakeStore {
  const { client, bucket, timeoutMs } = params;
  return {
    async put(key, body, contentType) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`put ${key} timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([
          client.putObject(bucket, key, body, body.length, { 'Content-Type': contentType }),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
