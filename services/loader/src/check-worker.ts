/**
 * A worker thread of the line-check pool: checks one bronze object per request and answers with what to load.
 * It keeps no state between objects, so a worker that is replaced loses nothing.
 */
import { parentPort } from 'node:worker_threads';
import { checkBronzeObject } from './bronze-lines.js';
import type { BronzeTable } from './bronze-tables.js';

export interface CheckRequest {
  id: number;
  gzipped: Uint8Array;
  table: BronzeTable;
}

parentPort?.on('message', async ({ id, gzipped, table }: CheckRequest) => {
  const input = Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength);
  try {
    const checked = await checkBronzeObject(input, table);
    // The object's own bytes are the main thread's already: send back only a rewritten body.
    const rewritten = checked.gzipped === input ? null : new Uint8Array(checked.gzipped);
    parentPort?.postMessage(
      {
        id,
        checked: {
          rows: checked.rows,
          lineNumbers: checked.lineNumbers,
          rejected: checked.rejected,
          rewritten,
        },
      },
      rewritten ? [rewritten.buffer as ArrayBuffer] : [],
    );
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
