import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { HourGroup } from './partition-buffer.js';

const gzipAsync = promisify(gzip);

/**
 * One group as a gzip JSON Lines body. The asynchronous zlib runs on libuv's thread pool, so compression
 * uses another core while the main thread keeps validating records.
 */
export function encodeJsonLinesGzip(group: HourGroup, level: number): Promise<Buffer> {
  return gzipAsync(`${group.lines.join('\n')}\n`, { level });
}
