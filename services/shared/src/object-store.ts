// The only module that imports the minio client; any S3-compatible server works (path-style addressing).
import type { Agent } from 'node:http';
import { Client } from 'minio';
import { z } from 'zod';
import { ConfigError, PipelineError, UnavailableError } from './errors.js';

export type { Client as ObjectStoreClient } from 'minio';

export const objectStoreEnvSchema = z.object({
  LAKE_ENDPOINT: z.url({
    error: (issue) =>
      issue.input === undefined
        ? 'is required: the URL of the S3-compatible lake, such as http://minio.minio:9000'
        : 'must be a URL such as http://minio.minio:9000',
  }),
  LAKE_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a valid S3 bucket name (3-63 lowercase letters, digits, . and -)',
    ),
  LAKE_REGION: z.string().default('us-east-1'),
  LAKE_ACCESS_KEY: z.string().min(1, 'is required: mount it from the lake credentials Secret'),
  LAKE_SECRET_KEY: z.string().min(1, 'is required: mount it from the lake credentials Secret'),
});
export type ObjectStoreEnv = z.infer<typeof objectStoreEnvSchema>;

/** `transportAgent`: the caller's own sockets, e.g. to destroy them when a deadline passes. */
export function createObjectStore(
  settings: ObjectStoreEnv,
  options: { transportAgent?: Agent } = {},
): Client {
  const url = new URL(settings.LAKE_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  if (!useSSL && url.protocol !== 'http:')
    throw new ConfigError(`LAKE_ENDPOINT must be http or https, got ${url.protocol}`);
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    pathStyle: true,
    region: settings.LAKE_REGION,
    accessKey: settings.LAKE_ACCESS_KEY,
    secretKey: settings.LAKE_SECRET_KEY,
    ...(options.transportAgent ? { transportAgent: options.transportAgent } : {}),
  });
}

/** Creates the bucket when it is missing; an existing bucket is left as it is. */
export async function ensureBucket(
  client: Client,
  bucket: string,
  region = 'us-east-1',
): Promise<'created' | 'exists'> {
  if (await client.bucketExists(bucket)) return 'exists';
  try {
    await client.makeBucket(bucket, region);
    return 'created';
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return 'exists';
    throw err;
  }
}

/** Every object name under a prefix, following continuation tokens: no silent stop at 1,000. */
export async function listAllObjects(
  client: Client,
  bucket: string,
  prefix: string,
): Promise<Array<{ name: string; size: number }>> {
  const out: Array<{ name: string; size: number }> = [];
  const stream = client.listObjectsV2(bucket, prefix, true);
  for await (const item of stream as AsyncIterable<{ name?: string; size?: number }>) {
    if (item.name) out.push({ name: item.name, size: item.size ?? 0 });
  }
  return out;
}

/**
 * Rejects with a retriable UnavailableError when `work` has not settled after `ms`, so a store that accepts
 * connections and never answers cannot hang its caller. `onTimeout` may release what the work holds.
 */
export async function withDeadline<T>(
  what: string,
  ms: number,
  work: Promise<T>,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new UnavailableError(`${what} did not finish within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** An object larger than the reader allows; the message says how large and what the limit is. */
export class ObjectTooLargeError extends PipelineError {}

/** The bytes of one object, or null when there is no such object. Reads at most `maxBytes`. */
export async function readObject(
  client: Client,
  bucket: string,
  key: string,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<Buffer | null> {
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  const read = async (): Promise<Buffer | null> => {
    try {
      stream = await client.getObject(bucket, key);
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchKey') return null;
      throw err;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxBytes) {
        stream.destroy?.();
        throw new ObjectTooLargeError(`${key} is larger than ${limits.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  };
  return withDeadline(`reading s3://${bucket}/${key}`, limits.timeoutMs, read(), () => stream?.destroy?.());
}

export async function writeObject(
  client: Client,
  bucket: string,
  key: string,
  body: Buffer,
  options: { timeoutMs: number; contentType: string },
): Promise<void> {
  await withDeadline(
    `writing s3://${bucket}/${key}`,
    options.timeoutMs,
    client.putObject(bucket, key, body, body.length, { 'Content-Type': options.contentType }),
  );
}
