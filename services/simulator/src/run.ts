import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroundTruth, Logger } from '@spotify-pipeline/shared';
import type { Publisher } from '@spotify-pipeline/shared/publisher';
import { buildCatalog, type Catalog } from './catalog.js';
import type { SimulatorOptions } from './options.js';
import { Simulation } from './simulation.js';
import type { OutputSink } from './sinks.js';
import { GroundTruthRecorder } from './summary.js';
import { importTracksCsv } from './tracks-csv.js';

const DAY_MS = 86_400_000;
const CHUNK = 4096;

export interface RunDependencies {
  sink: OutputSink;
  logger: Logger;
  /** Kafka runs publish the catalog through it before the events. */
  publisher?: Publisher;
  /** Stops the run at the next chunk; what was generated is flushed and summarized. */
  signal?: AbortSignal;
  now?: () => number;
}

export interface RunResult {
  events: number;
  startMs: number;
  endMs: number;
  seconds: number;
  eventsPerSecond: number;
  summary?: GroundTruth;
}

/** Generates the configured stream into the sink, with progress lines, and writes the summary if asked. */
export async function runSimulator(options: SimulatorOptions, deps: RunDependencies): Promise<RunResult> {
  const log = deps.logger.child({ component: 'simulator' });
  const now = deps.now ?? Date.now;
  const catalog = options.catalogCsv
    ? await importCatalog(options.catalogCsv, options.progressSeconds, log)
    : buildCatalog({ seed: options.seed, artists: options.artists });
  const size = {
    artists: catalog.artists.length,
    albums: catalog.albums.length,
    tracks: catalog.tracks.length,
  };
  if (!options.catalogCsv) log.info(size, 'catalog generated');
  if (options.catalogOut) writeCatalogFiles(catalog, options.catalogOut);
  if (deps.publisher && !options.noCatalog) {
    await publishCatalog(catalog, deps.publisher);
    log.info(size, 'catalog published');
  }
  if (options.catalogOnly) {
    await deps.sink.close();
    const at = now();
    return { events: 0, startMs: at, endMs: at, seconds: 0, eventsPerSecond: 0 };
  }

  const realtime = options.mode === 'realtime';
  const startMs = realtime ? now() : options.start;
  const endMs = realtime
    ? options.seconds === undefined
      ? Number.POSITIVE_INFINITY
      : startMs + options.seconds * 1000
    : startMs + Math.round(options.days * DAY_MS);
  const eventsPerSecond =
    options.rate ?? (realtime ? 1000 : (options.listeners * options.eventsPerListenerDay) / 86_400);
  const recorder = options.recordGroundTruth
    ? new GroundTruthRecorder(catalog, options.listeners)
    : undefined;
  const sim = new Simulation({
    seed: options.seed,
    runId: options.runId,
    listeners: options.listeners,
    catalog,
    startMs,
    eventsPerSecond,
    ...(recorder ? { recorder } : {}),
  });
  log.info(
    {
      mode: options.mode,
      seed: options.seed,
      runId: options.runId,
      listeners: options.listeners,
      from: new Date(startMs).toISOString(),
      to: Number.isFinite(endMs) ? new Date(endMs).toISOString() : 'until stopped',
      eventsPerSecond: Math.round(eventsPerSecond),
      eventsPerSession: Number(sim.eventsPerSession.toFixed(1)),
      activeSessions: sim.activeSessions,
    },
    'simulation started',
  );

  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  const progress = progressReporter(log, options.progressSeconds * 1000, started, startMs, endMs, realtime);
  let lastAt = startMs;
  let completed = false;
  while (!deps.signal?.aborted) {
    const remaining = maxEvents - sim.eventsEmitted;
    if (remaining <= 0) break;
    const until = realtime ? Math.min(endMs, now() + 1) : endMs;
    const emitted = sim.emitUntil(until, Math.min(CHUNK, remaining), deps.sink.write);
    lastAt = Math.max(lastAt, Math.min(sim.clock, until));
    if (deps.sink.wantsDrain()) await deps.sink.drain();
    progress(sim.eventsEmitted, lastAt, sim.activeSessions);
    if (emitted < Math.min(CHUNK, remaining)) {
      if (!realtime || now() >= endMs) {
        completed = true;
        break;
      }
      // Real time: sleep until the next event is due, waking at least every 100 ms to notice a stop.
      await sleep(Math.max(1, Math.min(100, sim.clock - now())));
    } else {
      // Let timers, sockets and signal handlers run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await deps.sink.close();
  const seconds = (performance.now() - started) / 1000;
  const windowEnd = completed && Number.isFinite(endMs) ? endMs : lastAt;
  const result: RunResult = {
    events: sim.eventsEmitted,
    startMs,
    endMs: windowEnd,
    seconds,
    eventsPerSecond: sim.eventsEmitted / Math.max(seconds, 1e-9),
  };
  log.info(
    {
      events: result.events,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(result.eventsPerSecond),
      stopped: deps.signal?.aborted ?? false,
    },
    'simulation finished',
  );
  if (recorder) {
    const settings = {
      mode: options.mode,
      seed: options.seed,
      run_id: options.runId,
      listeners: options.listeners,
      artists: options.artists,
      start: new Date(startMs).toISOString(),
      days: options.days,
      events_per_second: eventsPerSecond,
      max_events: options.maxEvents ?? null,
    };
    result.summary = recorder.summarize(settings, { from: startMs, to: windowEnd });
    if (options.summary) {
      writeFileSync(options.summary, `${JSON.stringify(result.summary, null, 2)}\n`);
      log.info({ path: options.summary }, 'ground-truth summary written');
    }
  }
  return result;
}

function progressReporter(
  log: Logger,
  everyMs: number,
  started: number,
  startMs: number,
  endMs: number,
  realtime: boolean,
) {
  let lastReport = started;
  let lastEvents = 0;
  return (events: number, eventTime: number, activeSessions: number) => {
    const t = performance.now();
    if (t - lastReport < everyMs) return;
    const rate = ((events - lastEvents) * 1000) / (t - lastReport);
    const fields: Record<string, unknown> = {
      events,
      eventsPerSecond: Math.round(rate),
      eventTime: new Date(eventTime).toISOString(),
      activeSessions,
    };
    if (!realtime && Number.isFinite(endMs)) {
      fields.percent = Number(((100 * (eventTime - startMs)) / (endMs - startMs)).toFixed(1));
    }
    log.info(fields, 'progress');
    lastReport = t;
    lastEvents = events;
  };
}

async function publishCatalog(catalog: Catalog, publisher: Publisher): Promise<void> {
  const all: Array<['artist' | 'album' | 'track', unknown[]]> = [
    ['artist', catalog.artists],
    ['album', catalog.albums],
    ['track', catalog.tracks],
  ];
  for (const [kind, records] of all) {
    for (const record of records) if (!publisher.publishCatalog(kind, record)) await publisher.drain();
  }
}

async function importCatalog(path: string, progressSeconds: number, log: Logger): Promise<Catalog> {
  const started = performance.now();
  const imported = await importTracksCsv(path, {
    progressMs: progressSeconds * 1000,
    onProgress: ({ rows, bytes, totalBytes }) =>
      log.info(
        {
          rows,
          rowsPerSecond: Math.round((rows * 1000) / (performance.now() - started)),
          percent: Number(((100 * bytes) / Math.max(totalBytes, 1)).toFixed(1)),
        },
        'reading the tracks CSV',
      ),
  });
  const { catalog } = imported;
  for (const problem of imported.problems) log.warn({ path, ...problem }, 'tracks CSV row skipped');
  log.info(
    {
      path,
      rows: imported.rows,
      skipped: imported.problemCount,
      duplicates: imported.duplicates,
      artists: catalog.artists.length,
      albums: catalog.albums.length,
      tracks: catalog.tracks.length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    },
    imported.problemCount > imported.problems.length
      ? `catalog imported; ${imported.problemCount - imported.problems.length} more skipped rows not listed`
      : 'catalog imported',
  );
  return catalog;
}

function writeCatalogFiles(catalog: Catalog, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lines = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
  writeFileSync(join(dir, 'artists.jsonl'), lines(catalog.artists));
  writeFileSync(join(dir, 'albums.jsonl'), lines(catalog.albums));
  writeFileSync(join(dir, 'tracks.jsonl'), lines(catalog.tracks));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
