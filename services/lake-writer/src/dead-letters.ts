import { DLQ_HEADERS, describeError, printable } from '@spotify-pipeline/shared';
import type { Message, Producer } from '@spotify-pipeline/shared/kafka';
import { quarantineObjectKey } from '@spotify-pipeline/shared/lake/layout';
import type { DeadLetter } from './partition-buffer.js';

export interface DeadLetterSink {
  /**
   * Resolves once every letter is acknowledged by all in-sync replicas, the full bytes of any letter too large
   * for the topic stored in the lake's quarantine first. Rejects only when trying again can help (a broker or
   * store outage, a topic that does not accept even a minimal letter); letters already sent are not resent.
   */
  send(source: { topic: string; partition: number }, letters: DeadLetter[]): Promise<void>;
}

/** Header naming where the full bytes of a letter that carries only an excerpt are (`s3://bucket/key`). */
export const QUARANTINE_HEADER = 'dlq.quarantine';
export const ORIGINAL_BYTES_HEADER = 'dlq.original.bytes';
const KIND_HEADER = 'dlq.kind';
export const REFUSED_HEADER = 'dlq.refused';

export interface DeadLetterLimits {
  /** A value up to this size travels whole; a larger one travels as an excerpt plus a quarantine pointer. */
  maxValueBytes: number;
  excerptBytes: number;
  maxKeyBytes: number;
  /** Letters per produce request are grouped up to this many bytes (the broker limits whole batches). */
  maxRequestBytes: number;
}

const DEFAULT_DEAD_LETTER_LIMITS: DeadLetterLimits = {
  maxValueBytes: 64 * 1024,
  excerptBytes: 1024,
  maxKeyBytes: 1024,
  maxRequestBytes: 512 * 1024,
};

interface Outgoing {
  letter: DeadLetter;
  message: Message;
  bytes: number;
  quarantine: { key: string; body: Buffer } | null;
}

/**
 * The Kafka message for one letter: its original key and bytes with the reason and origin headers, or, when
 * the value is larger than `maxValueBytes`, an excerpt and a pointer to the full bytes in the quarantine.
 * `reduced` builds the smallest letter (a short excerpt), for a topic that refused the normal one.
 */
function deadLetterMessage(
  source: { topic: string; partition: number },
  letter: DeadLetter,
  params: { bucket: string; limits: DeadLetterLimits; reduced?: string },
): Outgoing {
  const { limits } = params;
  const headers: Record<string, string> = {
    [DLQ_HEADERS.reason]: printable(letter.reason),
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: letter.offset,
    [DLQ_HEADERS.stage]: 'lake-writer',
    [KIND_HEADER]: letter.kind,
  };
  let value = letter.value;
  let quarantine: Outgoing['quarantine'] = null;
  const maxValue = params.reduced === undefined ? limits.maxValueBytes : 256;
  if (value !== null && value.length > maxValue) {
    const key = quarantineObjectKey(source.topic, source.partition, letter.offset);
    quarantine = { key, body: value };
    headers[ORIGINAL_BYTES_HEADER] = String(value.length);
    headers[QUARANTINE_HEADER] = `s3://${params.bucket}/${key}`;
    value = value.subarray(0, Math.min(limits.excerptBytes, maxValue));
  }
  let key = letter.key;
  if (key !== null && key.length > limits.maxKeyBytes) {
    headers['dlq.original.key.bytes'] = String(key.length);
    key = key.subarray(0, limits.maxKeyBytes);
  }
  if (params.reduced !== undefined) headers[REFUSED_HEADER] = printable(params.reduced, 200);
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
  return {
    letter,
    message: { key, value, headers },
    bytes: (value?.length ?? 0) + (key?.length ?? 0) + headerBytes + 64,
    quarantine,
  };
}

/** True when any error in the cause chain says that trying again can succeed (kafkajs marks them). */
function isRetriable(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    if ((e as { retriable?: unknown }).retriable === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function createDeadLetterSink(params: {
  producer: Pick<Producer, 'send'>;
  topic: string;
  /** The lake bucket, named in the quarantine pointer. */
  bucket: string;
  /** Stores the full bytes of a letter too large for the topic; resolves once the store acknowledged them. */
  quarantine: (key: string, body: Buffer) => Promise<void>;
  limits?: DeadLetterLimits;
  timeoutMs?: number;
}): DeadLetterSink {
  const { producer, topic, bucket } = params;
  const limits = params.limits ?? DEFAULT_DEAD_LETTER_LIMITS;

  const produce = async (batch: Outgoing[]) => {
    for (const out of batch)
      if (out.quarantine) await params.quarantine(out.quarantine.key, out.quarantine.body);
    await producer.send({
      topic,
      acks: -1,
      timeout: params.timeoutMs ?? 30_000,
      messages: batch.map((out) => out.message),
    });
    for (const out of batch) out.letter.sent = true;
  };

  // A batch the broker refuses for good (too large, an invalid record) is split until the letter at fault is
  // alone; that one is sent reduced to an excerpt. Retriable failures go up, to be retried with backoff.
  const sendSplitting = async (source: { topic: string; partition: number }, batch: Outgoing[]) => {
    try {
      await produce(batch);
    } catch (err) {
      if (isRetriable(err)) throw err;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await sendSplitting(source, batch.slice(0, half));
        await sendSplitting(source, batch.slice(half));
        return;
      }
      const only = batch[0]!;
      const refusal = `the dead-letter topic refused the letter: ${describeError(err, 150)}`;
      await produce([deadLetterMessage(source, only.letter, { bucket, limits, reduced: refusal })]);
    }
  };

  return {
    async send(source, letters) {
      let batch: Outgoing[] = [];
      let bytes = 0;
      for (const letter of letters) {
        if (letter.sent) continue;
        const out = deadLetterMessage(source, letter, { bucket, limits });
        if (batch.length > 0 && bytes + out.bytes > limits.maxRequestBytes) {
          await sendSplitting(source, batch);
          batch = [];
          bytes = 0;
        }
        batch.push(out);
        bytes += out.bytes;
      }
      if (batch.length > 0) await sendSplitting(source, batch);
    },
  };
}
