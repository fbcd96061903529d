import { createLogger } from '@spotify-pipeline/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { mixedSlice } from '../test/mixed-slice.js';
import { type ClassifyPool, createClassifyPool } from './classify-pool.js';
import { catalogClassifier, classifyRecord } from './classify-record.js';
import { classifySlice } from './record-slice.js';

// The workers run the TypeScript sources, as the writer does in development.
const execArgv = ['--conditions=source'];
const classifyWorker = new URL('./classify-worker.ts', import.meta.url);
const logger = createLogger({ name: 'test', level: 'silent' });

describe('createClassifyPool', () => {
  let pool: ClassifyPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('classifies slices in worker threads exactly as the main thread would, each slice in its order', async () => {
    const fallbacks: string[] = [];
    pool = createClassifyPool({
      threads: 2,
      workerUrl: classifyWorker,
      execArgv,
      timeoutMs: 30_000,
      logger,
      onFallback: (reason) => fallbacks.push(reason),
    });
    const events = pool.classifierFor('events');
    const slices = Array.from({ length: 6 }, (_, i) => mixedSlice(60, i * 480));
    const outcomes = await Promise.all(slices.map((slice) => events(slice)));
    for (const [i, got] of outcomes.entries())
      expect(got).toEqual(classifySlice(classifyRecord, slices[i] ?? mixedSlice(0)));
    const tombstone = { ...mixedSlice(), values: [null], offsets: ['9'] };
    expect(await pool.classifierFor('albums')(tombstone)).toEqual(
      classifySlice(catalogClassifier('albums'), tombstone),
    );
    expect(fallbacks).toEqual([]);
  });

  it('classifies on the main thread when a worker does not answer in time', async () => {
    const fallbacks: string[] = [];
    pool = createClassifyPool({
      threads: 1,
      workerUrl: new URL('../test/silent-worker.ts', import.meta.url),
      execArgv,
      timeoutMs: 300,
      logger,
      onFallback: (reason) => fallbacks.push(reason),
    });
    const slice = mixedSlice(4);
    const events = pool.classifierFor('events');
    expect(await events(slice)).toEqual(classifySlice(classifyRecord, slice));
    expect(await events(slice)).toEqual(classifySlice(classifyRecord, slice));
    expect(fallbacks).toEqual([
      'no answer from a classify worker in 300 ms',
      'no answer from a classify worker in 300 ms',
    ]);
  });

  it('gives up on workers that cannot start and classifies every slice on the main thread', async () => {
    const fallbacks: string[] = [];
    pool = createClassifyPool({
      threads: 1,
      workerUrl: new URL('./no-such-worker.js', import.meta.url),
      execArgv,
      timeoutMs: 30_000,
      logger,
      onFallback: (reason) => fallbacks.push(reason),
    });
    const slice = mixedSlice(2);
    const events = pool.classifierFor('events');
    for (let i = 0; i < 5; i++) expect(await events(slice)).toEqual(classifySlice(classifyRecord, slice));
    // Each start that failed took the slice sent to it; after the third the pool stays on the main thread.
    expect(fallbacks.length).toBeGreaterThanOrEqual(1);
    expect(fallbacks.length).toBeLessThanOrEqual(3);
    expect(fallbacks.every((reason) => /exited with code|no classify worker/.test(reason))).toBe(true);
  });
});
