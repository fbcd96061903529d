import { closeSync, openSync, writeSync } from 'node:fs';
import { validateListeningEvent } from '@spotify-pipeline/shared';
import type { ImportTarget } from './import.js';

/**
 * `--out` mode: valid events as JSON Lines in `path`, rejected input in `path.dlq.jsonl` as
 * `{"reason", "original"}` lines, so a dry run shows exactly what Kafka would receive.
 */
export function createFileTarget(path: string): ImportTarget & { close(): void } {
  const out = openSync(path, 'w');
  let dlq: number | undefined;
  const reject = (original: Buffer | string, reason: string) => {
    dlq ??= openSync(`${path}.dlq.jsonl`, 'w');
    writeSync(dlq, `${JSON.stringify({ reason, original: original.toString() })}\n`);
    return true;
  };
  return {
    publish(event) {
      const result = validateListeningEvent(event);
      if (!result.ok) return reject(JSON.stringify(event), result.reason);
      writeSync(out, `${JSON.stringify(result.value)}\n`);
      return true;
    },
    deadLetter: reject,
    drain: async () => undefined,
    close() {
      closeSync(out);
      if (dlq !== undefined) closeSync(dlq);
    },
  };
}
