import { backoffDelay } from '@spotify-pipeline/shared';
import { withDeadline } from '../external/deadline.js';

export type CallState<T> =
  | { state: 'done'; value: T }
  | { state: 'failed'; error: unknown }
  | { state: 'pending'; sinceMs: number };

export interface ExternalCallsOptions {
  /** How long a reconcile waits for a call it started; a slower call is reported pending. */
  inlineWaitMs: number;
  /** A failed call is not tried again before the shared backoff: up to base x 2^(failures-1), at most max, jittered. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** The jitter's source; injected in tests. */
  random?: () => number;
  /** Called when a call nobody waits for anymore ends: the pipeline is worth another look. */
  onSettled: (pipelineKey: string) => void;
}

interface Entry {
  fingerprint: string;
  running: Promise<void> | undefined;
  since: number;
  result: { ok: true; value: unknown; at: number } | { ok: false; error: unknown; at: number } | undefined;
  failures: number;
  /** How long after the last failure the call may be tried again (drawn once per failure). */
  retryDelayMs: number;
  /** The reconcile that started it stopped waiting: its end must requeue the pipeline. */
  abandoned: boolean;
}

/**
 * Calls to other processes (object store, Kafka admin) made on behalf of pipelines, off the workers'
 * critical path: at most one call per pipeline and purpose is in flight, each has a deadline, results
 * are reused while fresh, and a reconcile waits only briefly for a call it starts. So an endpoint that
 * never answers costs its own pipeline a pending condition and a timeout, and costs no other pipeline a
 * worker. One instance per controller.
 */
export class ExternalCalls {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ExternalCallsOptions) {}

  /**
   * The result of `run` for this pipeline and purpose under `fingerprint` (what the call depends on):
   * a success younger than `maxAgeMs` or a failure still in its retry delay is returned as it is;
   * otherwise one run starts (or the running one is joined) and is awaited up to the inline wait.
   */
  async call<T>(
    pipelineKey: string,
    what: string,
    fingerprint: string,
    options: { deadlineMs: number; maxAgeMs: number; describe: string },
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<CallState<T>> {
    const id = `${pipelineKey}|${what}`;
    let entry = this.entries.get(id);
    if (entry && entry.fingerprint !== fingerprint && !entry.running) {
      this.entries.delete(id);
      entry = undefined;
    }
    if (entry?.result && entry.fingerprint === fingerprint && !entry.running) {
      const age = Date.now() - entry.result.at;
      if (entry.result.ok && age < options.maxAgeMs) return { state: 'done', value: entry.result.value as T };
      if (!entry.result.ok && age < entry.retryDelayMs) return { state: 'failed', error: entry.result.error };
    }
    const lastFailed = entry?.result?.ok === false;
    if (!entry?.running) entry = this.start(id, pipelineKey, fingerprint, options, run, entry);
    const current = entry;
    // An endpoint that failed last time is not waited for: the worker goes on, the end requeues.
    if (!lastFailed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        current.running,
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.options.inlineWaitMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (!current.running && current.result && current.fingerprint === fingerprint) {
      return current.result.ok
        ? { state: 'done', value: current.result.value as T }
        : { state: 'failed', error: current.result.error };
    }
    current.abandoned = true;
    return { state: 'pending', sinceMs: Date.now() - current.since };
  }

  /** Drops what is known about a pipeline (it was deleted). A call still running ends on its own. */
  forget(pipelineKey: string): void {
    for (const id of this.entries.keys()) if (id.startsWith(`${pipelineKey}|`)) this.entries.delete(id);
  }

  /** Calls in flight right now (for tests and metrics). */
  get inFlight(): number {
    return [...this.entries.values()].filter((e) => e.running).length;
  }

  private start<T>(
    id: string,
    pipelineKey: string,
    fingerprint: string,
    options: { deadlineMs: number; describe: string },
    run: (signal: AbortSignal) => Promise<T>,
    previous: Entry | undefined,
  ): Entry {
    const entry: Entry = {
      fingerprint,
      running: undefined,
      since: Date.now(),
      result: previous?.result,
      failures: previous?.failures ?? 0,
      retryDelayMs: previous?.retryDelayMs ?? 0,
      abandoned: false,
    };
    entry.running = withDeadline(options.describe, options.deadlineMs, run)
      .then(
        (value) => {
          entry.result = { ok: true, value, at: Date.now() };
          entry.failures = 0;
        },
        (error: unknown) => {
          entry.result = { ok: false, error, at: Date.now() };
          entry.retryDelayMs = backoffDelay(
            entry.failures,
            { baseMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs },
            this.options.random,
          );
          entry.failures++;
        },
      )
      .finally(() => {
        entry.running = undefined;
        if (entry.abandoned && this.entries.get(id) === entry) this.options.onSettled(pipelineKey);
      });
    this.entries.set(id, entry);
    return entry;
  }
}
