import { describe, expect, it } from 'vitest';
import { mixedSlice } from '../test/mixed-slice.js';
import { catalogClassifier, classifyRecord } from './classify-record.js';
import { classifyPacked, classifySlice, packSlice, unpackOutcomes, unpackValues } from './record-slice.js';

describe('record slices as they cross to a worker thread', () => {
  it('carry every value byte for byte, a missing value as null', () => {
    const slice = mixedSlice(2);
    expect(unpackValues(packSlice('events', slice))).toEqual(slice.values);
  });

  it('come back with the outcomes classify gives record by record, in order', () => {
    const slice = mixedSlice(3);
    const inline = classifySlice(classifyRecord, slice);
    expect(inline.map((o) => o.ok)).toEqual(
      Array.from({ length: 3 }, () => [true, true, false, false, false, false, false, true]).flat(),
    );
    expect(unpackOutcomes(classifyPacked(packSlice('events', slice), classifyRecord))).toEqual(inline);
  });

  it('keep a catalog tombstone a skip with its reason', () => {
    const slice = { ...mixedSlice(), values: [null, Buffer.from('{}')], offsets: ['7', '8'] };
    const tracks = catalogClassifier('tracks');
    const outcomes = unpackOutcomes(classifyPacked(packSlice('tracks', slice), tracks));
    expect(outcomes).toEqual(classifySlice(tracks, slice));
    expect(outcomes[0]).toEqual({ ok: 'skip', reason: 'tombstone' });
  });

  it('are refused when their rows do not match their records, rather than misfiled', () => {
    const packed = classifyPacked(packSlice('events', mixedSlice()), classifyRecord);
    expect(() => unpackOutcomes({ ...packed, rows: `${packed.rows}\n{"extra":1}` })).toThrow(
      /holds 4 rows for 3 good records/,
    );
  });
});
