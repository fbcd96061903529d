// Property-based fuzzing of the per-record boundaries (fast-check): arbitrary bytes and mutated valid events
// through the lake writer's record handling and the loader's line handling. Every input must end in the lake,
// the dead-letter topic or the loader's quarantine: never a throw, never a loss. The same properties run with a
// fixed seed in the unit suite (properties.test.ts) and for minutes as a benchmark (run.ts).
import { gunzipSync, gzipSync } from 'node:zlib';
import { catalogClassifier, classifyRecord } from '@spotify-pipeline/lake-writer/classify-record';
import { intakeAt } from '@spotify-pipeline/lake-writer/testing/sample-event';
import { checkBronzeObject } from '@spotify-pipeline/loader/bronze-lines';
import { bronzeTableFor } from '@spotify-pipeline/loader/bronze-tables';
import {
  CONTEXT_TYPES,
  COUNTRY_CODES,
  DEVICE_TYPES,
  EVENT_SOURCES,
  EVENT_TYPES,
  inspectJsonText,
  isPlainJsonObject,
  type JsonTextRules,
  MAX_REASON_CHARS,
} from '@spotify-pipeline/shared';
import fc from 'fast-check';

const INTAKE = intakeAt('2026-11-26T12:00:00.000Z');
const ORIGIN = { topic: 'listening-events', partition: 3, offset: '1234' };
const EVENTS_TABLE = bronzeTableFor('listening-events')!;
const KINDS = new Set(['size', 'json', 'contract', 'internal']);

/** Contract-valid listening events, across the contract's whole range. */
const validEvent = fc
  .record({
    event_id: fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }),
    event_type: fc.constantFrom(...EVENT_TYPES),
    event_ts: fc
      .date({
        min: new Date('2008-01-01T00:00:00.000Z'),
        max: new Date('2026-11-27T11:59:59.999Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    user_id: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
    session_id: fc.string({ minLength: 1, maxLength: 40 }),
    track_id: fc.string({ minLength: 1, maxLength: 40 }),
    track_name: fc.string({ maxLength: 80, unit: 'grapheme' }),
    artist_id: fc.string({ minLength: 1, maxLength: 40 }),
    artist_name: fc.string({ maxLength: 80, unit: 'grapheme' }),
    album_id: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
    album_name: fc.option(fc.string({ maxLength: 80 }), { nil: null }),
    duration_ms: fc.integer({ min: 0, max: 86_400_000 }),
    position_fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    ms_played: fc.integer({ min: 0, max: 86_400_000 }),
    device_type: fc.constantFrom(...DEVICE_TYPES),
    country: fc.option(fc.constantFrom(...COUNTRY_CODES), { nil: null }),
    context_type: fc.option(fc.constantFrom(...CONTEXT_TYPES), { nil: null }),
    context_id: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
    source: fc.constantFrom(...EVENT_SOURCES),
    shuffle: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ position_fraction, ...e }) => {
    const event: Record<string, unknown> = {
      schema_version: 1,
      ...e,
      position_ms: Math.floor(e.duration_ms * position_fraction),
    };
    if (e.shuffle === undefined) delete event.shuffle;
    return event;
  });

/** Text made of the characters warehouses disagree about, mixed with ordinary ones. */
const trickyText = fc.string({
  maxLength: 12,
  unit: fc.constantFrom(
    'a',
    'é',
    '🎵',
    '\u0000',
    '\ud800',
    '\udfff',
    '"',
    '\\',
    '\n',
    '\r',
    '\u2028',
    '\u001f',
    '\ufeff',
  ),
});

/** One way to break (or not) a valid event's JSON text. */
const mutation: fc.Arbitrary<(event: Record<string, unknown>) => Buffer> = fc.oneof(
  { weight: 8, arbitrary: fc.constant((e: Record<string, unknown>) => Buffer.from(JSON.stringify(e))) },
  fc
    .tuple(
      fc.constantFrom(
        'event_id',
        'event_ts',
        'country',
        'duration_ms',
        'position_ms',
        'track_name',
        'schema_version',
        'extra',
      ),
      fc.jsonValue(),
    )
    .map(
      ([field, value]) =>
        (e: Record<string, unknown>) =>
          Buffer.from(JSON.stringify({ ...e, [field]: value })),
    ),
  fc
    .tuple(fc.constantFrom('track_name', 'artist_name', 'user_id', 'album_name', 'context_id'), trickyText)
    .map(
      ([field, value]) =>
        (e: Record<string, unknown>) =>
          Buffer.from(JSON.stringify({ ...e, [field]: value })),
    ),
  fc
    .tuple(fc.constantFrom('event_id', 'country', 'duration_ms', 'track_name'), fc.jsonValue())
    .map(([field, value]) => (e: Record<string, unknown>) => {
      const text = JSON.stringify(e);
      return Buffer.from(`${text.slice(0, -1)},${JSON.stringify(field)}:${JSON.stringify(value) ?? 'null'}}`);
    }),
  fc
    .tuple(fc.nat(), fc.string({ maxLength: 8, unit: 'binary' }))
    .map(([at, insert]) => (e: Record<string, unknown>) => {
      const text = JSON.stringify(e);
      const i = at % (text.length + 1);
      return Buffer.from(text.slice(0, i) + insert + text.slice(i));
    }),
  fc.tuple(fc.nat(), fc.nat({ max: 12 })).map(([at, length]) => (e: Record<string, unknown>) => {
    const text = JSON.stringify(e);
    const i = at % (text.length + 1);
    return Buffer.from(text.slice(0, i) + text.slice(i + length));
  }),
  fc
    .constantFrom('2e5', '1000.0', '-0', '1E+2', '0.5', '99999999999999999999')
    .map(
      (literal) => (e: Record<string, unknown>) =>
        Buffer.from(JSON.stringify(e).replace(/"duration_ms":\d+/, `"duration_ms":${literal}`)),
    ),
  fc
    .constantFrom(
      '2026-02-30T10:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
      '2099-01-01T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
    )
    .map((ts) => (e: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...e, event_ts: ts }))),
  fc
    .tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }))
    .map(([at, bytes]) => (e: Record<string, unknown>) => {
      const buffer = Buffer.from(JSON.stringify(e));
      const i = at % (buffer.length + 1);
      return Buffer.concat([buffer.subarray(0, i), Buffer.from(bytes), buffer.subarray(i)]);
    }),
  fc
    .nat({ max: 20_000 })
    .map(
      (depth) => (e: Record<string, unknown>) =>
        Buffer.from(
          JSON.stringify(e).replace(
            '"track_name":',
            `"deep":${'['.repeat(depth)}${']'.repeat(depth)},"track_name":`,
          ),
        ),
    ),
  fc
    .nat({ max: 40_000 })
    .map(
      (size) => (e: Record<string, unknown>) =>
        Buffer.from(JSON.stringify({ ...e, track_name: 'x'.repeat(size) })),
    ),
);

/** What a producer could put in a Kafka value: mostly mutated events, some arbitrary bytes, some nothing. */
export const recordValue: fc.Arbitrary<Buffer | null> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(validEvent, mutation).map(([e, mutate]) => mutate(e)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 500, unit: 'binary' }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/**
 * The writer's record boundary: it returns, whatever the bytes; a dead letter has a bounded printable reason;
 * a lake row is the record plus exact metadata, counted in exact bytes, and no warehouse check refuses it.
 */
export async function writerRecordBoundary(value: Buffer | null): Promise<void> {
  const outcome = classifyRecord(value, ORIGIN, INTAKE);
  if (!outcome.ok) {
    if (!KINDS.has(outcome.kind)) throw new Error(`unknown kind ${outcome.kind}`);
    if (outcome.reason.length === 0 || outcome.reason.length > MAX_REASON_CHARS)
      throw new Error(`reason of ${outcome.reason.length} characters`);
    if (/\p{Cc}/u.test(outcome.reason)) throw new Error('control character in a reason');
    return;
  }
  if (outcome.ok === 'skip') throw new Error('a listening-events record was skipped');
  if (outcome.bytes !== Buffer.byteLength(outcome.line)) throw new Error('byte count differs from the line');
  const row = JSON.parse(outcome.line) as Record<string, unknown>;
  if (row._partition !== 3 || row._offset !== 1234 || row._ingested_at !== INTAKE.ingestedAt)
    throw new Error('metadata not spliced as written');
  if (`${row.event_ts as string}`.slice(0, 10) !== outcome.date)
    throw new Error('partition date is not event_ts');
  const loaded = await checkBronzeObject(gzipSync(`${outcome.line}\n`), EVENTS_TABLE);
  if (loaded.rejected.length > 0)
    throw new Error(`the writer accepted a line the loader quarantines: ${loaded.rejected[0]!.reason}`);
}

const CATALOG_ORIGIN = { topic: 'plays.catalog.tracks', partition: 0, offset: '77' };
const TRACKS_TABLE = bronzeTableFor(CATALOG_ORIGIN.topic)!;

/** Contract-valid tracks: any popularity 0-100 (decimals too), names of any text. */
const validTrack = fc.record({
  schema_version: fc.constant(1),
  track_id: fc.string({ minLength: 1, maxLength: 30 }),
  album_id: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
  artist_id: fc.string({ minLength: 1, maxLength: 30 }),
  name: fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    trickyText.filter((t) => t.length > 0),
  ),
  duration_ms: fc.integer({ min: 1, max: 3_600_000 }),
  popularity: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })),
});

/** What a producer could put on a catalog topic: mostly (mutated) tracks, some arbitrary bytes, tombstones. */
export const catalogRecordValue: fc.Arbitrary<Buffer | null> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(validTrack, mutation).map(([t, mutate]) => mutate(t)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/**
 * The writer's record boundary on a catalog topic: a tombstone is skipped, anything else is a row the loader's
 * catalog table accepts, filed under the ingestion hour, or a bounded dead letter.
 */
export async function catalogRecordBoundary(value: Buffer | null): Promise<void> {
  const outcome = catalogClassifier('tracks')(value, CATALOG_ORIGIN, INTAKE);
  if (outcome.ok === 'skip') {
    if (value !== null) throw new Error('skipped a record that has a value');
    return;
  }
  if (value === null) throw new Error('a tombstone was not skipped');
  if (!outcome.ok) {
    if (!KINDS.has(outcome.kind)) throw new Error(`unknown kind ${outcome.kind}`);
    if (outcome.reason.length === 0 || outcome.reason.length > MAX_REASON_CHARS)
      throw new Error(`reason of ${outcome.reason.length} characters`);
    return;
  }
  if (outcome.bytes !== Buffer.byteLength(outcome.line)) throw new Error('byte count differs from the line');
  if (`${outcome.date}T${outcome.hour}` !== INTAKE.ingestedAt.slice(0, 13))
    throw new Error('a catalog row is not filed under its ingestion hour');
  const loaded = await checkBronzeObject(gzipSync(`${outcome.line}\n`), TRACKS_TABLE);
  if (loaded.rejected.length > 0)
    throw new Error(`the writer accepted a track the loader quarantines: ${loaded.rejected[0]!.reason}`);
}

/** Lines as they could appear in a lake object: lake rows, mutated rows, arbitrary text. */
export const lakeLines = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(validEvent, mutation).map(([e, mutate]) =>
        mutate(e)
          .toString('utf8')
          .replace(/[\r\n]/g, ' '),
      ),
    },
    { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 200, unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, '')),
    },
    { weight: 1, arbitrary: fc.constant('') },
  ),
  { maxLength: 30 },
);

/**
 * The loader's line handling: it returns for any object, every non-empty line is loaded or quarantined with its
 * line number (never both, never neither), and what it loads is JSON objects that JSON.parse reads.
 */
export async function loaderLineHandling(lines: string[]): Promise<void> {
  const body = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const checked = await checkBronzeObject(gzipSync(body), EVENTS_TABLE);
  const loaded = gunzipSync(checked.gzipped).toString('utf8').split('\n').filter(Boolean);
  const numbers = checked.lineNumbers ?? loaded.map((_, i) => i + 1);
  if (loaded.length !== checked.rows || numbers.length !== checked.rows) throw new Error('row count differs');
  const nonEmpty = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l.length > 0);
  const rejectedAt = new Set(checked.rejected.map((r) => r.line));
  for (const [line, number] of nonEmpty) {
    const loadedAt = numbers.indexOf(number);
    if (loadedAt >= 0 === rejectedAt.has(number))
      throw new Error(`line ${number} is loaded and rejected, or neither`);
    if (loadedAt >= 0) {
      if (loaded[loadedAt] !== line) throw new Error(`line ${number} changed on the way`);
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('loaded a non-object');
    }
  }
  if (checked.rows + checked.rejected.length !== nonEmpty.length)
    throw new Error('a line was lost or invented');
}

/** The strict JSON pass never contradicts JSON.parse: what it accepts parses; what JSON.parse refuses it refuses. */
export function jsonTextAgreesWithJsonParse(text: string): void {
  const problem = inspectJsonText(text, { maxDepth: 64, numbers: 'canonical' });
  let parses = true;
  try {
    JSON.parse(text);
  } catch {
    parses = false;
  }
  if (problem === null && !parses) throw new Error('accepted text JSON.parse refuses');
  if (problem?.code === 'not_json' && parses) throw new Error(`refused JSON that parses: ${problem.message}`);
  if (!parses && problem === null) throw new Error('unreachable');
}

const QUICK_RULES: readonly JsonTextRules[] = [
  { maxDepth: 64, numbers: 'canonical' },
  { maxDepth: 3, numbers: 'integer' },
  { maxDepth: 32, numbers: 'canonical', nestedValue: (key) => (key.length % 2 === 0 ? 'refused' : null) },
];

/**
 * The loader's quick pass over bytes never accepts what the full pass refuses, under any rules (it may send
 * clean text to the full pass, never the other way round).
 */
export function quickPassNeverAcceptsWhatFullPassRefuses(text: string): void {
  const bytes = Buffer.from(text);
  for (const rules of QUICK_RULES)
    if (isPlainJsonObject(bytes, 0, bytes.length, rules)) {
      const problem = inspectJsonText(bytes.toString('utf8'), rules);
      if (problem) throw new Error(`quick pass accepted what the full pass refuses: ${problem.message}`);
    }
}

/** JSON objects as a serializer writes them, some with a member repeated (same key, any value). */
export const plainObjectText = fc
  .tuple(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 4 })), fc.nat(), fc.boolean())
  .map(([object, at, repeat]) => {
    const text = JSON.stringify(object);
    const keys = Object.keys(object);
    if (!repeat || keys.length === 0) return text;
    const key = keys[at % keys.length]!;
    return `${text.slice(0, -1)},${JSON.stringify(key)}:${at % 100}}`;
  });

export const jsonishText = fc.oneof(
  fc.json({ maxDepth: 5 }),
  fc
    .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.nat({ max: 5 }))
    .map(([t, at, n]) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + n)),
  fc.string({ maxLength: 100, unit: 'binary' }),
  fc.constantFrom(
    '{"a":NaN}',
    '{"a":1,}',
    '{"a":.5}',
    '{"a":1}\u00a0',
    '\ufeff{}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
  ),
);
