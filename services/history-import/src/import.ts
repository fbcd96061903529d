import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '@spotify-pipeline/shared';
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

const EXPORT_FILE = /^Streaming_History_Audio_.*\.json$/;

/** Files named on the command line, plus every `Streaming_History_Audio_*.json` inside named folders. */
export function expandPaths(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => EXPORT_FILE.test(name))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

/**
 * Imports export files one at a time. A file that is not a JSON array is reported and skipped; a row that
 * is not a valid export row goes to the dead-letter topic with its reason; the rest is published.
 */
export async function importFiles(
  files: string[],
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
  for (const file of files) {
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const reason = `not readable as JSON: ${(err as Error).message}`;
      report.failedFiles.push({ file, reason });
      log.error({ file: basename(file), reason }, 'skipping export file');
      continue;
    }
    if (!Array.isArray(rows)) {
      const reason = 'not a JSON array of streaming-history rows';
      report.failedFiles.push({ file, reason });
      log.error({ file: basename(file), reason }, 'skipping export file');
      continue;
    }
    const mapped = mapRows(rows, {
      ...(deps.userId ? { userId: deps.userId } : {}),
      includeIncognito: deps.includeIncognito ?? false,
    });
    for (const event of mapped.events) if (!deps.target.publish(event)) await deps.target.drain();
    for (const bad of mapped.rejected) {
      if (!deps.target.deadLetter(bad.original, `${basename(file)}: ${bad.reason}`))
        await deps.target.drain();
    }
    report.files += 1;
    for (const key of ['rows', 'plays', 'events', 'podcast', 'empty', 'incognito', 'rejected'] as const) {
      report[key] += mapped.counts[key];
    }
    log.info({ file: basename(file), ...mapped.counts }, 'export file imported');
  }
  return report;
}
