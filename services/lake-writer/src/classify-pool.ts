import { Worker } from 'node:worker_threads';
import type { Logger } from '@spotify-pipeline/shared';
import { type ClassifierName, classifierNamed, type RecordOutcome } from './classify-record.js';
import type { ClassifyRequest } from './classify-worker.js';
import {
  classifySlice,
  type PackedOutcomes,
  packSlice,
  type RecordSlice,
  type SliceClassifier,
  unpackOutcomes,
} from './record-slice.js';

export interface ClassifyPoolParams {
  threads: number;
  /** The worker's entry module (classify-worker with the running code's extension). */
  workerUrl: URL;
  /** Node flags for the workers; the process's own when unset. */
  execArgv?: string[];
  /** A slice not answered in this time is classified on the main thread, and its worker replaced. */
  timeoutMs: number;
  logger: Logger;
  /** A slice classified on the main thread after all, because its worker failed or ran out of time. */
  onFallback?: (reason: string) => void;
}

export interface ClassifyPool {
  classifierFor(name: ClassifierName): SliceClassifier;
  close(): Promise<void>;
}

interface Pending {
  resolve: (outcomes: PackedOutcomes) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  answered: boolean;
}

/** Workers that die this many times in a row before answering once: the pool gives up and stays inline. */
const MAX_FAILED_STARTS = 3;

/**
 * Worker threads that parse and validate records while the main thread decodes Kafka fetches and keeps the
 * buffers. A slice goes to the worker with the fewest slices outstanding. Whatever happens to a worker (it
 * throws, exits, or does not answer in time), its slices are classified on the main thread instead, so a
 * record is never lost or held up by the pool; a worker that keeps dying at start disables the pool.
 */
export function createClassifyPool(params: ClassifyPoolParams): ClassifyPool {
  const { logger } = params;
  const entry = loadable(params.workerUrl);
  const slots: Slot[] = [];
  let nextId = 0;
  let failedStarts = 0;
  let disabled = false;
  let closing = false;

  const fail = (slot: Slot, reason: string) => {
    for (const pending of slot.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
    slot.pending.clear();
  };

  const spawn = (index: number) => {
    const worker = new Worker(entry, params.execArgv ? { execArgv: params.execArgv } : {});
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), answered: false };
    slots[index] = slot;
    worker.on('message', (message: { id: number; outcomes?: PackedOutcomes; error?: string }) => {
      slot.answered = true;
      failedStarts = 0;
      const pending = slot.pending.get(message.id);
      if (!pending) return;
      slot.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.outcomes) pending.resolve(message.outcomes);
      else pending.reject(new Error(message.error ?? 'the worker answered without outcomes'));
    });
    worker.on('error', (err) => {
      logger.error({ err, worker: index }, 'classify worker failed; its records are classified inline');
    });
    worker.on('exit', (code) => {
      fail(slot, `classify worker exited with code ${code}`);
      if (closing || slots[index] !== slot) return;
      if (!slot.answered && ++failedStarts >= MAX_FAILED_STARTS) {
        disabled = true;
        logger.error(
          { failedStarts, workerUrl: params.workerUrl.href },
          'classify workers keep exiting before their first answer; classifying on the main thread from now on (set LAKE_WRITER_PARSE_THREADS=0 to silence this)',
        );
        return;
      }
      spawn(index);
    });
  };
  for (let i = 0; i < params.threads; i++) spawn(i);

  const leastBusy = () => {
    let best: Slot | undefined;
    for (const slot of slots) if (!best || slot.pending.size < best.pending.size) best = slot;
    return best;
  };

  const inWorker = (packed: ReturnType<typeof packSlice>) =>
    new Promise<PackedOutcomes>((resolve, reject) => {
      const slot = leastBusy();
      if (!slot || disabled || closing) {
        reject(new Error('no classify worker is running'));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        const index = slots.indexOf(slot);
        fail(slot, `no answer from a classify worker in ${params.timeoutMs} ms`);
        // A worker that does not answer may be stuck in a loop: replace it rather than wait for it.
        if (index >= 0 && !closing) {
          void slot.worker.terminate();
          spawn(index);
        }
      }, params.timeoutMs);
      slot.pending.set(id, { resolve, reject, timer });
      const request: ClassifyRequest = { id, slice: packed };
      slot.worker.postMessage(request, [packed.data]);
    });

  return {
    classifierFor(name) {
      const classify = classifierNamed(name);
      return async (slice: RecordSlice): Promise<RecordOutcome[]> => {
        if (!disabled && !closing) {
          try {
            return unpackOutcomes(await inWorker(packSlice(name, slice)));
          } catch (err) {
            const reason = err instanceof Error ? err.message : String(err);
            params.onFallback?.(reason);
            logger.warn(
              { reason, partition: slice.partition, records: slice.values.length },
              'classifying a slice on the main thread',
            );
          }
        }
        return classifySlice(classify, slice);
      };
    },
    async close() {
      closing = true;
      for (const slot of slots) fail(slot, 'the classify pool is closing');
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * The worker's module as a Worker can load it. Run from the TypeScript sources (development and tests), the
 * worker registers tsx itself first: a worker thread does not inherit the loader that `--import tsx` gave the
 * main thread.
 */
function loadable(url: URL): URL {
  if (!url.pathname.endsWith('.ts')) return url;
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import { register } from ${tsx}; register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
