// Issue 15: one lake writer holding a burst's whole backlog died of memory in its 256Mi pod, with the V8 heap
// capped, because its buffers were bounded per partition and not together. Here the compiled writer drains a
// backlog on 4 partitions inside a 256 MiB memory cgroup (the pod's limit, enforced by the same kernel
// mechanism), with the pod's heap cap and batch settings, in both lake formats. Without the budget across
// partitions it dies within seconds (bench/lake-writer-memory records that side by side).
import {
  type KafkaInstance,
  memoryCgroupProblem,
  type S3Instance,
  startKafka,
  startS3,
} from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainUnderMemoryLimit } from './memory-limit.js';
import { duplicated, freshTopic, missingFrom, produceEvents, readLake, testStore } from './support.js';

const EVENTS = 200_000;
const LIMIT = 256 * 1024 * 1024;
let kafka: KafkaInstance;
let s3: S3Instance;

beforeAll(async () => {
  [kafka, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([kafka?.destroy(), s3?.destroy()]);
});

describe('a lake writer inside a 256 MiB memory limit', () => {
  it('can make a memory cgroup here (root and a cgroup memory controller)', () => {
    expect(memoryCgroupProblem()).toBeNull();
  });

  for (const format of ['jsonl.gz', 'parquet'] as const)
    it(`drains a ${EVENTS.toLocaleString('en')}-event backlog on 4 partitions without dying of memory (${format})`, async () => {
      const names = await freshTopic(kafka, 4);
      const ids = await produceEvents(names.client, names.topic, EVENTS);
      const run = await drainUnderMemoryLimit({
        kafka,
        s3,
        ...names,
        events: EVENTS,
        limitBytes: LIMIT,
        env: { LAKE_WRITER_FORMAT: format },
        timeoutMs: 240_000,
        progress: (line) => process.stdout.write(`[memory-limit ${format}] ${line}\n`),
      });
      if (run.exitedEarly) process.stdout.write(`[memory-limit ${format}] the writer died:\n${run.log}\n`);
      expect(run.diedOfMemory).toBe(false);
      expect(run.exitedEarly).toBe(false);
      expect(run.oomKills).toBe(0);
      expect(run.cgroupPeakBytes).toBeLessThan(LIMIT);
      expect(run.written).toBe(EVENTS);
      const lake = await readLake(testStore(s3), names.bucket, names.topic);
      expect(missingFrom(lake, ids)).toEqual([]);
      expect(duplicated(lake)).toBe(0);
    }, 400_000);
});
