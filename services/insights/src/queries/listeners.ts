import type { ListenerSummary } from '../contract.js';
import { type Sql, sql } from '../sql/sql.js';
import { epochMs, isoOrNull, minutes, num, optionalText, type Reader, type Row, text } from './common.js';

function listenersWhere(reader: Reader, where: Sql, orderAndLimit: Sql): Sql {
  return sql`
    select
      listeners.user_id, listeners.country_code, listeners.last_device_type,
      ${epochMs(reader, sql`listeners.first_event_at`)} as first_event_ms,
      ${epochMs(reader, sql`listeners.last_event_at`)} as last_event_ms,
      cast(wrapped.ms_played as double precision) as ms_played
    from gold.dim_listeners as listeners
    left join gold.listener_wrapped as wrapped on wrapped.user_id = listeners.user_id
    where ${where}
    ${orderAndLimit}`;
}

function summary(r: Row): ListenerSummary {
  return {
    listenerId: text(r.user_id),
    country: optionalText(r.country_code),
    lastDevice: optionalText(r.last_device_type),
    firstEventAt: isoOrNull(r.first_event_ms),
    lastEventAt: isoOrNull(r.last_event_ms),
    minutes: minutes(num(r.ms_played)),
  };
}

/**
 * Listeners whose id contains the search text (case-insensitive), shortest ids first (so an exact match
 * leads), then by id. `position` rather than LIKE, so `%` and `_` in the search are plain characters.
 */
export async function searchListeners(
  reader: Reader,
  search: string,
  limit: number,
): Promise<ListenerSummary[]> {
  const needle = search.toLowerCase();
  const rows = await reader.query(
    listenersWhere(
      reader,
      sql`position(cast(${needle} as varchar) in lower(listeners.user_id)) > 0`,
      sql`order by length(listeners.user_id), listeners.user_id limit ${limit}`,
    ),
  );
  return rows.map(summary);
}

/** One listener's summary, or null when gold has never seen them. */
export async function findListener(reader: Reader, listenerId: string): Promise<ListenerSummary | null> {
  const rows = await reader.query(listenersWhere(reader, sql`listeners.user_id = ${listenerId}`, sql``));
  return rows[0] ? summary(rows[0]) : null;
}
