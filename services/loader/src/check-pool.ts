import { Worker } from 'node:worker_threads';
import type { Logger } from '@spotify-pipeline/shared';
import { type CheckedObject, checkBronzeObject } from './bronze-lines.js';
import type { BronzeTable } from './bronze-tables.js';
import type { CheckRequest } from './check-worker.js';

export interface CheckPoolParams {
  threads: number;
  /** The worker's entry module (check-worker with the running code's extension). */
  workerUrl: URL;
  /** Node flags for the workers; the process's own when unset. */
  execArgv?: string[];
  /** An object not checked in this time is checked on the main thread instead, and its worker replaced. */
  timeoutMs: number;
  logger: Logger;
  /** An object checked on the main thread after all, because its worker failed or ran out of time. */
  onFallback?: (reason: string) => void;
}

/** Checks bronze objects' lines: the same answer as checkBronzeObject, computed off the main thread. */
export interface CheckPool {
  check(gzipped: Buffer, table: BronzeTable): Promise<CheckedObject>;
  close(): Promise<void>;
}

interface WorkerAnswer {
  id: number;
  checked?: Omit<CheckedObject, 'gzipped'> & { rewritten: Uint8Array | null };
  error?: string;
}

interface Pending {
  resolve: (answer: NonNullable<WorkerAnswer['checked']>) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  answered: boolean;
}

/** Workers that die this many times in a row before answering once: the pool gives up and checks inline. */
const MAX_FAILED_STARTS = 3;

/**
 * Worker threads that check downloaded objects while the main thread waits on the warehouse. An object goes
 * to the worker with the fewest outstanding. Whatever happens to a worker (it throws, exits or does not answer
 * in time), its objects are checked on the main thread instead, so no object is lost or held up by the pool;
 * workers that keep dying at start disable it.
 */
export function createCheckPool(params: CheckPoolParams): CheckPool {
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
    worker.on('message', (answer: WorkerAnswer) => {
      slot.answered = true;
      failedStarts = 0;
      const pending = slot.pending.get(answer.id);
      if (!pending) return;
      slot.pending.delete(answer.id);
      clearTimeout(pending.timer);
      if (answer.checked) pending.resolve(answer.checked);
      else pending.reject(new Error(answer.error ?? 'the worker answered without a result'));
    });
    worker.on('error', (err) => {
      logger.error({ err, worker: index }, 'line-check worker failed; its objects are checked inline');
    });
    worker.on('exit', (code) => {
      fail(slot, `line-check worker exited with code ${code}`);
      if (closing || slots[index] !== slot) return;
      if (!slot.answered && ++failedStarts >= MAX_FAILED_STARTS) {
        disabled = true;
        logger.error(
          { failedStarts, workerUrl: params.workerUrl.href },
          'line-check workers keep exiting before their first answer; checking on the main thread from now on (LOADER_CHECK_THREADS=0 does so from the start)',
        );
        return;
      }
      spawn(index);
    });
  };
  for (let i = 0; i < params.threads; i++) spawn(i);

  const inWorker = (gzipped: Buffer, table: BronzeTable) =>
    new Promise<NonNullable<WorkerAnswer['checked']>>((resolve, reject) => {
      let slot: Slot | undefined;
      for (const candidate of slots)
        if (!slot || candidate.pending.size < slot.pending.size) slot = candidate;
      if (!slot || disabled || closing) {
        reject(new Error('no line-check worker is running'));
        return;
      }
      const chosen = slot;
      const id = nextId++;
      const timer = setTimeout(() => {
        const index = slots.indexOf(chosen);
        fail(chosen, `no answer from a line-check worker in ${params.timeoutMs} ms`);
        // A worker that does not answer may be stuck: replace it rather than wait for it.
        if (index >= 0 && !closing) {
          void chosen.worker.terminate();
          spawn(index);
        }
      }, params.timeoutMs);
      chosen.pending.set(id, { resolve, reject, timer });
      // Copied, not transferred: the main thread keeps the object's bytes to load them as they are.
      const request: CheckRequest = { id, gzipped, table };
      chosen.worker.postMessage(request);
    });

  return {
    async check(gzipped, table) {
      if (!disabled && !closing) {
        try {
          const { rewritten, ...checked } = await inWorker(gzipped, table);
          return {
            ...checked,
            gzipped: rewritten
              ? Buffer.from(rewritten.buffer, rewritten.byteOffset, rewritten.byteLength)
              : gzipped,
          };
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          params.onFallback?.(reason);
          logger.warn({ reason, table: table.table }, 'checking an object on the main thread');
        }
      }
      return checkBronzeObject(gzipped, table);
    },
    async close() {
      closing = true;
      for (const slot of slots) fail(slot, 'the line-check pool is closing');
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * The worker's module as a Worker can load it. Run from the TypeScript sources (development and tests), the
 * worker registers tsx itself first: a worker thread does not inherit the loader `--import tsx` gave the main
 * thread.
 */
function loadable(url: URL): URL {
  if (!url.pathname.endsWith('.ts')) return url;
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import { register } from ${tsx}; register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
