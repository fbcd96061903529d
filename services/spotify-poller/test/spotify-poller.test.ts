import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  type KafkaInstance,
  readTopic,
  type S3Instance,
  startKafka,
  startS3,
  testKafka,
} from '@spotify-pipeline/harness';
import { type FakeSpotify, playedItem, startFakeSpotify } from '@spotify-pipeline/harness/fake-spotify';
import { createLogger, decodeListeningEvent, TOPICS } from '@spotify-pipeline/shared';
import {
  createObjectStore,
  ensureBucket,
  listAllObjects,
  type ObjectStoreClient,
  readObject,
} from '@spotify-pipeline/shared/object-store';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
} from '@spotify-pipeline/shared/publisher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollListeners, readListenersFile } from '../src/listeners.js';
import { createPoller } from '../src/poller.js';
import { createSpotifyClient } from '../src/spotify-client.js';
import { createStateStore } from '../src/state.js';
import { lakeBlobs } from '../src/state-blobs.js';

// Secrets are generated per run so that the log check below cannot pass by accident.
const secret = (name: string) => `${name}-${Math.random().toString(36).slice(2)}`;
const CLIENT_SECRET = secret('client-secret');
const ALICE_TOKEN = secret('alice-refresh');
const BOB_TOKEN = secret('bob-refresh');
const T0 = Date.UTC(2026, 0, 10, 8);

const BUCKET = 'poller-lake';
const STATE_PREFIX = 'state/music/wrapped/source-1/';

describe('Spotify Web API poller against a local API server, a real broker and the lake for its cursors', () => {
  let broker: KafkaInstance;
  let s3: S3Instance;
  let store: ObjectStoreClient;
  let kafka: ReturnType<typeof testKafka>;
  let spotify: FakeSpotify;
  let dir: string;
  const logStream = new PassThrough();
  let logs = '';
  logStream.on('data', (chunk: Buffer) => {
    logs += chunk.toString();
  });
  const logger = createLogger({ name: 'poller-test', level: 'debug', destination: logStream });

  beforeAll(async () => {
    [broker, s3] = await Promise.all([startKafka(), startS3()]);
    kafka = testKafka(broker.bootstrap, logger);
    store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: BUCKET,
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    await ensureBucket(store, BUCKET);
    await ensureContractTopics(kafka, { partitions: 2, logger });
    spotify = await startFakeSpotify({
      clientId: 'client-1',
      clientSecret: CLIENT_SECRET,
      refreshTokens: { [ALICE_TOKEN]: 'alice', [BOB_TOKEN]: 'bob' },
    });
    spotify.plays.set(
      'alice',
      Array.from({ length: 120 }, (_, i) => playedItem(i, T0 + i * 200_000)),
    );
    spotify.plays.set(
      'bob',
      Array.from({ length: 30 }, (_, i) => playedItem(i + 7, T0 + i * 400_000)),
    );
    dir = mkdtempSync(join(tmpdir(), 'poller-'));
    writeFileSync(join(dir, 'alice.token'), `${ALICE_TOKEN}\n`);
    writeFileSync(
      join(dir, 'listeners.json'),
      JSON.stringify([
        { user_id: 'alice', refresh_token_file: join(dir, 'alice.token'), country: 'GB', device: 'desktop' },
        { user_id: 'bob', refresh_token_env: 'BOB_REFRESH_TOKEN', country: 'BR' },
        { user_id: 'carol', refresh_token_env: 'CAROL_REFRESH_TOKEN' },
      ]),
    );
  }, 240_000);
  afterAll(async () => {
    await broker?.destroy();
    await s3?.destroy();
    await spotify?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function poller(options: { backoffMs?: number } = {}) {
    const publisher = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      source: 'spotify_api',
    });
    const poll = createPoller({
      client: createSpotifyClient({
        accountsUrl: spotify.url,
        apiUrl: spotify.url,
        clientId: 'client-1',
        clientSecret: CLIENT_SECRET,
        logger,
        backoffMs: options.backoffMs ?? 50,
      }),
      listeners: pollListeners(readListenersFile(join(dir, 'listeners.json')), {
        BOB_REFRESH_TOKEN: BOB_TOKEN,
      }),
      store: createStateStore({
        blobs: lakeBlobs({ client: store, bucket: BUCKET, prefix: STATE_PREFIX, timeoutMs: 10_000 }),
        clientSecret: CLIENT_SECRET,
      }),
      target: publisher,
      logger,
    });
    return { poll, publisher };
  }

  const eventIds = async () =>
    (await readTopic(kafka, TOPICS.listeningEvents)).map(
      (r) => JSON.parse(r.value.toString()).event_id as string,
    );

  it('reads every play once with the after cursor, publishes valid events, and carries on past a bad listener', async () => {
    const { poll, publisher } = poller();
    const report = await poll.pollOnce();
    expect(report).toMatchObject({ listeners: 3, failedListeners: 1, plays: 150, events: 300 });
    // 120 plays at 50 a page: three pages for alice, each asked for with the previous page's cursor.
    const alice = spotify.afters.get('alice')!;
    expect(alice).toHaveLength(3);
    expect(alice[0]).toBe(0);
    expect(alice[1]).toBe(T0 + 49 * 200_000);

    const records = await readTopic(kafka, TOPICS.listeningEvents);
    expect(records).toHaveLength(300);
    expect(records.map((r) => decodeListeningEvent(r.value)).filter((d) => !d.ok)).toEqual([]);
    const first = JSON.parse(records.find((r) => r.key === 'alice')!.value.toString());
    expect(first).toMatchObject({ source: 'spotify_api', country: 'GB', device_type: 'desktop' });

    spotify.plays
      .get('alice')!
      .push(playedItem(500, T0 + 200 * 200_000), playedItem(501, T0 + 201 * 200_000));
    const again = await poll.pollOnce();
    expect(again).toMatchObject({ plays: 2, events: 4 });
    await publisher.close();
    const ids = await eventIds();
    expect(ids).toHaveLength(304);
    expect(new Set(ids).size).toBe(304);
    expect(logs).toContain('no refresh token for carol: CAROL_REFRESH_TOKEN is not set');
  });

  it('resumes from the saved cursor after a restart without reading anything twice', async () => {
    const before = spotify.afters.get('alice')!.length;
    const { poll, publisher } = poller();
    expect(await poll.pollOnce()).toMatchObject({ plays: 0, events: 0 });
    await publisher.close();
    expect(spotify.afters.get('alice')![before]).toBe(T0 + 201 * 200_000);
    expect(await eventIds()).toHaveLength(304);
    const objects = await listAllObjects(store, BUCKET, STATE_PREFIX);
    expect(objects.map((o) => o.name).sort()).toEqual([
      `${STATE_PREFIX}alice.json`,
      `${STATE_PREFIX}bob.json`,
    ]);
  });

  it('waits out a 429 for its Retry-After and backs off on 5xx, then delivers', async () => {
    spotify.plays.get('bob')!.push(playedItem(900, T0 + 40 * 400_000));
    spotify.failNext({ status: 429, headers: { 'retry-after': '1' } }, { status: 503 }, { status: 500 });
    const { poll, publisher } = poller();
    const started = Date.now();
    const report = await poll.pollOnce();
    await publisher.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(report).toMatchObject({ plays: 1, failedListeners: 1 });
    expect(logs).toContain('rate limited by Spotify: waiting as Retry-After asks');
    expect(logs).toContain('Spotify server error: backing off');
    expect(await eventIds()).toHaveLength(306);
  });

  it('keeps a rotated refresh token in the lake, encrypted, and never logs a token or the client secret', async () => {
    const rotated = secret('alice-rotated');
    spotify.rotate(ALICE_TOKEN, rotated);
    const first = poller();
    await first.poll.pollOnce();
    await first.publisher.close();
    // The configured file still holds the old token, which the fake server no longer accepts.
    spotify.plays.get('alice')!.push(playedItem(777, T0 + 300 * 200_000));
    const second = poller();
    expect(await second.poll.pollOnce()).toMatchObject({ plays: 1, failedListeners: 1 });
    await second.publisher.close();
    expect(logs).toContain('Spotify rotated the refresh token');
    const state = await readObject(store, BUCKET, `${STATE_PREFIX}alice.json`, {
      maxBytes: 65_536,
      timeoutMs: 10_000,
    });
    expect(JSON.parse(state!.toString()).refreshToken).toMatchObject({ iv: expect.any(String) });
    expect(state!.toString()).not.toContain(rotated);
    for (const value of [CLIENT_SECRET, ALICE_TOKEN, BOB_TOKEN, rotated, 'access-alice-', 'access-bob-']) {
      expect(logs).not.toContain(value);
    }
  });
});
