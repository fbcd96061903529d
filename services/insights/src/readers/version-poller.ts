import type { Logger } from '@spotify-pipeline/shared';
import { sql } from '../sql/sql.js';
import type { GoldReader } from './reader.js';

/**
 * For warehouses that dbt rebuilds in place (PostgreSQL, Snowflake): the data version is the build time in
 * gold.gold_freshness, polled so that caches turn over as soon as a new build is visible. While the poll
 * fails the reader reports why (gold not built yet, warehouse down).
 */
export function pollGoldVersion(params: {
  reader: Pick<GoldReader, 'query' | 'dialect'>;
  pollMs: number;
  logger: Logger;
}): { version(): string; reason(): string | null; stop(): void; first: Promise<void> } {
  let version = 'none';
  let reason: string | null = 'gold has not been read yet';
  let lastFailure = '';
  const poll = async () => {
    try {
      const rows = await params.reader.query(
        sql`select cast(${params.reader.dialect.epochMs(sql`built_at`)} as double precision) as built_at_ms from gold.gold_freshness`,
      );
      const builtAt = rows[0]?.built_at_ms;
      version = String(builtAt ?? 'empty');
      reason = null;
      lastFailure = '';
    } catch (err) {
      const message = (err as Error).message;
      reason = /gold_freshness|does not exist|relation/i.test(message)
        ? `gold is not built yet (${message}): run the loader's batch (load, then dbt build)`
        : `the warehouse does not answer: ${message}`;
      if (message !== lastFailure) params.logger.warn({ err }, 'cannot read gold.gold_freshness');
      lastFailure = message;
    }
  };
  const first = poll();
  const timer = setInterval(() => void poll(), params.pollMs);
  timer.unref();
  return { version: () => version, reason: () => reason, stop: () => clearInterval(timer), first };
}
