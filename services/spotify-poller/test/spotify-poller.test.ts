import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type KafkaInstance, readTopic, startKafka, testKafka } from '@spotify-pipeline/harness';
import { createLogger, decodeListeningEvent, TOPICS } from '@spotify-pipeline/shared';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
} from '@spotify-pipeline/shared/publisher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadListeners } from '../src/listeners.js';
import { createPoller } from '../src/poller.js';
import { createSpotifyClient } from '../src/spotify-client.js';
import { createStateStore } from '../src/state.js';
import { type FakeSpotify, playedItem, startFakeSpotify } from './fake-spotify.js';

// Secrets are generated per run so that the log check below cannot pass by accident.
const secret = (name: string) => `${name}-${Math.random().toString(36).slice(2)}`;
const CLIENT_SECRET = secret('client-secret');
const ALICE_TOKEN = secret('alice-refresh');
const BOB_TOKEN = secret('bob-refresh');
const T0 = Date.UTC(2026, 0, 10, 8);

describe('Spotify Web API poller against a local API server and a real broker', () => {
  let broker: KafkaInstance;
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
    broker = await startKafka();
    kafka = testKafka(broker.bootstrap, logger);
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
      listeners: loadListeners(join(dir, 'listeners.json'), { BOB_REFRESH_TOKEN: BOB_TOKEN }),
      store: createStateStore(join(dir, 'state')),
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
    expect(statSync(join(dir, 'state', 'alice.json')).mode & 0o777).toBe(0o600);
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

  it('keeps a rotated refresh token in the state file and never logs a token or the client secret', async () => {
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
    for (const value of [CLIENT_SECRET, ALICE_TOKEN, BOB_TOKEN, rotated, 'access-alice-', 'access-bob-']) {
      expect(logs).not.toContain(value);
    }
  });
});
