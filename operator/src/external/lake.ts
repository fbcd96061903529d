import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
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
}

export type FeatureState = 'Enabled' | 'Disabled' | 'Unsupported';

export interface LakeResult {
  bucket: 'created' | 'exists';
  versioning: FeatureState;
  lifecycle: FeatureState;
}

/** Why the lake could not be reached: decides the LakeReady reason. */
export class LakeError extends Error {
  constructor(
    readonly kind: 'access-denied' | 'unreachable',
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
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
    bucket = await ensureBucket(client, settings.bucket, settings.region);
  } catch (err) {
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

/** deletionPolicy Delete: every object, then the bucket. */
export async function deleteLake(settings: LakeSettings, signal: AbortSignal): Promise<void> {
  const store = storeFor(settings, signal);
  try {
    await deleteWith(store.client, settings);
  } finally {
    store.done();
  }
}

async function deleteWith(client: ObjectStoreClient, settings: LakeSettings): Promise<void> {
  if (!(await client.bucketExists(settings.bucket))) return;
  for (;;) {
    const objects = await listAllObjects(client, settings.bucket, '');
    if (objects.length === 0) break;
    for (let i = 0; i < objects.length; i += 1000) {
      await client.removeObjects(
        settings.bucket,
        objects.slice(i, i + 1000).map((o) => o.name),
      );
    }
  }
  // A versioned bucket still holds the old versions and delete markers: remove them by version id.
  const versions: Array<{ name: string; versionId: string }> = [];
  try {
    const stream = client.listObjects(settings.bucket, '', true, { IncludeVersion: true });
    for await (const item of stream as AsyncIterable<{ name?: string; versionId?: string | null }>) {
      if (item.name && item.versionId) versions.push({ name: item.name, versionId: item.versionId });
    }
  } catch (err) {
    if (!UNSUPPORTED.has(codeOf(err))) throw err;
  }
  for (let i = 0; i < versions.length; i += 1000)
    await client.removeObjects(settings.bucket, versions.slice(i, i + 1000));
  await client.removeBucket(settings.bucket);
}
