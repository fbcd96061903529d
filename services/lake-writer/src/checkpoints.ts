import type { Logger } from '@spotify-pipeline/shared';
import { isOffset, writerCheckpointKey } from '@spotify-pipeline/shared/lake/layout';
import {
  type ObjectStoreClient,
  ObjectTooLargeError,
  readObject,
  writeObject,
} from '@spotify-pipeline/shared/object-store';

/**
 * How far a partition is stored, kept in the lake beside the objects. A buffer is stored, then its checkpoint
 * is written, then its offset committed. When a rebalance refuses that commit and the partition moves, Kafka
 * still holds the older offset; the next owner reads the checkpoint and skips what is already in the lake
 * instead of storing it a second time under other object names.
 */
export interface Checkpoint {
  /** The partition's committed offset (as Kafka acknowledged it) when the checkpoint was written. */
  from: string;
  /** Every record below this offset is stored (objects or dead letters). */
  next: string;
}

export interface CheckpointStore {
  read(partition: number): Promise<Checkpoint | null>;
  write(partition: number, checkpoint: Checkpoint): Promise<void>;
}

/**
 * Whether a checkpoint read at a partition's first fetch after a join may move the fetch forward: it must
 * continue the offset Kafka still has (`from <= fetchStart`), lie ahead of it, and not beyond the end of the
 * partition. Anything else (a topic deleted and created again, a stray or hand-edited object) is ignored, so
 * the worst a checkpoint can do is nothing: the writer then stores from Kafka's offset, as without one.
 */
export function checkpointSkip(
  checkpoint: Checkpoint | null,
  fetchStart: bigint,
  highWatermark: bigint,
): bigint | null {
  if (!checkpoint) return null;
  const from = BigInt(checkpoint.from);
  const next = BigInt(checkpoint.next);
  return from <= fetchStart && fetchStart < next && next <= highWatermark ? next : null;
}

export function createCheckpointStore(params: {
  client: ObjectStoreClient;
  bucket: string;
  groupId: string;
  topic: string;
  timeoutMs: number;
  logger: Logger;
}): CheckpointStore {
  const { client, bucket, groupId, topic, timeoutMs, logger } = params;
  const keyOf = (partition: number) => writerCheckpointKey(groupId, topic, partition);
  return {
    async read(partition) {
      let body: Buffer | null;
      try {
        body = await readObject(client, bucket, keyOf(partition), { maxBytes: 4096, timeoutMs });
      } catch (err) {
        // Too large to be a checkpoint: ignored like any other that does not parse, not read again for ever.
        if (!(err instanceof ObjectTooLargeError)) throw err;
        body = Buffer.alloc(0);
      }
      if (body === null) return null;
      const checkpoint = parseCheckpoint(body);
      if (!checkpoint)
        logger.warn(
          { key: keyOf(partition), partition },
          'ignoring a lake-writer checkpoint that is not {"from","next"} offsets; storing from the committed offset',
        );
      return checkpoint;
    },
    async write(partition, checkpoint) {
      const body = Buffer.from(JSON.stringify({ ...checkpoint, writtenAt: new Date().toISOString() }));
      await writeObject(client, bucket, keyOf(partition), body, {
        timeoutMs,
        contentType: 'application/json',
      });
    },
  };
}

function parseCheckpoint(body: Buffer): Checkpoint | null {
  try {
    const value = JSON.parse(body.toString('utf8')) as { from?: unknown; next?: unknown } | null;
    if (!isOffset(value?.from) || !isOffset(value?.next)) return null;
    if (BigInt(value.from) > BigInt(value.next)) return null;
    return { from: value.from, next: value.next };
  } catch {
    return null;
  }
}
