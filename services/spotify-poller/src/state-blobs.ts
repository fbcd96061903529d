import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ObjectStoreClient, readObject, writeObject } from '@spotify-pipeline/shared/object-store';

/** Small named byte blobs: where the poller keeps one state object per listener. */
export interface BlobStore {
  get(name: string): Promise<Buffer | null>;
  put(name: string, bytes: Buffer): Promise<void>;
}

const MAX_STATE_BYTES = 64 * 1024;

/**
 * Objects under a prefix of the lake bucket: they outlive the pod, need no volume and no writable root
 * filesystem, and a PUT replaces an object whole, so a reader never sees half a state. Every call has a
 * deadline.
 */
export function lakeBlobs(params: {
  client: ObjectStoreClient;
  bucket: string;
  prefix: string;
  timeoutMs: number;
}): BlobStore {
  const { client, bucket, prefix, timeoutMs } = params;
  return {
    get: (name) => readObject(client, bucket, prefix + name, { maxBytes: MAX_STATE_BYTES, timeoutMs }),
    put: (name, bytes) =>
      writeObject(client, bucket, prefix + name, bytes, { timeoutMs, contentType: 'application/json' }),
  };
}

/** Files in a folder (local runs), each replaced atomically (write, then rename) and readable by the owner only. */
export function dirBlobs(dir: string): BlobStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    async get(name) {
      try {
        return readFileSync(join(dir, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async put(name, bytes) {
      const tmp = join(dir, `${name}.tmp`);
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
    },
  };
}
