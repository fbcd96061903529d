import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaInstance, readTopic, startKafka, testKafka } from '@spotify-pipeline/harness';
import { exportRows } from '@spotify-pipeline/harness/spotify-export';
import { createLogger, DLQ_HEADERS, decodeListeningEvent, TOPICS } from '@spotify-pipeline/shared';
import {
  createIdempotentProducer,
  createPublisher,
  ensureContractTopics,
} from '@spotify-pipeline/shared/publisher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../src/import.js';
import { localInputs } from '../src/inputs.js';

const logger = createLogger({ name: 'history-import-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('streaming-history import into a real Kafka broker', () => {
  let broker: KafkaInstance;
  let kafka: ReturnType<typeof testKafka>;
  let dir: string;

  beforeAll(async () => {
    broker = await startKafka();
    kafka = testKafka(broker.bootstrap, logger);
    dir = mkdtempSync(join(tmpdir(), 'history-'));
    writeFileSync(join(dir, 'Streaming_History_Audio_2023-2024_0.json'), JSON.stringify(exportRows(300)));
    const second = exportRows(40, { startMs: Date.UTC(2024, 5, 1) });
    second.splice(5, 0, { ...(second[0] as object), ts: '31/12/2024 10:00' });
    second.splice(9, 0, { ...(second[1] as object), ms_played: 'a lot' });
    second.splice(20, 0, null);
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_1.json'), JSON.stringify(second));
    writeFileSync(join(dir, 'Streaming_History_Audio_2024_2.json'), '[{"ts": "2024-07-01T00:00:00Z", ');
    writeFileSync(join(dir, 'Userdata.json'), '{}');
  }, 240_000);
  afterAll(async () => {
    await broker?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function importInto(prefix: string) {
    await ensureContractTopics(kafka, { partitions: 2, topicPrefix: prefix, logger });
    const publisher = createPublisher({
      producer: createIdempotentProducer(kafka),
      logger,
      source: 'history_import',
      topicPrefix: prefix,
    });
    const report = await importFiles(localInputs([dir], 64 * 1024 * 1024), { target: publisher, logger });
    await publisher.close();
    return report;
  }

  it('publishes valid events, dead-letters malformed rows with a reason, reports an unreadable file', async () => {
    const report = await importInto('first.');
    expect(report.files).toBe(2);
    expect(report.failedFiles).toEqual([
      {
        file: join(dir, 'Streaming_History_Audio_2024_2.json'),
        reason: expect.stringMatching(/^not readable as JSON/),
      },
    ]);
    expect(report).toMatchObject({ rows: 343, rejected: 3, podcast: 7, empty: 7, incognito: 7 });
    expect(report.events).toBe(2 * report.plays);

    const events = await readTopic(kafka, `first.${TOPICS.listeningEvents}`);
    expect(events).toHaveLength(report.events);
    expect(events.map((r) => decodeListeningEvent(r.value)).filter((d) => !d.ok)).toEqual([]);
    expect(events.every((r) => r.key === 'listener1')).toBe(true);

    const dead = await readTopic(kafka, `first.${TOPICS.deadLetter}`);
    expect(dead.map((d) => d.headers[DLQ_HEADERS.reason])).toEqual([
      expect.stringMatching(/^Streaming_History_Audio_2024_1\.json: export row: ts: must be a UTC timestamp/),
      expect.stringMatching(/^Streaming_History_Audio_2024_1\.json: export row: ms_played: /),
      expect.stringMatching(/^Streaming_History_Audio_2024_1\.json: export row: \(record\): /),
    ]);
    expect(JSON.parse(dead[0]!.value.toString()).ts).toBe('31/12/2024 10:00');
    expect(dead[2]!.value.toString()).toBe('null');
  });

  it('gives the same event ids when the same files are imported again', async () => {
    await importInto('again.');
    const ids = async (prefix: string) =>
      (await readTopic(kafka, `${prefix}${TOPICS.listeningEvents}`))
        .map((r) => JSON.parse(r.value.toString()).event_id as string)
        .sort();
    const first = await ids('first.');
    expect(await ids('again.')).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });
});
