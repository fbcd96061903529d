import { afterEach, describe, expect, it } from 'vitest';
import { dropKafkajsNegativeTimeoutWarning } from './kafka-timeout-warning.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);

/** The warnings `run` makes the process emit (they are emitted on a later tick). */
async function warningsDuring(run: () => void): Promise<Array<{ name: string; message: string }>> {
  const seen: Array<{ name: string; message: string }> = [];
  const listen = (warning: Error) => seen.push({ name: warning.name, message: warning.message });
  process.on('warning', listen);
  try {
    run();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return seen;
  } finally {
    process.off('warning', listen);
  }
}

// Named as kafkajs's RequestQueue method is, so the stack looks like the one kafkajs makes.
const kafkajsQueue = {
  scheduleCheckPendingRequests(emit: () => void) {
    emit();
  },
};

describe('dropKafkajsNegativeTimeoutWarning', () => {
  const timers: NodeJS.Timeout[] = [];
  afterEach(() => {
    for (const t of timers.splice(0)) clearTimeout(t);
  });
  dropKafkajsNegativeTimeoutWarning();
  dropKafkajsNegativeTimeoutWarning(); // twice is once

  it('drops the TimeoutNegativeWarning that comes from kafkajs’s request queue', async () => {
    const seen = await warningsDuring(() =>
      kafkajsQueue.scheduleCheckPendingRequests(() =>
        process.emitWarning('-1764000000000 is a negative number.', 'TimeoutNegativeWarning'),
      ),
    );
    expect(seen).toEqual([]);
  });

  it('keeps the same warning from anywhere else, and every other warning from kafkajs', async () => {
    const seen = await warningsDuring(() => {
      process.emitWarning('-5 is a negative number.', { type: 'TimeoutNegativeWarning' });
      kafkajsQueue.scheduleCheckPendingRequests(() =>
        process.emitWarning('too big', 'TimeoutOverflowWarning'),
      );
    });
    expect(seen.map((w) => w.name)).toEqual(['TimeoutNegativeWarning', 'TimeoutOverflowWarning']);
  });

  // The real timer: Node 24 and later warn about a negative delay (earlier releases clamp it silently).
  it.runIf(nodeMajor >= 24)(
    'drops a real negative setTimeout in kafkajs’s method and keeps our own',
    async () => {
      const fromKafkajs = await warningsDuring(() =>
        kafkajsQueue.scheduleCheckPendingRequests(() => timers.push(setTimeout(() => undefined, -1_000))),
      );
      expect(fromKafkajs).toEqual([]);
      const ours = await warningsDuring(() => timers.push(setTimeout(() => undefined, -1_000)));
      expect(ours.map((w) => w.name)).toEqual(['TimeoutNegativeWarning']);
    },
  );
});
