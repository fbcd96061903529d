import { describe, expect, it } from 'vitest';
import { type BronzeObject, bronzeObjectKey, eventHourPartition, parseBronzeObjectKey } from './layout.js';

const object: BronzeObject = {
  topic: 'listening-events',
  partition: 3,
  firstOffset: '100',
  lastOffset: '9007199254740993',
  date: '2026-01-31',
  hour: '23',
  format: 'jsonl.gz',
};

describe('bronze layout', () => {
  it('names objects by topic, partition, offset range and event hour', () => {
    expect(bronzeObjectKey(object)).toBe(
      'bronze/listening-events/date=2026-01-31/hour=23/listening-events+3+100-9007199254740993.jsonl.gz',
    );
  });

  it('round-trips through the parser, int64 offsets included', () => {
    expect(parseBronzeObjectKey(bronzeObjectKey(object))).toEqual(object);
    const parquet = { ...object, format: 'parquet' as const, firstOffset: '0', lastOffset: '0' };
    expect(parseBronzeObjectKey(bronzeObjectKey(parquet))).toEqual(parquet);
  });

  it('rejects what could not round-trip', () => {
    expect(() => bronzeObjectKey({ ...object, topic: 'a/b' })).toThrow(/topic/);
    expect(() => bronzeObjectKey({ ...object, firstOffset: '10', lastOffset: '9' })).toThrow(/reversed/);
    expect(() => bronzeObjectKey({ ...object, hour: '24' })).toThrow(/hour/);
    expect(() => bronzeObjectKey({ ...object, firstOffset: '-1' })).toThrow(/offset/);
  });

  it('reads a listing that turned + into spaces', () => {
    expect(parseBronzeObjectKey(bronzeObjectKey(object).replaceAll('+', ' '))).toEqual(object);
  });

  it('returns null for foreign keys', () => {
    expect(parseBronzeObjectKey('bronze/x/date=2026-01-01/hour=01/y+1+1-2.jsonl.gz')).toBeNull();
    expect(parseBronzeObjectKey('silver/x/date=2026-01-01/hour=01/x+1+1-2.jsonl.gz')).toBeNull();
    expect(parseBronzeObjectKey('bronze/x/date=2026-01-01/hour=01/x+1+5-2.jsonl.gz')).toBeNull();
    expect(parseBronzeObjectKey('bronze/x/date=2026-01-01/hour=01/x+1+1-2.csv')).toBeNull();
  });

  it('partitions by the event timestamp', () => {
    expect(eventHourPartition('2026-01-31T07:59:59.123Z')).toEqual({ date: '2026-01-31', hour: '07' });
  });
});
