import { sql, unquotedName } from '../sql/sql.js';
import { epochMs, isoOrNull, num, type Reader } from './common.js';

export interface GoldFreshness {
  /** When gold was last built: what the dashboard calls "data refreshed at". */
  refreshedAt: string | null;
  newestEventAt: string | null;
  newestLoadedAt: string | null;
  events: number;
  /** The newest load into bronze (it may not be in gold yet) and how many objects were loaded in all. */
  lastLoadAt: string | null;
  loadedObjects: number;
}

/** Gold's own record of its last build, and the loader's manifest (in the schema bronze is loaded into). */
export async function getGoldFreshness(reader: Reader, bronzeSchema: string): Promise<GoldFreshness> {
  const [gold, loads] = await Promise.all([
    reader.query(sql`
      select
        ${epochMs(reader, sql`built_at`)} as built_at_ms,
        ${epochMs(reader, sql`newest_event_at`)} as newest_event_ms,
        ${epochMs(reader, sql`newest_loaded_at`)} as newest_loaded_ms,
        cast(events as double precision) as events
      from gold.gold_freshness`),
    reader.query(sql`
      select ${epochMs(reader, sql`max(loaded_at)`)} as last_load_ms, cast(count(*) as double precision) as objects
      from ${unquotedName(bronzeSchema)}._load_manifest`),
  ]);
  return {
    refreshedAt: isoOrNull(gold[0]?.built_at_ms),
    newestEventAt: isoOrNull(gold[0]?.newest_event_ms),
    newestLoadedAt: isoOrNull(gold[0]?.newest_loaded_ms),
    events: num(gold[0]?.events),
    lastLoadAt: isoOrNull(loads[0]?.last_load_ms),
    loadedObjects: num(loads[0]?.objects),
  };
}
