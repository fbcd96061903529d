import { createMemoryCgroup, type KafkaInstance, type S3Instance } from '@spotify-pipeline/harness';
import { httpStatus, metricValue, sleep, spawnWriter, waitFor } from './support.js';

const MiB = 1024 * 1024;

export interface MemoryLimitRun {
  /** The writer's process was killed by the kernel for memory (a pod's exit 137). */
  oomKills: number;
  /** The writer exited before it had written the backlog. */
  exitedEarly: boolean;
  /** It died of memory: killed by the kernel, or V8 reached its heap cap ("JavaScript heap out of memory"). */
  diedOfMemory: boolean;
  /** Highest charge of the cgroup (page cache included), against its limit. */
  cgroupPeakBytes: number;
  /** Highest resident memory the writer reported on /metrics, sampled each second. */
  rssPeakBytes: number;
  written: number;
  seconds: number;
  log: string;
}

/**
 * One lake writer, compiled as in its image, draining a topic's backlog inside a memory cgroup the size of a
 * pod's limit, with the heap cap and batch settings the operator gives that pod (60% of the limit; 50,000
 * events or 5 s per buffer). Stops when `events` records are written, the writer dies, or `timeoutMs` passes.
 */
export async function drainUnderMemoryLimit(options: {
  kafka: KafkaInstance;
  s3: S3Instance;
  topic: string;
  groupId: string;
  bucket: string;
  events: number;
  limitBytes: number;
  env?: Record<string, string>;
  timeoutMs: number;
  progress?: (line: string) => void;
}): Promise<MemoryLimitRun> {
  const cgroup = createMemoryCgroup(options.groupId, options.limitBytes);
  try {
    const writer = await spawnWriter({
      kafka: options.kafka,
      s3: options.s3,
      bucket: options.bucket,
      topic: options.topic,
      groupId: options.groupId,
      compiled: true,
      cgroup,
      env: {
        NODE_OPTIONS: `--max-old-space-size=${Math.floor((options.limitBytes * 0.6) / MiB)}`,
        LAKE_WRITER_BATCH_MAX_EVENTS: '50000',
        LAKE_WRITER_BATCH_MAX_AGE_MS: '5000',
        LAKE_WRITER_SESSION_TIMEOUT_MS: '30000',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
    });
    const started = Date.now();
    let rssPeakBytes = 0;
    let written = 0;
    let lastReport = 0;
    await waitFor(
      'the writer to serve /metrics, or exit',
      async () => writer.exited() || (await httpStatus(writer.opsPort, '/metrics')) === 200,
      60_000,
      100,
    );
    while (!writer.exited() && written < options.events && Date.now() - started < options.timeoutMs) {
      await sleep(1000);
      const rss = await metricValue(writer.opsPort, 'process_resident_memory_bytes').catch(() => 0);
      rssPeakBytes = Math.max(rssPeakBytes, rss);
      written = await metricValue(writer.opsPort, 'lake_writer_records_written_total').catch(() => written);
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        options.progress?.(
          `${Math.round((Date.now() - started) / 1000)} s: ${written.toLocaleString('en')} of ${options.events.toLocaleString('en')} written, RSS ${Math.round(rss / MiB)} MiB, cgroup peak ${Math.round(cgroup.peakBytes() / MiB)} MiB`,
        );
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const exitedEarly = writer.exited();
    const log = writer.tail();
    await writer.terminate();
    const oomKills = cgroup.oomKills();
    return {
      oomKills,
      exitedEarly,
      diedOfMemory: oomKills > 0 || (exitedEarly && /heap out of memory/.test(log)),
      cgroupPeakBytes: cgroup.peakBytes(),
      rssPeakBytes,
      written,
      seconds,
      log,
    };
  } finally {
    cgroup.remove();
  }
}
