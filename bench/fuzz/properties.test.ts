import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  catalogRecordBoundary,
  catalogRecordValue,
  jsonishText,
  jsonTextAgreesWithJsonParse,
  lakeLines,
  loaderLineHandling,
  plainObjectText,
  quickPassNeverAcceptsWhatFullPassRefuses,
  recordValue,
  writerRecordBoundary,
} from './properties.js';

// A fixed seed, so the suite is repeatable; `npm run bench -- fuzz` runs the same properties with fresh seeds
// for minutes.
const settings = { seed: 20261201, numRuns: 400 };

describe('fuzzing the record boundaries (fixed seed)', () => {
  it('the lake writer classifies any bytes into a lake row the loader accepts, or a bounded dead letter', async () => {
    await fc.assert(fc.asyncProperty(recordValue, writerRecordBoundary), settings);
  });

  it('on a catalog topic, any bytes become a track row the loader accepts, a bounded dead letter, or a skipped tombstone', async () => {
    await fc.assert(fc.asyncProperty(catalogRecordValue, catalogRecordBoundary), settings);
  });

  it('the loader loads or quarantines every line of any object, losing none', async () => {
    await fc.assert(fc.asyncProperty(lakeLines, loaderLineHandling), { ...settings, numRuns: 200 });
  });

  it('the strict JSON pass never contradicts JSON.parse', () => {
    fc.assert(fc.property(jsonishText, jsonTextAgreesWithJsonParse), { ...settings, numRuns: 2000 });
  });

  it("the loader's quick pass over bytes never accepts what the full pass refuses", () => {
    fc.assert(fc.property(fc.oneof(plainObjectText, jsonishText), quickPassNeverAcceptsWhatFullPassRefuses), {
      ...settings,
      numRuns: 4000,
    });
  });
});
