/**
 * Fuzz benchmark: the properties of properties.ts with fresh random seeds for BENCH_SECONDS each (default 60),
 * reporting inputs tried per second and failures (which must be zero), plus the record boundaries' own
 * throughput on pre-generated fuzz inputs beside JSON.parse of the same inputs (the floor any check pays).
 * Writes bench/results/fuzz.json. Run: npm run bench -- fuzz
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { benchMachine, repoRoot } from '@spotify-pipeline/harness';
import { classifyRecord } from '@spotify-pipeline/lake-writer/classify-record';
import { intakeAt } from '@spotify-pipeline/lake-writer/testing/sample-event';
import { checkBronzeObject } from '@spotify-pipeline/loader/bronze-lines';
import { bronzeTableFor } from '@spotify-pipeline/loader/bronze-tables';
import fc from 'fast-check';
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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const log = (msg: string) => console.log(`[bench fuzz] ${msg}`);

interface Figure {
  name: string;
  value: number;
  unit: string;
  reference: string | null;
  reference_value: number | null;
  ratio: number | null;
}

/** Runs a property with a new seed per round until the time is up; every failure is printed with its seed. */
async function fuzz<Ts extends [unknown]>(name: string, property: fc.IRawProperty<Ts>) {
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let inputs = 0;
  let failures = 0;
  let lastLog = started;
  while (performance.now() < deadline) {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const result = await fc.check(property, {
      seed,
      numRuns: 500,
      endOnFailure: true,
    });
    inputs += result.numRuns;
    if (result.failed) {
      failures++;
      log(`${name}: FAILED with seed ${seed}: ${fc.defaultReportMessage(result)}`);
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(
        `${name}: ${inputs} inputs, ${failures} failures, ${Math.round(inputs / ((lastLog - started) / 1000))}/s`,
      );
    }
  }
  const perSecond = inputs / ((performance.now() - started) / 1000);
  log(`${name}: ${inputs} inputs in ${SECONDS} s (${Math.round(perSecond)}/s), ${failures} failures`);
  return { inputs, failures, perSecond };
}

/** Records/s of `handle` over `inputs`, repeated for at least a second. */
async function throughput<T>(inputs: readonly T[], handle: (input: T) => unknown): Promise<number> {
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < 2000) {
    for (const input of inputs) await handle(input);
    done += inputs.length;
  }
  return done / ((performance.now() - started) / 1000);
}

const parseOnly = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

async function main() {
  log(`${SECONDS} s per property, fresh seeds`);
  const writer = await fuzz('writer record boundary', fc.asyncProperty(recordValue, writerRecordBoundary));
  const catalog = await fuzz(
    'catalog record boundary',
    fc.asyncProperty(catalogRecordValue, catalogRecordBoundary),
  );
  const loader = await fuzz('loader line handling', fc.asyncProperty(lakeLines, loaderLineHandling));
  const json = await fuzz(
    'strict JSON pass vs JSON.parse',
    fc.property(jsonishText, jsonTextAgreesWithJsonParse),
  );
  const quick = await fuzz(
    'quick byte pass vs full pass',
    fc.property(fc.oneof(plainObjectText, jsonishText), quickPassNeverAcceptsWhatFullPassRefuses),
  );

  const records = fc.sample(recordValue, { numRuns: 5000 });
  const intake = intakeAt(new Date().toISOString());
  const origin = { topic: 'listening-events', partition: 0, offset: '1' };
  const classify = await throughput(records, (value) => classifyRecord(value, origin, intake));
  const parse = await throughput(records, (value) => (value ? parseOnly(value.toString('utf8')) : null));
  const objects = fc.sample(lakeLines, { numRuns: 500 }).map((lines) => gzipSync(`${lines.join('\n')}\n`));
  const table = bronzeTableFor('listening-events')!;
  const lineCount = fc.sample(lakeLines, { numRuns: 500 }).reduce((n, lines) => n + lines.length, 0) / 500;
  const check = await throughput(objects, (body) => checkBronzeObject(body, table));
  log(
    `classifyRecord ${Math.round(classify)}/s vs JSON.parse ${Math.round(parse)}/s; loader ${Math.round(check)} objects/s`,
  );

  const figures: Figure[] = [
    {
      name: 'lake writer record boundary: fuzz inputs tried (generation included)',
      value: Math.round(writer.perSecond),
      unit: 'inputs/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
    {
      name: 'catalog record boundary (tracks): fuzz inputs tried (generation included)',
      value: Math.round(catalog.perSecond),
      unit: 'inputs/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
    {
      name: 'loader line handling: fuzz objects tried (up to 30 lines each)',
      value: Math.round(loader.perSecond),
      unit: 'objects/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
    {
      name: 'strict JSON pass vs JSON.parse: fuzz texts tried',
      value: Math.round(json.perSecond),
      unit: 'inputs/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
    {
      name: 'quick byte pass vs full pass: fuzz texts tried',
      value: Math.round(quick.perSecond),
      unit: 'inputs/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
    {
      name: 'failures over all fuzz inputs',
      value: [writer, catalog, loader, json, quick].reduce((n, p) => n + p.failures, 0),
      unit: `failures in ${[writer, catalog, loader, json, quick].reduce((n, p) => n + p.inputs, 0)} inputs`,
      reference: 'required',
      reference_value: 0,
      ratio: null,
    },
    {
      name: 'classifyRecord on pre-generated fuzz inputs',
      value: Math.round(classify),
      unit: 'records/s',
      reference: 'JSON.parse alone on the same inputs',
      reference_value: Math.round(parse),
      ratio: Number((classify / parse).toFixed(3)),
    },
    {
      name: 'checkBronzeObject on pre-generated fuzz objects',
      value: Math.round(check * lineCount),
      unit: 'lines/s',
      reference: null,
      reference_value: null,
      ratio: null,
    },
  ];
  const result = {
    benchmark: 'fuzz',
    date: new Date().toISOString(),
    machine: benchMachine('shared machine'),
    notes: `fast-check ${SECONDS} s per property with fresh seeds; inputs are mutated contract events, arbitrary bytes and text (see bench/fuzz/properties.ts)`,
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/fuzz.json'), `${JSON.stringify(result, null, 2)}\n`);
  log('wrote bench/results/fuzz.json');
  if (writer.failures + catalog.failures + loader.failures + json.failures > 0) process.exitCode = 1;
}

await main();
