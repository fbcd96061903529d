import { DLQ_HEADERS } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import {
  createDeadLetterSink,
  ORIGINAL_BYTES_HEADER,
  QUARANTINE_HEADER,
  REFUSED_HEADER,
} from './dead-letters.js';
import type { DeadLetter } from './partition-buffer.js';

type Sent = { key: Buffer | null; value: Buffer | null; headers: Record<string, string> };

/** A producer that refuses requests over `maxRequestBytes` for good, as a broker does with MESSAGE_TOO_LARGE. */
function fakeProducer(options: { maxRequestBytes?: number; failRetriably?: number } = {}) {
  const sent: Sent[] = [];
  const requests: number[] = [];
  let retriable = options.failRetriably ?? 0;
  return {
    sent,
    requests,
    producer: {
      send: async ({ messages }: { messages: Sent[] }) => {
        if (retriable-- > 0) throw Object.assign(new Error('broker not available'), { retriable: true });
        const bytes = messages.reduce((n, m) => n + (m.value?.length ?? 0), 0);
        requests.push(messages.length);
        if (bytes > (options.maxRequestBytes ?? Number.POSITIVE_INFINITY))
          throw Object.assign(new Error('The request included a message larger than the max message size'), {
            retriable: false,
          });
        sent.push(...messages);
        return [];
      },
    },
  };
}

const letter = (offset: number, bytes: number, fill = 'x'): DeadLetter => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(fill.repeat(bytes)),
  reason: 'not valid JSON',
  kind: 'json',
});
const source = { topic: 'listening-events', partition: 2 };

describe('dead-letter sink', () => {
  it('sends a letter too large for the topic as an excerpt, its full bytes quarantined first', async () => {
    const fake = fakeProducer();
    const quarantined: Array<[string, number]> = [];
    const sink = createDeadLetterSink({
      producer: fake.producer as never,
      topic: 'listening-events.dlq',
      bucket: 'lake',
      quarantine: async (key, body) => {
        expect(fake.sent).toHaveLength(0);
        quarantined.push([key, body.length]);
      },
    });
    const big = letter(7, 3_000_000);
    await sink.send(source, [big, letter(8, 100)]);
    expect(quarantined).toEqual([['quarantine/listening-events/listening-events+2+7.bin', 3_000_000]]);
    expect(fake.sent[0]!.value!.length).toBe(1024);
    expect(fake.sent[0]!.headers[ORIGINAL_BYTES_HEADER]).toBe('3000000');
    expect(fake.sent[0]!.headers[QUARANTINE_HEADER]).toBe(
      's3://lake/quarantine/listening-events/listening-events+2+7.bin',
    );
    expect(fake.sent[0]!.headers[DLQ_HEADERS.sourceOffset]).toBe('7');
    expect(fake.sent[1]!.value!.length).toBe(100);
    expect(big.sent).toBe(true);
  });

  it('groups letters into requests the broker accepts, and splits a refused one down to the letter at fault', async () => {
    const fake = fakeProducer({ maxRequestBytes: 40_000 });
    const sink = createDeadLetterSink({
      producer: fake.producer as never,
      topic: 'dlq',
      bucket: 'lake',
      quarantine: async () => {},
      limits: { maxValueBytes: 60_000, excerptBytes: 1024, maxKeyBytes: 1024, maxRequestBytes: 100_000 },
    });
    const letters = [letter(1, 10_000), letter(2, 10_000), letter(3, 50_000), letter(4, 10_000)];
    await sink.send(source, letters);
    expect(fake.sent.map((m) => m.headers[DLQ_HEADERS.sourceOffset])).toEqual(['1', '2', '3', '4']);
    const reduced = fake.sent[2]!;
    expect(reduced.value!.length).toBeLessThanOrEqual(256);
    expect(reduced.headers[REFUSED_HEADER]).toMatch(/refused the letter: .*larger than the max message size/);
    expect(reduced.headers[QUARANTINE_HEADER]).toMatch(/\+3\.bin$/);
    expect(letters.every((l) => l.sent)).toBe(true);
  });

  it('lets a retriable failure through and sends nothing twice when retried', async () => {
    const fake = fakeProducer({ failRetriably: 1 });
    const sink = createDeadLetterSink({
      producer: fake.producer as never,
      topic: 'dlq',
      bucket: 'lake',
      quarantine: async () => {},
      limits: { maxValueBytes: 16_384, excerptBytes: 1024, maxKeyBytes: 1024, maxRequestBytes: 250 },
    });
    const letters = [letter(1, 100), letter(2, 100), letter(3, 100)];
    letters[0]!.sent = true;
    await expect(sink.send(source, letters)).rejects.toThrow(/broker not available/);
    await sink.send(source, letters);
    expect(fake.sent.map((m) => m.headers[DLQ_HEADERS.sourceOffset])).toEqual(['2', '3']);
  });
});
