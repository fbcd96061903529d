import { playedItem } from '@spotify-pipeline/harness/fake-spotify';
import { validateListeningEvent } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { mapItems, SESSION_GAP_MS } from './map.js';

const listener = { userId: 'alice', country: 'GB' as const, device: 'desktop' as const };
const T0 = Date.UTC(2026, 0, 10, 8);

describe('mapItems', () => {
  it('maps each play to a valid play/complete pair in time order, whatever order the page had', () => {
    const items = [playedItem(2, T0 + 400_000), playedItem(1, T0 + 200_000)];
    const { events } = mapItems(items, listener, { lastEndMs: null, sessionId: null });
    expect(events.map((e) => validateListeningEvent(e)).filter((r) => !r.ok)).toEqual([]);
    expect(events.map((e) => e.event_type)).toEqual(['play', 'complete', 'play', 'complete']);
    expect(events[1]).toMatchObject({
      ms_played: events[1]!.duration_ms,
      event_ts: new Date(T0 + 200_000).toISOString(),
    });
    expect(events[0]!.context_type).toBe('playlist');
    expect(events[2]!.context_type).toBe('album');
  });

  it('gives the same ids for the same plays and continues a session across polls until a 30-minute gap', () => {
    const first = mapItems([playedItem(1, T0)], listener, { lastEndMs: null, sessionId: null });
    expect(mapItems([playedItem(1, T0)], listener, { lastEndMs: null, sessionId: null }).events).toEqual(
      first.events,
    );
    const next = mapItems([playedItem(2, T0 + 300_000)], listener, first.session);
    expect(next.events[0]!.session_id).toBe(first.events[0]!.session_id);
    const later = mapItems([playedItem(3, T0 + SESSION_GAP_MS + 600_000)], listener, next.session);
    expect(later.events[0]!.session_id).not.toBe(first.events[0]!.session_id);
  });

  it('skips local files, which have no track id', () => {
    const local = playedItem(1, T0);
    const result = mapItems([{ ...local, track: { ...local.track, id: null } }], listener, {
      lastEndMs: null,
      sessionId: null,
    });
    expect(result).toMatchObject({ events: [], skipped: 1 });
  });
});
