import type { Meta } from '../contract.js';
import { sql } from '../sql/sql.js';
import { dateText, optionalText, type Reader, text } from './common.js';

/** What the dashboard's filters offer: the dates gold covers and the countries and devices it has seen. */
export async function getMeta(reader: Reader): Promise<Meta> {
  const [bounds, countries, devices] = await Promise.all([
    reader.query(sql`
      select ${dateText(sql`min(event_date)`)} as first_date, ${dateText(sql`max(event_date)`)} as last_date
      from gold.listener_daily_activity`),
    // An unknown country (null since the contract allows it) is not a filter choice.
    reader.query(
      sql`select distinct country_code from gold.listener_daily_activity where country_code is not null order by country_code`,
    ),
    reader.query(sql`select distinct device_type from gold.listener_daily_activity order by device_type`),
  ]);
  return {
    firstDate: optionalText(bounds[0]?.first_date),
    lastDate: optionalText(bounds[0]?.last_date),
    countries: countries.map((r) => text(r.country_code)),
    devices: devices.map((r) => text(r.device_type)),
  };
}
