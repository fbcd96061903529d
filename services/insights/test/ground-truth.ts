// The figures the API must return, computed in TypeScript straight from the events that reached Kafka and
// the artist catalog, by the definitions in docs/warehouse.md and docs/insights.md. Nothing here reads the
// warehouse or reuses the service's queries.
import type { ListeningEvent } from '@spotify-pipeline/shared';
import type {
  ArtistPage,
  ChartKind,
  DateRange,
  Filters,
  Heatmap,
  ListenerSummary,
  Meta,
  Mix,
  Overview,
  TopChart,
  TrackPage,
  Wrapped,
  WrappedItem,
} from '../src/contract.js';
import { personalityOf } from '../src/queries/personality.js';
import type { CatalogArtist } from './pipeline.js';

type Event = ListeningEvent & { date: string; ms: number };

interface Sums {
  plays: number;
  skips: number;
  completes: number;
  msPlayed: number;
  users: Set<string>;
  events: number;
}

const emptySums = (): Sums => ({
  plays: 0,
  skips: 0,
  completes: 0,
  msPlayed: 0,
  users: new Set(),
  events: 0,
});

function add(s: Sums, e: Event): Sums {
  s.events++;
  if (e.event_type === 'play') s.plays++;
  if (e.event_type === 'skip') s.skips++;
  if (e.event_type === 'complete') s.completes++;
  s.msPlayed += e.ms;
  s.users.add(e.user_id);
  return s;
}

function sumBy(events: Event[], key: (e: Event) => string | null): Map<string, Sums> {
  const out = new Map<string, Sums>();
  for (const e of events) {
    const k = key(e);
    if (k === null) continue;
    add(out.get(k) ?? out.set(k, emptySums()).get(k)!, e);
  }
  return out;
}

const skipRate = (skips: number, completes: number) =>
  skips + completes === 0 ? null : skips / (skips + completes);
const measures = (s: Sums) => ({
  plays: s.plays,
  skips: s.skips,
  completes: s.completes,
  msPlayed: s.msPlayed,
  minutes: s.msPlayed / 60_000,
  skipRate: skipRate(s.skips, s.completes),
});
const byRecency = (a: Event, b: Event) =>
  a.event_ts === b.event_ts ? (a.event_id < b.event_id ? 1 : -1) : a.event_ts < b.event_ts ? 1 : -1;
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function dates(range: DateRange): string[] {
  const out: string[] = [];
  for (
    let t = Date.parse(`${range.from}T00:00:00Z`);
    t <= Date.parse(`${range.to}T00:00:00Z`);
    t += 86_400_000
  )
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export class GroundTruth {
  readonly events: Event[];
  private readonly latestByTrack = new Map<string, Event>();
  private readonly latestByArtist = new Map<string, Event>();
  private readonly latestByUser = new Map<string, Event>();
  private readonly genres = new Map<string, string | null>();

  constructor(events: ListeningEvent[], artists: CatalogArtist[]) {
    const unique = new Map(events.map((e) => [e.event_id, e]));
    this.events = [...unique.values()].map((e) => ({
      ...e,
      date: e.event_ts.slice(0, 10),
      ms: e.event_type === 'skip' || e.event_type === 'complete' ? (e.ms_played ?? 0) : 0,
    }));
    for (const e of [...this.events].sort(byRecency).reverse()) {
      this.latestByTrack.set(e.track_id, e);
      this.latestByArtist.set(e.artist_id, e);
      this.latestByUser.set(e.user_id, e);
    }
    for (const a of artists) this.genres.set(a.artist_id, a.genres[0] ?? null);
  }

  private inRange(range: DateRange, filters: Filters = {}) {
    return this.events.filter(
      (e) =>
        e.date >= range.from &&
        e.date <= range.to &&
        (!filters.country || e.country === filters.country) &&
        (!filters.device || e.device_type === filters.device),
    );
  }

  trackName = (id: string) => this.latestByTrack.get(id)?.track_name ?? '';
  trackArtist = (id: string) => this.latestByTrack.get(id)?.artist_id ?? '';
  artistName = (id: string) => this.latestByArtist.get(id)?.artist_name ?? '';
  genre = (artistId: string) => this.genres.get(artistId) ?? null;

  /** Every UTC day with an event, in order. */
  get days(): string[] {
    return [...new Set(this.events.map((e) => e.date))].sort();
  }

  get firstDate(): string {
    return this.days[0] ?? '';
  }

  get lastDate(): string {
    return this.days.at(-1) ?? '';
  }

  meta(): Meta {
    return {
      firstDate: this.firstDate,
      lastDate: this.lastDate,
      countries: [...new Set(this.events.flatMap((e) => (e.country === null ? [] : [e.country])))].sort(
        compareIds,
      ),
      devices: [...new Set(this.events.map((e) => e.device_type))].sort(compareIds),
    };
  }

  overview(range: DateRange, filters: Filters): Overview {
    const days = dates(range).length;
    const previous = {
      from: new Date(Date.parse(`${range.from}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10),
      to: new Date(Date.parse(`${range.from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10),
    };
    const series = (r: DateRange) => {
      const byDate = sumBy(this.inRange(r, filters), (e) => e.date);
      return dates(r).map((date) => {
        const s = byDate.get(date) ?? emptySums();
        return { date, activeListeners: s.users.size, ...measures(s) };
      });
    };
    const totals = (days: ReturnType<typeof series>) => {
      const total = (f: (d: (typeof days)[number]) => number) => days.reduce((n, d) => n + f(d), 0);
      return {
        dau: total((d) => d.activeListeners) / days.length,
        plays: total((d) => d.plays),
        minutes: total((d) => d.msPlayed) / 60_000,
        skipRate: skipRate(
          total((d) => d.skips),
          total((d) => d.completes),
        ),
        any: days.some((d) => d.activeListeners > 0),
      };
    };
    const now = totals(series(range));
    const before = totals(series(previous));
    const kpi = (value: number | null, prior: number | null) => {
      const p = before.any ? prior : null;
      return { value, previous: p, change: value === null || p === null || p === 0 ? null : (value - p) / p };
    };
    return {
      range,
      previousRange: previous,
      filters,
      kpis: {
        dailyActiveListeners: kpi(now.dau, before.dau),
        plays: kpi(now.plays, before.plays),
        minutes: kpi(now.minutes, before.minutes),
        skipRate: kpi(now.skipRate, before.skipRate),
      },
      daily: series(range),
    };
  }

  chart(kind: ChartKind, range: DateRange, filters: Filters, limit: number): TopChart {
    const key = {
      tracks: (e: Event) => e.track_id,
      artists: (e: Event) => e.artist_id,
      genres: (e: Event) => this.genre(e.artist_id) ?? 'unknown',
    }[kind];
    const entries = [...sumBy(this.inRange(range, filters), key).entries()]
      .sort(([a, x], [b, y]) => y.plays - x.plays || y.msPlayed - x.msPlayed || compareIds(a, b))
      .slice(0, limit)
      .map(([id, s], i) => ({
        rank: i + 1,
        id,
        name: kind === 'tracks' ? this.trackName(id) : kind === 'artists' ? this.artistName(id) : id,
        artistId: kind === 'tracks' ? this.trackArtist(id) : null,
        artistName: kind === 'tracks' ? this.artistName(this.trackArtist(id)) : null,
        listeners: s.users.size,
        ...measures(s),
      }));
    return { kind, range, filters, entries };
  }

  mix(range: DateRange, filters: Filters): Mix {
    const events = this.inRange(range, filters);
    const total = events.reduce((n, e) => n + e.ms, 0);
    const entries = (key: (e: Event) => string) =>
      [...sumBy(events, key).entries()]
        .map(([k, s]) => ({
          key: k,
          listeners: s.users.size,
          events: s.events,
          plays: s.plays,
          msPlayed: s.msPlayed,
          minutes: s.msPlayed / 60_000,
          skipRate: skipRate(s.skips, s.completes),
          minutesShare: total === 0 ? 0 : s.msPlayed / total,
        }))
        .sort((a, b) => b.msPlayed - a.msPlayed || b.listeners - a.listeners || a.key.localeCompare(b.key));
    return {
      range,
      filters,
      countries: entries((e) => e.country ?? ''),
      devices: entries((e) => e.device_type),
    };
  }

  heatmap(range: DateRange, filters: Filters): Heatmap {
    const cells = sumBy(this.inRange(range, filters), (e) => {
      const d = new Date(e.event_ts);
      return `${d.getUTCDay() === 0 ? 7 : d.getUTCDay()}:${d.getUTCHours()}`;
    });
    const out: Heatmap['cells'] = [];
    for (let day = 1; day <= 7; day++)
      for (let hour = 0; hour < 24; hour++) {
        const s = cells.get(`${day}:${hour}`) ?? emptySums();
        out.push({
          dayOfWeek: day,
          hour,
          listeners: s.users.size,
          plays: s.plays,
          minutes: s.msPlayed / 60_000,
        });
      }
    return { range, filters, cells: out };
  }

  /** All-time chart rank: most plays first, then track id (gold's track_stats). */
  private chartRanks(): Map<string, number> {
    const all = [...sumBy(this.events, (e) => e.track_id).entries()].sort(
      ([a, x], [b, y]) => y.plays - x.plays || compareIds(a, b),
    );
    return new Map(all.map(([id], i) => [id, i + 1]));
  }

  private daily(range: DateRange, match: (e: Event) => boolean) {
    const byDate = sumBy(
      this.events.filter((e) => match(e) && e.date >= range.from && e.date <= range.to),
      (e) => e.date,
    );
    return dates(range).map((date) => {
      const s = byDate.get(date) ?? emptySums();
      return { date, listeners: s.users.size, plays: s.plays, minutes: s.msPlayed / 60_000 };
    });
  }

  trackPage(trackId: string, range: DateRange): TrackPage {
    const latest = this.latestByTrack.get(trackId)!;
    const all = this.events.filter((e) => e.track_id === trackId).reduce(add, emptySums());
    return {
      track: {
        id: trackId,
        name: latest.track_name,
        artistId: latest.artist_id,
        artistName: this.artistName(latest.artist_id),
        albumId: latest.album_id,
        durationMs: latest.duration_ms,
        popularity: null,
      },
      allTime: { ...measures(all), listeners: all.users.size, chartRank: this.chartRanks().get(trackId)! },
      range,
      daily: this.daily(range, (e) => e.track_id === trackId),
    };
  }

  artistPage(artistId: string, range: DateRange): ArtistPage {
    const all = this.events.filter((e) => e.artist_id === artistId).reduce(add, emptySums());
    const ranks = this.chartRanks();
    const tracks = [...sumBy(this.events, (e) => e.track_id).entries()]
      .filter(([id]) => this.trackArtist(id) === artistId)
      .map(([id, s]) => ({
        id,
        name: this.trackName(id),
        plays: s.plays,
        minutes: s.msPlayed / 60_000,
        chartRank: ranks.get(id)!,
      }))
      .sort((a, b) => a.chartRank - b.chartRank)
      .slice(0, 10);
    return {
      artist: { id: artistId, name: this.artistName(artistId), genre: this.genre(artistId) },
      allTime: { ...measures(all), listeners: all.users.size },
      range,
      daily: this.daily(range, (e) => e.artist_id === artistId),
      topTracks: tracks,
    };
  }

  listener(userId: string): ListenerSummary {
    const mine = this.events.filter((e) => e.user_id === userId);
    const latest = this.latestByUser.get(userId)!;
    const times = mine.map((e) => e.event_ts).sort();
    return {
      listenerId: userId,
      country: latest.country,
      lastDevice: latest.device_type,
      firstEventAt: times[0] ?? null,
      lastEventAt: times[times.length - 1] ?? null,
      minutes: mine.reduce((n, e) => n + e.ms, 0) / 60_000,
    };
  }

  search(q: string, limit: number): ListenerSummary[] {
    const needle = q.toLowerCase();
    return [...this.latestByUser.keys()]
      .filter((id) => id.toLowerCase().includes(needle))
      .sort((a, b) => a.length - b.length || compareIds(a, b))
      .slice(0, limit)
      .map((id) => this.listener(id));
  }

  wrapped(userId: string, range: DateRange): Wrapped {
    const mine = this.inRange(range).filter((e) => e.user_id === userId);
    const s = mine.reduce(add, emptySums());
    const top = (
      key: (e: Event) => string | null,
      name: (id: string) => string,
      artist?: (id: string) => string,
    ) =>
      [...sumBy(mine, key).entries()]
        .sort(([a, x], [b, y]) => y.msPlayed - x.msPlayed || y.plays - x.plays || compareIds(a, b))
        .slice(0, 5)
        .map(
          ([id, t], i): WrappedItem => ({
            rank: i + 1,
            id,
            name: name(id),
            artistName: artist ? artist(id) : null,
            plays: t.plays,
            msPlayed: t.msPlayed,
            minutes: t.msPlayed / 60_000,
          }),
        );
    const topTracks = top(
      (e) => e.track_id,
      this.trackName,
      (id) => this.artistName(this.trackArtist(id)),
    );
    const topArtists = top((e) => e.artist_id, this.artistName);
    const topGenres = top(
      (e) => this.genre(e.artist_id),
      (id) => id,
    );
    const first = topArtists[0];
    let standing: Wrapped['topArtistStanding'] = null;
    if (first) {
      const perListener = sumBy(
        this.inRange(range).filter((e) => e.artist_id === first.id),
        (e) => e.user_id,
      );
      const ahead = [...perListener.values()].filter((x) => x.msPlayed > first.msPlayed).length;
      standing = {
        artistId: first.id,
        artistName: first.name,
        listeners: perListener.size,
        listenersAhead: ahead,
        topPercent: (100 * (ahead + 1)) / perListener.size,
      };
    }
    const byHour = sumBy(mine, (e) => String(new Date(e.event_ts).getUTCHours()));
    const clock = Array.from({ length: 24 }, (_, hour) => {
      const h = byHour.get(String(hour)) ?? emptySums();
      return { hour, plays: h.plays, minutes: h.msPlayed / 60_000 };
    });
    const months = [...new Set(mine.map((e) => e.event_ts.slice(0, 7)))].sort().map((month) => {
      const [id, t] = [
        ...sumBy(
          mine.filter((e) => e.event_ts.startsWith(month)),
          (e) => e.artist_id,
        ).entries(),
      ].sort(([a, x], [b, y]) => y.msPlayed - x.msPlayed || y.plays - x.plays || compareIds(a, b))[0]!;
      return {
        month,
        artistId: id,
        artistName: this.artistName(id),
        minutes: t.msPlayed / 60_000,
        plays: t.plays,
      };
    });
    const times = mine.map((e) => e.event_ts).sort();
    const distinctTracks = new Set(mine.filter((e) => e.event_type === 'play').map((e) => e.track_id)).size;
    return {
      listenerId: userId,
      range,
      totals: {
        ...measures(s),
        events: s.events,
        distinctTracks,
        distinctArtists: new Set(mine.filter((e) => e.event_type === 'play').map((e) => e.artist_id)).size,
        activeDays: new Set(mine.map((e) => e.date)).size,
        firstEventAt: times[0] ?? null,
        lastEventAt: times[times.length - 1] ?? null,
      },
      topTracks,
      topArtists,
      topGenres,
      topArtistStanding: standing,
      clock,
      months,
      personality: personalityOf({
        plays: s.plays,
        distinctTracks,
        msPlayed: s.msPlayed,
        topArtistMsPlayed: first?.msPlayed ?? 0,
        clock,
      }),
    };
  }
}
