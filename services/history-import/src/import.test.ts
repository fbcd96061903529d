import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRows } from '@spotify-pipeline/harness/spotify-export';
import { createLogger, UnavailableError } from '@spotify-pipeline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from './import.js';
import { type ExportInput, localInputs } from './inputs.js';

const logger = createLogger({ name: 'import-test', level: 'silent' });

function memoryTarget() {
  const published: unknown[] = [];
  const dead: string[] = [];
  return {
    published,
    dead,
    publish: (e: unknown) => published.push(e) > 0,
    deadLetter: (_original: Buffer | string, reason: string) => dead.push(reason) > 0,
    drain: async () => undefined,
  };
}

const input = (name: string, read: () => Promise<Buffer>): ExportInput => ({ name, size: 0, read });
const rows = (n: number) => Buffer.from(JSON.stringify(exportRows(n, { username: 'alice' })));

describe('importing export files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-inputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a file that is too large, not JSON, or not a list, and imports the others', async () => {
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_0.json'), rows(10));
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_1.json'), rows(400));
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_2.json'), '['.repeat(2000));
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_3.json'), '{"ts": 1}');
    writeFileSync(join(dir, 'ReadMe.pdf'), 'not an export');
    const small = rows(10).length + 1;
    const target = memoryTarget();
    const report = await importFiles(localInputs([dir], small), { target, logger });
    expect(report.files).toBe(1);
    expect(report.failedFiles.map((f) => [f.file.split('/').pop(), f.reason])).toEqual([
      ['Streaming_History_Audio_2024_1.json', expect.stringMatching(/is larger than \d+ bytes/)],
      ['Streaming_History_Audio_2024_2.json', expect.stringMatching(/^not readable as JSON/)],
      ['Streaming_History_Audio_2024_3.json', 'not a JSON array of streaming-history rows'],
    ]);
    expect(target.published.length).toBe(report.events);
    expect(report.events).toBeGreaterThan(0);
  });

  it('stops on a store that cannot be reached (the run is retried whole), rather than skipping the file', async () => {
    const target = memoryTarget();
    const unreachable = input('b', () =>
      Promise.reject(new UnavailableError('reading s3://lake/b timed out')),
    );
    await expect(
      importFiles([input('a', async () => rows(5)), unreachable], { target, logger }),
    ).rejects.toThrow(/timed out/);
  });

  it('names a local path that does not exist', () => {
    expect(() => localInputs([join(dir, 'missing')], 1000)).toThrow(
      /HISTORY_IMPORT_PATHS: .*missing does not exist/,
    );
  });
});
