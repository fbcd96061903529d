import { createObjectStore, ensureBucket, listAllObjects } from '@spotify-pipeline/shared/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type S3Instance, startS3 } from '../src/index.js';

describe('S3-compatible server (versitygw) through the minio client', () => {
  let s3: S3Instance;
  let store: ReturnType<typeof createObjectStore>;

  beforeAll(async () => {
    s3 = await startS3();
    store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'smoke',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
  }, 240_000);
  afterAll(async () => {
    await s3?.destroy();
  });

  it('makes a bucket once and then finds it', async () => {
    expect(await ensureBucket(store, 'smoke')).toBe('created');
    expect(await ensureBucket(store, 'smoke')).toBe('exists');
  });

  it('puts and gets an object byte for byte', async () => {
    const body = Buffer.from(JSON.stringify({ hello: 'lake' }));
    await store.putObject('smoke', 'a/b/c.json', body, body.length, { 'Content-Type': 'application/json' });
    const stream = await store.getObject('smoke', 'a/b/c.json');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });

  it('lists past the first page of 1,000 keys', async () => {
    const names = Array.from({ length: 1_050 }, (_, i) => `many/obj-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((name) => store.putObject('smoke', name, Buffer.from(name))),
      );
    }
    const listed = await listAllObjects(store, 'smoke', 'many/');
    expect(listed.map((o) => o.name).sort()).toEqual(names);
  });

  it('rejects a wrong secret key', async () => {
    const wrong = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'smoke',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: 'not-the-secret',
    });
    await expect(wrong.bucketExists('smoke')).rejects.toThrow();
  });

  it('is really what answers: a client pointed at a closed port fails', async () => {
    const closed = createObjectStore({
      LAKE_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      LAKE_BUCKET: 'smoke',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await expect(closed.bucketExists('smoke')).rejects.toThrow();
  });
});
