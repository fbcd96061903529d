import { basename } from 'node:path';
import { type Logger, PipelineError } from '@spotify-pipeline/shared';
import type { ExportInput } from './inputs.js';
import { type ImportCounts, mapRows } from './map.js';

/** Where events go: the Kafka publisher, or a JSONL file in `--out` mode. Same shape as the publisher. */
export interface ImportTarget {
  publish(event: unknown): boolean;
  deadLetter(original: Buffer | string, reason: string): boolean;
  drain(): Promise<void>;
}

export interface ImportReport extends ImportCounts {
  files: number;
  failedFiles: Array<{ file: string; reason: string }>;
}

/** A problem with the input itself (not JSON, too large, gone): retrying cannot help, the rest goes on. */
const isInputProblem = (err: unknown) => err instanceof PipelineError && !err.retriable;

/**
 * Imports export files one at a time, with a progress line per file. A file that is not a JSON array (or
 * too large, or gone) is reported and skipped; a row that is not a valid export row goes to the dead-letter
 * topic with its reason; the rest is published. A failure to reach the store is thrown: the run can be
 * retried as a whole, since event ids are stable.
 */
export async function importFiles(
  inputs: ExportInput[],
  deps: { target: ImportTarget; logger: Logger; userId?: string; includeIncognito?: boolean },
): Promise<ImportReport> {
  const log = deps.logger.child({ component: 'history-import' });
  const report: ImportReport = {
    files: 0,
    failedFiles: [],
    rows: 0,
    plays: 0,
    events: 0,
    podcast: 0,
    empty: 0,
    incognito: 0,
    rejected: 0,
  };
  const started = performance.now();
  for (const [index, input] of inputs.entries()) {
    const fail = (reason: string) => {
      report.failedFiles.push({ file: input.name, reason });
      log.error({ file: input.name, reason }, 'skipping export file');
    };
    let bytes: Buffer;
    try {
      bytes = await input.read();
    } catch (err) {
      if (!isInputProblem(err)) throw err;
      fail((err as Error).message);
      continue;
    }
    let rows: unknown;
    try {
      rows = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      fail(`not readable as JSON: ${(err as Error).message}`);
      continue;
    }
    if (!Array.isArray(rows)) {
      fail('not a JSON array of streaming-history rows');
      continue;
    }
    const mapped = mapRows(rows, {
      ...(deps.userId ? { userId: deps.userId } : {}),
      includeIncognito: deps.includeIncognito ?? false,
    });
    for (const event of mapped.events) if (!deps.target.publish(event)) await deps.target.drain();
    for (const bad of mapped.rejected) {
      if (!deps.target.deadLetter(bad.original, `${basename(input.name)}: ${bad.reason}`))
        await deps.target.drain();
    }
    report.files += 1;
    for (const key of ['rows', 'plays', 'events', 'podcast', 'empty', 'incognito', 'rejected'] as const) {
      report[key] += mapped.counts[key];
    }
    const seconds = (performance.now() - started) / 1000;
    log.info(
      {
        file: input.name,
        ...mapped.counts,
        progress: `${index + 1}/${inputs.length}`,
        totalEvents: report.events,
        eventsPerSecond: Math.round(report.events / Math.max(seconds, 1e-3)),
      },
      `export file ${index + 1} of ${inputs.length} imported`,
    );
  }
  return report;
}
