import type { Freshness } from '../api.js';
import { formatAgo, formatInteger, formatTime } from '../format.js';

/** "Data refreshed …": when gold was last built, how far it reaches, and what the lake writer still holds. */
export function FreshnessBadge(props: { freshness: Freshness | null; now: number }) {
  const f = props.freshness;
  if (!f) return <p class="freshness">Checking how fresh the data is…</p>;
  const lag = f.lakeWriterLag.state === 'measured' ? `${formatInteger(f.lakeWriterLag.events)} events` : null;
  return (
    <p class="freshness" data-testid="freshness" title={`warehouse: ${f.warehouse}`}>
      <span>
        Data refreshed <time dateTime={f.refreshedAt ?? ''}>{formatAgo(f.refreshedAt, props.now)}</time>
      </span>
      <span> · newest event {formatTime(f.newestEventAt)}</span>
      <span> · last load {formatTime(f.lastLoadAt)}</span>
      {lag && <span> · lake writer behind by {lag}</span>}
    </p>
  );
}
