/**
 * The loader's line checks on one core: `checkBronzeObject` (unzip, then the quick byte pass with the full pass
 * behind it) over lake objects of simulator events, beside the path it replaced on the same objects in
 * alternating rounds (unzip in zlib's default 16 KiB chunks, then per line a string, JSON.parse and the
 * parsed-text pass). Writes bench/results/loader-checks.json. Run: npm run bench -- loader-checks
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzipSync } from 'node:zlib';
import { benchMachine, median, repoRoot } from '@spotify-pipeline/harness';
import { withLakeMetadata } from '@spotify-pipeline/lake-writer/lake-line';
import { intakeAt, sampleEvent } from '@spotify-pipeline/lake-writer/testing/sample-event';
import { bronzeLineRules, checkBronzeObject } from '@spotify-pipeline/loader/bronze-lines';
import { bronzeTableFor } from '@spotify-pipeline/loader/bronze-tables';
import { inspectParsedJsonText } from '@spotify-pipeline/shared';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 4);
const PER_OBJECT = Number(process.env.BENCH_PER_OBJECT ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
for (const [name, value] of Object.entries({
  BENCH_OBJECTS: OBJECTS,
  BENCH_PER_OBJECT: PER_OBJECT,
  BENCH_ROUNDS: ROUNDS,
}))
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, not ${value}`);

const log = (msg: string) => console.log(`[bench loader-checks] ${msg}`);
const gunzipAsync = promisify(gunzip);
const table = bronzeTableFor('listening-events')!;
const rules = bronzeLineRules(table);

/** The path before 2026-12-04: every line a string, parsed, then the parsed-text pass. */
async function checkBefore(gzipped: Buffer): Promise<number> {
  const text = await gunzipAsync(gzipped);
  let clean = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(0x0a, start);
    if (end === -1) end = text.length;
    const line = text.toString('utf8', start, end);
    start = end + 1;
    if (line.length > 0 && inspectParsedJsonText(line, JSON.parse(line), rules) === null) clean++;
  }
  return clean;
}

async function main(): Promise<void> {
  log(`building ${OBJECTS} objects of ${PER_OBJECT.toLocaleString('en')} simulator events`);
  const intake = intakeAt(new Date().toISOString());
  const objects = Array.from({ length: OBJECTS }, (_, o) => {
    const lines = Array.from({ length: PER_OBJECT }, (_, i) => {
      const value = Buffer.from(JSON.stringify(sampleEvent()));
      const origin = { topic: 'listening-events', partition: 0, offset: String(o * PER_OBJECT + i) };
      return withLakeMetadata(value, value.toString('utf8'), origin, intake).line;
    });
    return gzipSync(`${lines.join('\n')}\n`, { level: 1 });
  });
  const lines = OBJECTS * PER_OBJECT;
  const rates = { now: [] as number[], before: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so a busy moment of the machine hits both.
    const order = round % 2 === 0 ? (['now', 'before'] as const) : (['before', 'now'] as const);
    for (const which of order) {
      const started = performance.now();
      for (const body of objects) {
        const rows = which === 'now' ? (await checkBronzeObject(body, table)).rows : await checkBefore(body);
        if (rows !== PER_OBJECT) throw new Error(`${which}: ${rows} of ${PER_OBJECT} sample lines passed`);
      }
      rates[which].push(lines / ((performance.now() - started) / 1000));
    }
    log(
      `round ${round + 1}/${ROUNDS}: ${Math.round(rates.now.at(-1)!)} lines/s, before ${Math.round(rates.before.at(-1)!)}`,
    );
  }
  const now = median(rates.now);
  const before = median(rates.before);
  const result = {
    benchmark: 'loader-checks',
    date: new Date().toISOString(),
    machine: benchMachine('nothing else started by the benchmark'),
    figures: [
      {
        name: `loader line checks, checkBronzeObject (${OBJECTS} objects of ${PER_OBJECT.toLocaleString('en')} simulator events, median of ${ROUNDS} alternating rounds)`,
        value: Math.round(now),
        unit: 'lines/s',
        reference:
          'the path before 2026-12-04 on the same objects: 16 KiB gunzip chunks, a string and JSON.parse per line, the parsed-text pass',
        reference_value: Math.round(before),
        ratio: Number((now / before).toFixed(3)),
      },
    ],
  };
  writeFileSync(join(repoRoot, 'bench/results/loader-checks.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(
    `${Math.round(now)} lines/s against ${Math.round(before)} before (${result.figures[0]!.ratio}x); wrote bench/results/loader-checks.json`,
  );
}

await main();
