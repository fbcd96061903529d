// The benchmark's gold: the simulator writes N events to a JSON Lines file (and its catalog), the file is cut
// into bronze objects in the lake (with the lake writer's metadata, spliced in as it does), then the loader's
// `batch` loads them into DuckDB, runs dbt build and publishes the read-only snapshot the service reads.
// Kafka and the lake writer are left out: they are measured by their own benchmarks, and 10 million events
// through them would take longer than everything measured here.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { componentPaths, repoRoot, startS3 } from '@spotify-pipeline/harness';
import { publishGoldSnapshot } from '@spotify-pipeline/loader/gold-snapshot';
import { TOPICS } from '@spotify-pipeline/shared';
import { bronzeObjectKey } from '@spotify-pipeline/shared/lake/layout';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';

const gzipAsync = promisify(gzip);
const PER_OBJECT = 50_000;

function run(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const take = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-8000);
      for (const line of chunk.toString().split('\n'))
        if (/progress|done|succeeded|published|FAILED/.test(line)) log(line.slice(0, 240));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}:\n${tail}`)),
    );
  });
}

async function writeLake(params: {
  eventsFile: string;
  artistsFile: string;
  lake: Record<string, string>;
  log: (line: string) => void;
}): Promise<number> {
  const store = createObjectStore(params.lake as never);
  const bucket = params.lake.LAKE_BUCKET!;
  await ensureBucket(store, bucket);
  const ingestedAt = new Date().toISOString();
  const put = async (topic: string, first: number, lines: string[], eventTs: string) => {
    const key = bronzeObjectKey({
      topic,
      partition: 0,
      firstOffset: String(first),
      lastOffset: String(first + lines.length - 1),
      date: eventTs.slice(0, 10),
      hour: eventTs.slice(11, 13),
      format: 'jsonl.gz',
    });
    await store.putObject(
      bucket,
      key,
      await gzipAsync(`${lines.join('\n')}\n`, { level: constants.Z_BEST_SPEED }),
    );
  };
  const splice = (topic: string, line: string, offset: number) =>
    `${line.trimEnd().slice(0, -1)},"_topic":"${topic}","_partition":0,"_offset":${offset},"_ingested_at":"${ingestedAt}"}`;

  const artists = readFileSync(params.artistsFile, 'utf8').split('\n').filter(Boolean);
  await put(
    TOPICS.artists,
    0,
    artists.map((l, i) => splice(TOPICS.artists, l, i)),
    ingestedAt,
  );

  let offset = 0;
  let batch: string[] = [];
  let firstTs = '';
  const pending: Array<Promise<void>> = [];
  const flush = async () => {
    pending.push(put(TOPICS.listeningEvents, offset - batch.length, batch, firstTs));
    batch = [];
    if (pending.length >= 4) await pending.shift();
  };
  for await (const line of createInterface({ input: createReadStream(params.eventsFile) })) {
    if (!line) continue;
    if (batch.length === 0)
      firstTs = line.slice(line.indexOf('"event_ts":"') + 12, line.indexOf('"event_ts":"') + 36);
    batch.push(splice(TOPICS.listeningEvents, line, offset++));
    if (batch.length === PER_OBJECT) {
      await flush();
      if (offset % 1_000_000 === 0) params.log(`lake: ${offset.toLocaleString('en-US')} events written`);
    }
  }
  if (batch.length) await flush();
  await Promise.all(pending);
  return offset;
}

/**
 * A DuckDB gold snapshot of `events` simulated events in `dir`, published (and timed) as the loader's `batch`
 * publishes it. With BENCH_INSIGHTS_DIR an earlier run's warehouse (or snapshot) is reused.
 */
export async function benchGold(params: {
  dir: string;
  events: number;
  listeners: number;
  log: (line: string) => void;
}): Promise<{ snapshot: string; events: number; snapshotSeconds: number | null }> {
  const snapshot = join(params.dir, 'insights.duckdb');
  const warehouse = join(params.dir, 'warehouse.duckdb');
  if (existsSync(snapshot)) {
    params.log(`reusing the gold snapshot ${snapshot}`);
    return { snapshot, events: params.events, snapshotSeconds: null };
  }
  if (!existsSync(warehouse)) await buildWarehouse({ ...params, warehouse });
  else params.log(`reusing the warehouse ${warehouse}`);
  params.log('publishing its gold snapshot');
  const published = await publishGoldSnapshot({
    source: warehouse,
    target: snapshot,
    bronzeSchema: 'bronze',
  });
  params.log(`snapshot: ${published.tables} tables in ${published.seconds.toFixed(1)} s`);
  return { snapshot, events: params.events, snapshotSeconds: published.seconds };
}

/** Simulator -> JSON Lines -> lake objects -> the loader's `load` and `dbt build` into `warehouse`. */
async function buildWarehouse(params: {
  dir: string;
  events: number;
  listeners: number;
  warehouse: string;
  log: (line: string) => void;
}): Promise<void> {
  mkdirSync(params.dir, { recursive: true });
  // Listening follows a daily rhythm, so a little more than the mean is simulated and --max-events cuts it.
  const days = (params.events / params.listeners / 80) * 1.15;
  const eventsFile = join(params.dir, 'events.jsonl');
  const catalog = join(params.dir, 'catalog');
  params.log(
    `simulator: ${params.events.toLocaleString('en-US')} events, ${params.listeners} listeners over ${days.toFixed(2)} days`,
  );
  await run(
    [
      'services/simulator/src/cli.ts',
      '--out',
      eventsFile,
      '--catalog-out',
      catalog,
      '--listeners',
      String(params.listeners),
      '--days',
      String(days),
      '--start',
      '2026-01-01',
      '--max-events',
      String(params.events),
      '--progress-seconds',
      '15',
    ],
    {},
    params.log,
  );
  const s3 = await startS3();
  try {
    const lake = {
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: 'bench-insights',
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    };
    const written = await writeLake({
      eventsFile,
      artistsFile: join(catalog, 'artists.jsonl'),
      lake,
      log: params.log,
    });
    await rm(eventsFile); // about 600 bytes an event: the lake holds them now
    params.log(
      `lake: ${written.toLocaleString('en-US')} events in objects of ${PER_OBJECT.toLocaleString('en-US')}; loading and building gold`,
    );
    await run(
      ['services/loader/src/cli.ts', 'batch'],
      {
        ...lake,
        LOG_LEVEL: 'info',
        WAREHOUSE: 'duckdb',
        DUCKDB_PATH: params.warehouse,
        LOADER_BATCH_FILES: '16',
        DBT_BIN: componentPaths().dbt,
        DBT_PROJECT_DIR: join(repoRoot, 'dbt'),
        DBT_PROFILES_DIR: join(repoRoot, 'dbt'),
        DBT_TARGET_PATH: join(params.dir, 'dbt-target'),
        DBT_LOG_PATH: join(params.dir, 'dbt-logs'),
        DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
      },
      params.log,
    );
    params.log(`gold built from ${written.toLocaleString('en-US')} events`);
  } finally {
    await s3.destroy();
  }
}
