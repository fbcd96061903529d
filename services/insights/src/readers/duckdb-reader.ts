import { stat } from 'node:fs/promises';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Logger } from '@spotify-pipeline/shared';
import { DIALECTS } from '../sql/dialect.js';
import { render, type Sql } from '../sql/sql.js';
import { type GoldReader, normalizeRow, QueryTimeoutError, type Row, UnavailableError } from './reader.js';

/** One opened snapshot file: its connections, and the queries still running on it. */
interface Generation {
  identity: string;
  instance: DuckDBInstance;
  idle: DuckDBConnection[];
  waiting: Array<(connection: DuckDBConnection) => void>;
  connections: DuckDBConnection[];
  inFlight: number;
  retired: boolean;
  closed: boolean;
}

export interface DuckDbReaderOptions {
  path: string;
  /** How often the file is checked for a newer snapshot. */
  pollMs: number;
  queryTimeoutMs: number;
  /** Queries that run at the same time (each on its own connection); more wait in line within their deadline. */
  connections: number;
  memoryLimit: string;
  logger: Logger;
}

/**
 * DuckDB, read-only. DuckDB lets one process write a file and no one else open it meanwhile, so the reader
 * opens the snapshot the loader publishes after each successful build (written aside, then renamed over
 * the old one). When the file changes, the new snapshot is opened and swapped in; queries already running
 * finish on the old one, which is closed when its last query ends. The instance refuses writes and file
 * access from SQL (read_csv, attach, copy), whatever reaches it.
 */
export async function createDuckDbReader(options: DuckDbReaderOptions): Promise<GoldReader> {
  const logger = options.logger.child({ component: 'duckdb-reader' });
  let current: Generation | undefined;
  let reason: string | null = `no gold snapshot opened yet at ${options.path}`;
  let lastFailure = '';
  let checking = false;
  let closed = false;

  const closeGeneration = (gen: Generation) => {
    if (gen.closed) return;
    gen.closed = true;
    for (const c of gen.connections) c.closeSync();
    gen.instance.closeSync();
  };

  const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

  // The file is attached under a fixed name, so `gold.x` means its gold schema whatever the file is called
  // (opened directly, a file named gold.duckdb would make "gold" ambiguous). Then file access is switched
  // off and the settings locked: no SQL can read files, attach databases or undo that.
  const open = async (identity: string): Promise<Generation> => {
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: options.memoryLimit });
    const connections: DuckDBConnection[] = [];
    try {
      const first = await instance.connect();
      connections.push(first);
      await first.run(`attach ${literal(options.path)} as warehouse (read_only)`);
      for (let i = 1; i < options.connections; i++) connections.push(await instance.connect());
      for (const connection of connections) await connection.run('use warehouse');
      await first.run('set enable_external_access = false');
      await first.run('set lock_configuration = true');
      const tables = await first.runAndReadAll(
        "select count(*)::integer from duckdb_tables() where database_name = 'warehouse' and schema_name = 'gold'",
      );
      if (Number(tables.getRows()[0]?.[0] ?? 0) === 0)
        throw new Error(`${options.path} has no gold tables: is it the snapshot the loader publishes?`);
    } catch (err) {
      for (const c of connections) c.closeSync();
      instance.closeSync();
      throw err;
    }
    return {
      identity,
      instance,
      idle: [...connections],
      waiting: [],
      connections,
      inFlight: 0,
      retired: false,
      closed: false,
    };
  };

  const check = async () => {
    if (checking || closed) return;
    checking = true;
    try {
      const s = await stat(options.path).catch(() => null);
      if (!s) {
        if (!current)
          reason = `no gold snapshot at ${options.path} yet: the loader publishes it after its first successful build`;
        return;
      }
      const identity = `${s.dev}:${s.ino}:${s.mtimeMs}:${s.size}`;
      if (identity === current?.identity) return;
      const next = await open(identity);
      const previous = current;
      current = next;
      reason = null;
      lastFailure = '';
      logger.info({ path: options.path, identity }, 'reading a new gold snapshot');
      if (previous) {
        previous.retired = true;
        if (previous.inFlight === 0) closeGeneration(previous);
      }
    } catch (err) {
      const message = (err as Error).message;
      const hint = /lock/i.test(message)
        ? ' (another process has it open for writing: point DUCKDB_PATH at the snapshot the loader publishes, DUCKDB_SNAPSHOT_PATH)'
        : '';
      if (!current) reason = `cannot open ${options.path}: ${message}${hint}`;
      if (message !== lastFailure)
        logger.warn({ err, path: options.path }, `cannot open the gold snapshot${hint}`);
      lastFailure = message;
    } finally {
      checking = false;
    }
  };

  await check();
  const timer = setInterval(() => void check(), options.pollMs);
  timer.unref();

  const acquire = (gen: Generation, deadline: number): Promise<DuckDBConnection> => {
    const idle = gen.idle.pop();
    if (idle) return Promise.resolve(idle);
    return new Promise((resolve, reject) => {
      const waiter = (connection: DuckDBConnection) => {
        clearTimeout(timeout);
        resolve(connection);
      };
      const timeout = setTimeout(
        () => {
          gen.waiting.splice(gen.waiting.indexOf(waiter), 1);
          reject(new QueryTimeoutError(options.queryTimeoutMs));
        },
        Math.max(0, deadline - Date.now()),
      );
      gen.waiting.push(waiter);
    });
  };

  const release = (gen: Generation, connection: DuckDBConnection) => {
    const next = gen.waiting.shift();
    if (next) next(connection);
    else gen.idle.push(connection);
  };

  return {
    kind: 'duckdb',
    dialect: DIALECTS.duckdb,
    dataVersion: () => current?.identity ?? 'none',
    unavailableReason: () => reason,
    async query(query: Sql): Promise<Row[]> {
      const gen = current;
      if (!gen) throw new UnavailableError(reason ?? 'the gold snapshot is not open');
      const deadline = Date.now() + options.queryTimeoutMs;
      gen.inFlight++;
      try {
        const connection = await acquire(gen, deadline);
        const { text, params } = render(query, 'numbered');
        let timedOut = false;
        let again: NodeJS.Timeout | undefined;
        // DuckDB clears a pending interrupt when a statement starts executing, so one that lands between
        // prepare and execute is lost: interrupt again until the query gives up.
        const timer = setTimeout(
          () => {
            timedOut = true;
            connection.interrupt();
            again = setInterval(() => connection.interrupt(), 50);
          },
          Math.max(0, deadline - Date.now()),
        );
        try {
          const result = await connection.runAndReadAll(text, params);
          return (result.getRowObjectsJS() as Array<Record<string, unknown>>).map(normalizeRow);
        } catch (err) {
          if (timedOut) throw new QueryTimeoutError(options.queryTimeoutMs, { cause: err });
          throw err;
        } finally {
          clearTimeout(timer);
          clearInterval(again);
          release(gen, connection);
        }
      } finally {
        gen.inFlight--;
        if (gen.retired && gen.inFlight === 0) closeGeneration(gen);
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (current) {
        current.retired = true;
        if (current.inFlight === 0) closeGeneration(current);
      }
    },
  };
}
