import { closeSync, openSync, writeSync } from 'node:fs';
import type { Publisher } from '@spotify-pipeline/shared/publisher';
import type { EventSink } from './simulation.js';

/** Where generated events go: a JSONL file, Kafka through the publisher, or nowhere (a dry run). */
export interface OutputSink {
  readonly write: EventSink;
  /** True when the sink wants the generator to `await drain()` before writing more. */
  wantsDrain(): boolean;
  drain(): Promise<void>;
  close(): Promise<void>;
}

const FILE_CHUNK_CHARS = 1 << 20;

/** JSON Lines, one event per line, written in ~1 MiB synchronous chunks (a CLI has nothing else to do). */
export function createFileSink(path: string): OutputSink {
  const fd = path === '-' ? 1 : openSync(path, 'w');
  let lines: string[] = [];
  let chars = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    let buffer = Buffer.from(text);
    while (buffer.length > 0) buffer = buffer.subarray(writeSync(fd, buffer));
    lines = [];
    chars = 0;
  };
  return {
    write: (_userId, json) => {
      lines.push(json);
      chars += json.length;
      if (chars >= FILE_CHUNK_CHARS) flush();
    },
    wantsDrain: () => false,
    drain: async () => undefined,
    close: async () => {
      flush();
      if (fd !== 1) closeSync(fd);
    },
  };
}

export function createNullSink(): OutputSink {
  return {
    write: () => undefined,
    wantsDrain: () => false,
    drain: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * Kafka: events are already contract JSON (the simulator's tests prove it), so only the size is checked.
 * With several publishers, each user's events always go through the same one (FNV-1a of user_id), so
 * per-user order holds while several idempotent producers keep batches in flight at once: kafkajs allows
 * an idempotent producer only one request in flight per broker, which leaves one producer waiting on
 * acknowledgements most of the time.
 */
export function createPublisherSink(publishers: Publisher[]): OutputSink {
  if (publishers.length === 0) throw new Error('a publisher sink needs at least one publisher');
  let full = false;
  const n = publishers.length;
  return {
    write: (userId, json) => {
      const publisher = n === 1 ? publishers[0]! : publishers[fnv1a(userId) % n]!;
      if (!publisher.publishSerialized(userId, json)) full = true;
    },
    wantsDrain: () => full,
    drain: async () => {
      await Promise.all(publishers.map((p) => p.drain()));
      full = false;
    },
    close: async () => {
      await Promise.all(publishers.map((p) => p.close()));
    },
  };
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
