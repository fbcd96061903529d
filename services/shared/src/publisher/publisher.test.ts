import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS, TOPICS } from '../contract/topics.js';
import type { Message } from '../kafka.js';
import type { BatchProducer } from './producer.js';
import { createPublisher, type PublisherOptions } from './publisher.js';

type SendBatchArgs = Parameters<BatchProducer['sendBatch']>[0];

/** Records every sendBatch call; `failures` makes the next calls throw the given errors first. */
function fakeProducer(failures: Error[] = []) {
  const calls: SendBatchArgs[] = [];
  const delivered: Array<{ topic: string; message: Message }> = [];
  let connects = 0;
  let disconnects = 0;
  const producer: BatchProducer = {
    connect: async () => {
      connects += 1;
    },
    disconnect: async () => {
      disconnects += 1;
    },
    sendBatch: async (batch) => {
      calls.push(batch);
      await new Promise((r) => setTimeout(r, 1));
      const failure = failures.shift();
      if (failure) throw failure;
      for (const { topic, messages } of batch.topicMessages ?? []) {
        for (const message of messages) delivered.push({ topic, message });
      }
      return [];
    },
  };
  return { producer, calls, delivered, counts: () => ({ connects, disconnects }) };
}

const logger = pino({ level: 'silent' });

function event(overrides: Record<string, unknown> = {}) {
  return {
    schema_version: 1,
    event_id: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
    event_type: 'complete',
    event_ts: '2026-01-31T23:59:59.123Z',
    user_id: 'u-1',
    session_id: 's-1',
    track_id: 't-1',
    track_name: 'Song',
    artist_id: 'a-1',
    artist_name: 'Artist',
    album_id: null,
    album_name: null,
    duration_ms: 200_000,
    position_ms: 200_000,
    ms_played: 200_000,
    device_type: 'mobile',
    country: 'GB',
    context_type: null,
    context_id: null,
    source: 'simulator',
    ...overrides,
  };
}

function publisher(producer: BatchProducer, extra: Partial<PublisherOptions> = {}) {
  const registry = new Registry();
  return {
    registry,
    pub: createPublisher({
      producer,
      logger,
      registry,
      source: 'test',
      lingerMs: 5,
      retryDelayMs: 1,
      ...extra,
    }),
  };
}

const header = (m: Message, name: string) => String(m.headers?.[name]);

describe('createPublisher', () => {
  it('sends valid events keyed by user_id with acks=all and gzip, and counts them', async () => {
    const fake = fakeProducer();
    const { pub, registry } = publisher(fake.producer);
    pub.publish(event({ user_id: 'alice' }));
    pub.publish(event({ user_id: 'bob', event_type: 'play', ms_played: undefined }));
    await pub.flush();
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ acks: -1, compression: 1 });
    expect(fake.delivered.map((d) => [d.topic, d.message.key])).toEqual([
      [TOPICS.listeningEvents, 'alice'],
      [TOPICS.listeningEvents, 'bob'],
    ]);
    expect(JSON.parse(String(fake.delivered[0]!.message.value)).user_id).toBe('alice');
    const produced = await registry.getSingleMetric('publisher_records_produced_total')!.get();
    expect(produced.values).toEqual([{ labels: { topic: TOPICS.listeningEvents }, value: 2 }]);
    expect(pub.stats()).toEqual({ produced: 2, deadLettered: 0, failedAttempts: 0, pending: 0 });
  });

  it('dead-letters malformed, unknown-version and oversize records with a reason and the original bytes', async () => {
    const fake = fakeProducer();
    const { pub, registry } = publisher(fake.producer);
    const malformed = '{"schema_version":1,"user_id":"carol",';
    const future = JSON.stringify(event({ schema_version: 2 }));
    pub.publishRaw(malformed);
    pub.publishRaw(future);
    // Schema-valid but over the byte limit once JSON escapes the control characters (6 bytes each).
    const control = '\u0001'.repeat(1024);
    pub.publish(event({ track_name: control, artist_name: control, album_name: control, album_id: 'al' }));
    pub.publish(event({ country: 'UK' }));
    pub.publish(event({ user_id: 'dave' }));
    await pub.flush();

    const dlq = fake.delivered.filter((d) => d.topic === TOPICS.deadLetter).map((d) => d.message);
    const good = fake.delivered.filter((d) => d.topic === TOPICS.listeningEvents).map((d) => d.message);
    expect(good.map((m) => m.key)).toEqual(['dave']);
    expect(dlq.map((m) => header(m, DLQ_HEADERS.reason))).toEqual([
      expect.stringMatching(/^not valid JSON/),
      'unknown schema_version 2: this build reads version 1',
      expect.stringMatching(/^record is \d+ bytes; the limit is 16384$/),
      expect.stringContaining('UK is not ISO-3166-1: use GB'),
    ]);
    expect(String(dlq[0]!.value)).toBe(malformed);
    expect(String(dlq[1]!.value)).toBe(future);
    expect(dlq.every((m) => header(m, DLQ_HEADERS.stage) === 'source:test')).toBe(true);
    const dead = await registry.getSingleMetric('publisher_records_dead_lettered_total')!.get();
    expect(dead.values[0]!.value).toBe(4);
  });

  it('routes catalog records to their compacted topics keyed by id', async () => {
    const fake = fakeProducer();
    const { pub } = publisher(fake.producer);
    pub.publishCatalog('artist', { schema_version: 1, artist_id: 'ar1', name: 'A', genres: ['pop'] });
    pub.publishCatalog('track', { schema_version: 1, track_id: 'tr1', name: 'T' });
    await pub.flush();
    expect(fake.delivered.map((d) => [d.topic, d.message.key])).toEqual([
      [TOPICS.artists, 'ar1'],
      [TOPICS.deadLetter, null],
    ]);
    expect(header(fake.delivered[1]!.message, DLQ_HEADERS.reason)).toMatch(/^catalog\.tracks: /);
  });

  it('resends a batch unchanged after a retriable failure and never reorders batches', async () => {
    const retriable = Object.assign(new Error('connection closed'), { retriable: true });
    const fake = fakeProducer([retriable, retriable]);
    const { pub, registry } = publisher(fake.producer, { maxBatchRecords: 3 });
    for (let i = 0; i < 9; i++) {
      if (!pub.publishSerialized(`u${i}`, `{"n":${i}}`)) await pub.drain();
    }
    await pub.flush();
    expect(fake.calls).toHaveLength(5);
    expect(fake.calls[1]!.topicMessages).toBe(fake.calls[0]!.topicMessages);
    expect(fake.calls[2]!.topicMessages).toBe(fake.calls[0]!.topicMessages);
    expect(fake.delivered.map((d) => d.message.key)).toEqual([
      'u0',
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
      'u6',
      'u7',
      'u8',
    ]);
    const failed = await registry.getSingleMetric('publisher_records_failed_total')!.get();
    expect(failed.values[0]!.value).toBe(6);
    expect(pub.stats().failedAttempts).toBe(2);
  });

  it('resends when kafkajs wraps a retriable connection error in a non-retriable one', async () => {
    const wrapped = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: Object.assign(new Error('connect ECONNREFUSED'), { retriable: true }),
    });
    const fake = fakeProducer([wrapped]);
    const { pub } = publisher(fake.producer);
    pub.publishSerialized('u', '{}');
    await pub.flush();
    expect(fake.delivered).toHaveLength(1);
    expect(pub.stats().failedAttempts).toBe(1);
  });

  it('fails for good on a non-retriable error and says so to the caller', async () => {
    const fatal = Object.assign(new Error('MESSAGE_TOO_LARGE'), { retriable: false });
    const fake = fakeProducer([fatal]);
    const { pub } = publisher(fake.producer);
    pub.publishSerialized('u', '{}');
    await expect(pub.flush()).rejects.toThrow(/publishing failed for good: MESSAGE_TOO_LARGE/);
    expect(() => pub.publishSerialized('u', '{}')).toThrow(/failed for good/);
  });

  it('asks for back-pressure when batches queue up, and close flushes and disconnects', async () => {
    const fake = fakeProducer();
    const { pub } = publisher(fake.producer, { maxBatchRecords: 1, maxQueuedBatches: 2, lingerMs: 1000 });
    expect(pub.publishSerialized('a', '{}')).toBe(true);
    expect(pub.publishSerialized('b', '{}')).toBe(true);
    expect(pub.publishSerialized('c', '{}')).toBe(false);
    await pub.drain();
    expect(fake.delivered.map((d) => d.message.key)).toEqual(['a']);
    expect(pub.publishSerialized('d', '{}')).toBe(false);
    await pub.close();
    expect(fake.delivered.map((d) => d.message.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(fake.counts()).toEqual({ connects: 1, disconnects: 1 });
  });

  it('seals a batch by bytes as well as by count and honours a topic prefix', async () => {
    const fake = fakeProducer();
    const { pub } = publisher(fake.producer, { maxBatchBytes: 10, topicPrefix: 'dev.' });
    pub.publishSerialized('a', '{"x":"123456"}');
    pub.publishSerialized('b', '{"x":"123456"}');
    await pub.flush();
    expect(fake.calls).toHaveLength(2);
    expect(fake.delivered[0]!.topic).toBe('dev.listening-events');
  });
});
