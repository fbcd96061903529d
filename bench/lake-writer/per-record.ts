/**
 * The writer's per-record boundary on one core, side by side with the path it replaced: the same records
 * through zod's schema and the full character-by-character JSON text pass (both still the fallback for
 * anything the quick checks cannot prove). Rounds alternate, so a busy moment of the machine hits both.
 */
import { isUtf8 } from 'node:buffer';
import { median } from '@spotify-pipeline/harness';
import { classifyRecord } from '@spotify-pipeline/lake-writer/classify-record';
import { withLakeMetadata } from '@spotify-pipeline/lake-writer/lake-line';
import { sampleEvent } from '@spotify-pipeline/lake-writer/testing/sample-event';
import { DEFAULT_EVENT_TIME_WINDOW, inspectJsonText, listeningEventSchema } from '@spotify-pipeline/shared';
import { eventHourPartition } from '@spotify-pipeline/shared/lake/layout';

const RECORDS = 20_000;
const ROUNDS = 7;

type Boundary = (value: Buffer, offset: string) => unknown;

export function measurePerRecord(): Array<Record<string, unknown>> {
  const events = Array.from({ length: RECORDS }, () => sampleEvent());
  const values = events.map((e) => Buffer.from(JSON.stringify(e)));
  const now = Math.max(...events.map((e) => Date.parse(e.event_ts))) + 1000;
  const intake = { ingestedAt: new Date(now).toISOString(), now, window: DEFAULT_EVENT_TIME_WINDOW };
  const origin = { topic: 'listening-events', partition: 0, offset: '0' };

  const current: Boundary = (value, offset) => {
    origin.offset = offset;
    const outcome = classifyRecord(value, origin, intake);
    if (outcome.ok !== true) throw new Error(`a sample event was refused: ${JSON.stringify(outcome)}`);
    return outcome;
  };
  // Before: every record through the schema and the full text pass.
  const before: Boundary = (value, offset) => {
    if (!isUtf8(value)) throw new Error('not UTF-8');
    const text = value.toString('utf8');
    const parsed = listeningEventSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error('a sample event was refused by the schema');
    if (inspectJsonText(text, { maxDepth: 64, numbers: 'integer' }) !== null) throw new Error('text refused');
    origin.offset = offset;
    return { ...withLakeMetadata(value, text, origin, intake), ...eventHourPartition(parsed.data.event_ts) };
  };

  const rate = (boundary: Boundary) => {
    const started = performance.now();
    for (let i = 0; i < values.length; i++) boundary(values[i]!, String(i));
    return values.length / ((performance.now() - started) / 1000);
  };
  const currentRates: number[] = [];
  const beforeRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    currentRates.push(rate(current));
    beforeRates.push(rate(before));
  }
  // The median round: the first ones also warm the JIT up.
  const quick = median(currentRates);
  const full = median(beforeRates);
  return [
    {
      name: `per-record boundary on one core (UTF-8, JSON.parse, contract, text rules, lake row; ${RECORDS.toLocaleString('en')} simulator events, median of ${ROUNDS} rounds)`,
      value: Math.round(quick),
      unit: 'records/s',
      reference:
        'the same records through zod and the full JSON text pass (the path before the quick checks), alternating rounds',
      reference_value: Math.round(full),
      ratio: Number((quick / full).toFixed(3)),
    },
  ];
}
