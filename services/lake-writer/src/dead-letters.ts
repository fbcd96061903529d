import { DLQ_HEADERS } from '@spotify-pipeline/shared';
import type { Producer } from '@spotify-pipeline/shared/kafka';
import type { DeadLetter } from './partition-buffer.js';

export interface DeadLetterSink {
  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(source: { topic: string; partition: number }, letters: DeadLetter[]): Promise<void>;
}

export function createDeadLetterSink(params: { producer: Producer; topic: string }): DeadLetterSink {
  const { producer, topic } = params;
  return {
    async send(source, letters) {
      if (letters.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: letters.map((letter) => ({
          key: letter.key,
          value: letter.value,
          headers: {
            [DLQ_HEADERS.reason]: letter.reason,
            [DLQ_HEADERS.sourceTopic]: source.topic,
            [DLQ_HEADERS.sourcePartition]: String(source.partition),
            [DLQ_HEADERS.sourceOffset]: letter.offset,
            [DLQ_HEADERS.stage]: 'lake-writer',
          },
        })),
      });
    },
  };
}
