import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PipelineError } from '@spotify-pipeline/shared';
import { BRONZE_PREFIX } from '@spotify-pipeline/shared/lake/layout';
import {
  createObjectStore,
  ensureBucket,
  listAllObjects,
  type ObjectStoreClient,
} from '@spotify-pipeline/shared/object-store';
import { isExportFile } from '@spotify-pipeline/shared/workloads';

export interface LakeSettings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  versioning: boolean;
  retentionDays: number;
  /** False once the pipeline has had its bucket: a bucket gone since is reported, not made again empty. */
  mayCreate: boolean;
}

type FeatureState = 'Enabled' | 'Disabled' | 'Unsupported';

export interface LakeResult {
  bucket: 'created' | 'exists';
  versioning: FeatureState;
  lifecycle: FeatureState;
}

/** Why the lake could not be reached: decides the LakeReady reason. Only an unreachable store is retriable. */
export class LakeError extends PipelineError {
  static override readonly code: string = 'ERR_LAKE';
  constructor(
    readonly kind: 'access-denied' | 'unreachable' | 'bucket-missing',
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, { ...options, retriable: kind === 'unreachable' });
  }
}

const DENIED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
]);
const UNSUPPORTED = new Set(['NotImplemented', 'NotSupported', 'MethodNotAllowed']);

const codeOf = (err: unknown) => (err as { code?: string }).code ?? '';

/**
 * An object-store client on sockets of its own, destroyed when `signal` aborts: a server that accepts
 * and never answers holds nothing past the caller's deadline.
 */
function storeFor(
  settings: LakeSettings,
  signal: AbortSignal,
): { client: ObjectStoreClient; done: () => void } {
  const agent = settings.endpoint.startsWith('https:') ? new HttpsAgent() : new HttpAgent();
  const onAbort = () => agent.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const client = createObjectStore(
    {
      LAKE_ENDPOINT: settings.endpoint,
      LAKE_BUCKET: settings.bucket,
      LAKE_REGION: settings.region,
      LAKE_ACCESS_KEY: settings.accessKey,
      LAKE_SECRET_KEY: settings.secretKey,
    },
    { transportAgent: agent },
  );
  return {
    client,
    done: () => {
      signal.removeEventListener('abort', onAbort);
      agent.destroy();
    },
  };
}

/**
 * Bucket exists, versioning on (when asked) and bronze objects expire after retentionDays, where the
 * server implements those APIs: a server that answers NotImplemented is reported as Unsupported.
 */
export async function ensureLake(settings: LakeSettings, signal: AbortSignal): Promise<LakeResult> {
  const store = storeFor(settings, signal);
  try {
    return await ensureWith(store.client, settings);
  } finally {
    store.done();
  }
}

async function ensureWith(client: ObjectStoreClient, settings: LakeSettings): Promise<LakeResult> {
  let bucket: LakeResult['bucket'];
  try {
    // A recorded bucket gets one existence check and never a create: checked twice (here, then inside
    // ensureBucket), a bucket deleted between the two was made again empty (seen once in CI, under load).
    if (settings.mayCreate) bucket = await ensureBucket(client, settings.bucket, settings.region);
    else if (await client.bucketExists(settings.bucket)) bucket = 'exists';
    else throw new LakeError('bucket-missing', `bucket ${settings.bucket} is gone`);
  } catch (err) {
    if (err instanceof LakeError) throw err;
    const code = codeOf(err);
    if (DENIED.has(code)) {
      throw new LakeError('access-denied', `the object store refused the credentials (${code})`, {
        cause: err,
      });
    }
    throw new LakeError(
      'unreachable',
      `cannot reach ${settings.endpoint}: ${code || (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const feature = async (apply: () => Promise<void>): Promise<FeatureState> => {
    try {
      await apply();
      return 'Enabled';
    } catch (err) {
      if (UNSUPPORTED.has(codeOf(err))) return 'Unsupported';
      throw err;
    }
  };
  const versioning: FeatureState = settings.versioning
    ? await feature(() => client.setBucketVersioning(settings.bucket, { Status: 'Enabled' }))
    : 'Disabled';
  const lifecycle = await feature(() =>
    client.setBucketLifecycle(settings.bucket, {
      Rule: [
        {
          ID: 'bronze-expiry',
          Status: 'Enabled',
          Filter: { Prefix: 'bronze/' },
          Expiration: { Days: settings.retentionDays },
        },
      ],
    }),
  );
  return { bucket, versioning, lifecycle };
}

/** How many export files (Streaming_History_Audio_*.json) are under a prefix: an import has input. */
export async function countExportFiles(
  settings: LakeSettings,
  prefix: string,
  signal: AbortSignal,
): Promise<number> {
  const store = storeFor(settings, signal);
  try {
    const objects = await listAllObjects(store.client, settings.bucket, prefix);
    return objects.filter((o) => isExportFile(o.name)).length;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'NoSuchBucket') return 0;
    throw new LakeError(
      DENIED.has(code) ? 'access-denied' : 'unreachable',
      `listing ${prefix} in ${settings.bucket}: ${code || (err as Error).message}`,
      { cause: err },
    );
  } finally {
    store.done();
  }
}

export interface LakeDeletion {
  /** Prefixes whose objects (every version) are deleted: what the pipeline owns. */
  prefixes: string[];
  /** Remove the bucket too if nothing is left in it (no other pipeline uses it). */
  removeBucket: boolean;
}

/** deletionPolicy Delete: the pipeline's prefixes, then the bucket if it is empty and no one else uses it. */
export async function deleteLake(
  settings: LakeSettings,
  deletion: LakeDeletion,
  signal: AbortSignal,
): Promise<{ bucketRemoved: boolean; objectsLeft: number }> {
  const store = storeFor(settings, signal);
  try {
    return await deleteWith(store.client, settings.bucket, deletion);
  } finally {
    store.done();
  }
}

async function deleteWith(
  client: ObjectStoreClient,
  bucket: string,
  deletion: LakeDeletion,
): Promise<{ bucketRemoved: boolean; objectsLeft: number }> {
  if (!(await client.bucketExists(bucket))) return { bucketRemoved: false, objectsLeft: 0 };
  for (const prefix of deletion.prefixes) {
    let before = -1;
    for (;;) {
      const objects = await listAllObjects(client, bucket, prefix);
      if (objects.length === 0) break;
      if (objects.length === before)
        throw new Error(
          `the object store keeps listing ${objects.length} objects under ${prefix} that it does not delete`,
        );
      before = objects.length;
      for (let i = 0; i < objects.length; i += 1000)
        await client.removeObjects(
          bucket,
          objects.slice(i, i + 1000).map((o) => bronzeKey(o.name)),
        );
    }
    // A versioned bucket still holds the old versions and delete markers: remove them by version id.
    const versions = await listVersions(client, bucket, prefix);
    for (let i = 0; i < versions.length; i += 1000)
      await client.removeObjects(bucket, versions.slice(i, i + 1000));
  }
  // What is left belongs to others: objects, or (versioned bucket) versions and delete markers.
  const left = Math.max(
    (await listAllObjects(client, bucket, '')).length,
    (await listVersions(client, bucket, '')).length,
  );
  if (!deletion.removeBucket || left > 0) return { bucketRemoved: false, objectsLeft: left };
  await client.removeBucket(bucket);
  return { bucketRemoved: true, objectsLeft: 0 };
}

/**
 * The key of a listed bronze object. Some S3 servers (versitygw 1.x) do not URL-encode listed keys, so the
 * client decodes a '+' into a space; a bronze key never holds a space (shared/lake/layout.ts), so one is
 * read back as '+'. Deleting by the listed name would delete nothing.
 */
function bronzeKey(listed: string): string {
  return listed.startsWith(BRONZE_PREFIX) ? listed.replaceAll(' ', '+') : listed;
}

async function listVersions(
  client: ObjectStoreClient,
  bucket: string,
  prefix: string,
): Promise<Array<{ name: string; versionId: string }>> {
  const versions: Array<{ name: string; versionId: string }> = [];
  try {
    const stream = client.listObjects(bucket, prefix, true, { IncludeVersion: true });
    for await (const item of stream as AsyncIterable<{ name?: string; versionId?: string | null }>) {
      if (item.name && item.versionId)
        versions.push({ name: bronzeKey(item.name), versionId: item.versionId });
    }
  } catch (err) {
    if (!UNSUPPORTED.has(codeOf(err))) throw err;
  }
  return versions;
}
