import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { MAX_EVENT_BYTES } from '../contract/listening-event.js';
import { type ContractTopicNames, contractTopicNames, DLQ_HEADERS } from '../contract/topics.js';
import type { Validation } from '../contract/validate.js';
import {
  decodeListeningEvent,
  validateAlbum,
  validateArtist,
  validateListeningEvent,
  validateTrack,
} from '../contract/validate.js';
import { isRetriable } from '../errors.js';
import { CompressionTypes, type Message } from '../kafka.js';
import { retry } from '../retry.js';
import { publisherMetrics } from './metrics.js';
import type { BatchProducer } from './producer.js';

type CatalogKind = 'artist' | 'album' | 'track';

export interface PublisherOptions {
  producer: BatchProducer;
  logger: Logger;
  /** Names the source in logs, metrics and the dead-letter `dlq.stage` header. */
  source: string;
  registry?: Registry;
  /** Deployments may prefix the contract's topic names ... */
  topicPrefix?: string;
  /** ... or name them (a source's configuration does); wins over the prefix. */
  topics?: ContractTopicNames;
  /** A batch is sealed and sent when it holds this many records ... */
  maxBatchRecords?: number;
  /** ... or this many bytes of values (before compression; keep the compressed batch under message.max.bytes) ... */
  maxBatchBytes?: number;
  /** ... or when its first record has waited this long. */
  lingerMs?: number;
  compression?: 'gzip' | 'none';
  /** Sealed batches (the one in flight included) held before `publish` asks the caller to `drain()`. */
  maxQueuedBatches?: number;
  /** The first pause after a retriable send failure, doubled up to 30 s (kafkajs retries inside each attempt too). */
  retryDelayMs?: number;
}

interface PublisherStats {
  produced: number;
  deadLettered: number;
  failedAttempts: number;
  pending: number;
}

/**
 * The one way every source writes to Kafka. Records are batched, sent one batch at a time (the idempotent producer's sequence numbers stay valid only if a failed batch is resent as it
 * was, before anything after it), and a batch that fails retriably is resent until the broker takes it.
 *
 * The `publish*` methods never block: they return false when the caller should `await drain()` first.
 */
export interface Publisher {
  /** Validates an event object against the contract; a rejected one goes to the dead-letter topic. */
  publish(event: unknown): boolean;
  /** Parses and validates raw bytes (a line of a file, a body); rejected bytes are dead-lettered as they came. */
  publishRaw(bytes: Buffer | string): boolean;
  /**
   * For a generator whose output is proven valid by its tests (the simulator): only the size limit is
   * checked, because parsing each line back would cost more than generating it.
   */
  publishSerialized(userId: string, json: string): boolean;
  /** Catalog records go to compacted topics keyed by their id. */
  publishCatalog(kind: CatalogKind, record: unknown): boolean;
  /** For input a source rejects before it is an event (a malformed row): the original bytes and why. */
  deadLetter(original: Buffer | string, reason: string, key?: string | null): boolean;
  /** Resolves once there is room to publish again; rejects if the publisher failed for good. */
  drain(): Promise<void>;
  /** Resolves once every record handed over so far is acknowledged by the broker. */
  flush(): Promise<void>;
  /** Flushes, then disconnects the producer. */
  close(): Promise<void>;
  stats(): PublisherStats;
}

interface Batch {
  messages: Map<string, Message[]>;
  records: number;
  bytes: number;
}

const DLQ_MAX_VALUE_BYTES = 512 * 1024;
const MAX_REASON_CHARS = 1000;

const emptyBatch = (): Batch => ({ messages: new Map(), records: 0, bytes: 0 });

export function createPublisher(options: PublisherOptions): Publisher {
  const topics = options.topics ?? contractTopicNames(options.topicPrefix);
  const maxRecords = options.maxBatchRecords ?? 5_000;
  const maxBytes = options.maxBatchBytes ?? 2 * 1024 * 1024;
  const lingerMs = options.lingerMs ?? 20;
  const maxQueued = options.maxQueuedBatches ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const compression = options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
  const log = options.logger.child({ component: 'publisher', source: options.source });
  const metrics = publisherMetrics(options.registry ?? new Registry());
  const dlqCounter = metrics.deadLettered.labels(options.source);

  let current = emptyBatch();
  const sealed: Batch[] = [];
  let sending = false;
  let connected = false;
  let failure: Error | null = null;
  let lingerTimer: NodeJS.Timeout | null = null;
  let waiters: Array<{ resolve: () => void; reject: (err: Error) => void; until: () => boolean }> = [];
  const counts = { produced: 0, deadLettered: 0, failedAttempts: 0 };

  const pendingRecords = () => current.records + sealed.reduce((n, b) => n + b.records, 0);

  function settleWaiters(): void {
    const still: typeof waiters = [];
    for (const w of waiters) {
      if (failure) w.reject(failure);
      else if (w.until()) w.resolve();
      else still.push(w);
    }
    waiters = still;
  }

  function waitUntil(until: () => boolean): Promise<void> {
    if (failure) return Promise.reject(failure);
    if (until()) return Promise.resolve();
    return new Promise((resolve, reject) => waiters.push({ resolve, reject, until }));
  }

  function seal(): void {
    if (lingerTimer) {
      clearTimeout(lingerTimer);
      lingerTimer = null;
    }
    if (current.records === 0) return;
    sealed.push(current);
    current = emptyBatch();
    void pump();
  }

  function enqueue(topic: string, message: Message, bytes: number): boolean {
    if (failure) throw failure;
    let list = current.messages.get(topic);
    if (!list) {
      list = [];
      current.messages.set(topic, list);
    }
    list.push(message);
    current.records += 1;
    current.bytes += bytes;
    if (current.records >= maxRecords || current.bytes >= maxBytes) seal();
    else if (!lingerTimer) lingerTimer = setTimeout(seal, lingerMs);
    return sealed.length <= maxQueued;
  }

  async function pump(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      while (sealed.length > 0 && !failure) {
        await send(sealed[0]!);
        sealed.shift();
        settleWaiters();
      }
    } finally {
      sending = false;
      settleWaiters();
    }
  }

  async function send(batch: Batch): Promise<void> {
    const topicMessages = [...batch.messages].map(([topic, messages]) => ({ topic, messages }));
    const started = process.hrtime.bigint();
    const attemptSend = async (attempt: number) => {
      try {
        if (!connected) {
          // The first connect also fetches the producer id; kafkajs reconnects by itself after that.
          await options.producer.connect();
          connected = true;
        }
        await options.producer.sendBatch({ topicMessages, acks: -1, compression, timeout: 30_000 });
      } catch (err) {
        counts.failedAttempts += 1;
        for (const { topic, messages } of topicMessages) metrics.failed.labels(topic).inc(messages.length);
        throw err;
      }
      metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      for (const { topic, messages } of topicMessages) metrics.produced.labels(topic).inc(messages.length);
      counts.produced += batch.records;
      if (attempt > 0)
        log.info({ attempt: attempt + 1, records: batch.records }, 'batch delivered after retrying');
    };
    try {
      // No deadline: the batch is resent unchanged until the broker takes it (idempotence drops a duplicate).
      // kafkajs wraps a retriable connection error in a non-retriable one once its own retries are used up;
      // isRetriable reads the cause chain, so a source outlasts a broker restart.
      await retry(attemptSend, {
        what: 'publishing a batch',
        baseMs: retryDelayMs,
        maxMs: Math.max(retryDelayMs, 30_000),
        retryable: isRetriable,
        onRetry: ({ err, attempt }) =>
          log.warn(
            { err, attempt: attempt + 1, records: batch.records },
            'batch not acknowledged; resending it unchanged',
          ),
      });
    } catch (err) {
      failure = new Error(`publishing failed for good: ${(err as Error).message}`, { cause: err });
      log.error({ err, records: batch.records }, 'batch rejected by the broker; stopping the publisher');
    }
  }

  function deadLetter(original: Buffer | string, reason: string, key: string | null = null): boolean {
    let value = typeof original === 'string' ? Buffer.from(original) : original;
    const headers: Record<string, string> = {
      [DLQ_HEADERS.reason]: reason.slice(0, MAX_REASON_CHARS),
      [DLQ_HEADERS.stage]: `source:${options.source}`,
    };
    if (value.length > DLQ_MAX_VALUE_BYTES) {
      headers['dlq.original.bytes'] = String(value.length);
      value = value.subarray(0, DLQ_MAX_VALUE_BYTES);
    }
    counts.deadLettered += 1;
    dlqCounter.inc();
    return enqueue(topics.deadLetter, { key, value, headers }, value.length);
  }

  function acceptEvent(result: Validation<{ user_id: string }>, original: () => Buffer | string): boolean {
    if (!result.ok) return deadLetter(original(), result.reason, userIdOf(original));
    const json = JSON.stringify(result.value);
    return publishSerialized(result.value.user_id, json);
  }

  function publishSerialized(userId: string, json: string): boolean {
    // UTF-8 needs at most 3 bytes per UTF-16 unit, so most events skip the exact byte count.
    if (json.length * 3 > MAX_EVENT_BYTES) {
      const size = Buffer.byteLength(json);
      if (size > MAX_EVENT_BYTES) {
        return deadLetter(json, `record is ${size} bytes; the limit is ${MAX_EVENT_BYTES}`, userId);
      }
    }
    return enqueue(topics.events, { key: userId, value: json }, json.length);
  }

  const catalogValidators = { artist: validateArtist, album: validateAlbum, track: validateTrack } as const;
  const catalogKeys = { artist: 'artist_id', album: 'album_id', track: 'track_id' } as const;

  return {
    publish: (event) => acceptEvent(validateListeningEvent(event), () => safeStringify(event)),
    publishRaw: (bytes) => acceptEvent(decodeListeningEvent(bytes), () => bytes),
    publishSerialized,
    publishCatalog(kind, record) {
      const result = catalogValidators[kind](record) as Validation<Record<string, string>>;
      if (!result.ok) return deadLetter(safeStringify(record), `${topics[kind]}: ${result.reason}`);
      const json = JSON.stringify(result.value);
      return enqueue(
        topics[kind],
        { key: result.value[catalogKeys[kind]] ?? null, value: json },
        json.length,
      );
    },
    deadLetter,
    drain: () => waitUntil(() => sealed.length <= maxQueued),
    async flush() {
      seal();
      await waitUntil(() => sealed.length === 0 && !sending);
    },
    async close() {
      try {
        await this.flush();
      } finally {
        if (connected) await options.producer.disconnect();
        connected = false;
      }
    },
    stats: () => ({ ...counts, pending: pendingRecords() }),
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The Kafka key of a rejected record, when one can be read from it, keeps its DLQ entry near its user. */
function userIdOf(original: () => Buffer | string): string | null {
  const text = original();
  const match = /"user_id"\s*:\s*"([^"\\]{1,256})"/.exec(
    typeof text === 'string' ? text : text.toString('utf8'),
  );
  return match?.[1] ?? null;
}
