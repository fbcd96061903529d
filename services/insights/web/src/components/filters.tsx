import type { Meta } from '../api.js';
import { DEVICE_NAMES } from '../format.js';
import { type Location, navigate, withParams } from '../router.js';

/**
 * Date range, country and device: kept in the URL (so a filtered view can be shared), applied to every
 * section of the page.
 */
export function Filters(props: { location: Location; meta: Meta | null }) {
  const { location, meta } = props;
  const set = (key: string) => (event: Event) =>
    navigate(withParams(location, { [key]: (event.currentTarget as HTMLInputElement).value }));
  const value = (key: string) => location.params.get(key) ?? '';
  return (
    <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        From
        <input
          type="date"
          name="from"
          value={value('from')}
          min={meta?.firstDate ?? undefined}
          max={meta?.lastDate ?? undefined}
          onChange={set('from')}
        />
      </label>
      <label>
        To
        <input
          type="date"
          name="to"
          value={value('to')}
          min={meta?.firstDate ?? undefined}
          max={meta?.lastDate ?? undefined}
          onChange={set('to')}
        />
      </label>
      <label>
        Country
        <select name="country" value={value('country')} onChange={set('country')}>
          <option value="">All countries</option>
          {(meta?.countries ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Device
        <select name="device" value={value('device')} onChange={set('device')}>
          <option value="">All devices</option>
          {(meta?.devices ?? []).map((d) => (
            <option key={d} value={d}>
              {DEVICE_NAMES[d] ?? d}
            </option>
          ))}
        </select>
      </label>
      {['from', 'to', 'country', 'device'].some((k) => location.params.has(k)) && (
        <button type="button" class="secondary" onClick={() => navigate(location.path)}>
          Reset
        </button>
      )}
    </form>
  );
}
