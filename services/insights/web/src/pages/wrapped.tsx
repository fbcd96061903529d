import { toPng } from 'html-to-image';
import { useRef, useState } from 'preact/hooks';
import { api, type Meta, type Params, type Wrapped } from '../api.js';
import { Chart } from '../components/chart.js';
import { artistPath, Link, trackPath } from '../components/link.js';
import { Failure, Loading } from '../components/states.js';
import { useAnswer } from '../data.js';
import { formatHour, formatInteger, formatMinutes, formatPercent, formatTopPercent } from '../format.js';
import { type Location, navigate, withParams } from '../router.js';
import { NotFoundPage } from './not-found.js';

const rangeParams = (location: Location): Params => ({
  year: location.params.get('year') ?? undefined,
  from: location.params.get('from') ?? undefined,
  to: location.params.get('to') ?? undefined,
});

function periodLabel(w: Wrapped): string {
  const { from, to } = w.range;
  return from.endsWith('-01-01') && to.endsWith('-12-31') && from.slice(0, 4) === to.slice(0, 4)
    ? from.slice(0, 4)
    : `${from} – ${to}`;
}

export function WrappedPage(props: { listenerId: string; location: Location; meta: Meta | null }) {
  const params = rangeParams(props.location);
  const answer = useAnswer(
    () => api.wrapped(props.listenerId, params),
    `${props.listenerId}${JSON.stringify(params)}`,
  );
  if (answer.state === 'loading') return <Loading what={`the Wrapped of ${props.listenerId}`} />;
  if (answer.state === 'error')
    return answer.error.status === 404 ? (
      <NotFoundPage title="Listener not found" message={answer.error.message} />
    ) : (
      <Failure error={answer.error} />
    );
  const w = answer.data;
  return (
    <>
      <h1>
        Wrapped <span class="secondary-text">for {w.listenerId}</span>
      </h1>
      <PeriodPicker location={props.location} meta={props.meta} wrapped={w} />
      {w.totals.events === 0 ? (
        <p class="state empty" data-testid="wrapped-empty">
          {w.listenerId} did not listen between {w.range.from} and {w.range.to}. Pick another period.
        </p>
      ) : (
        <>
          <SummaryCard wrapped={w} />
          <div class="two-columns">
            <ListeningClock wrapped={w} />
            <Months wrapped={w} />
          </div>
          <Personality wrapped={w} />
        </>
      )}
    </>
  );
}

function PeriodPicker(props: { location: Location; meta: Meta | null; wrapped: Wrapped }) {
  const first = Number((props.meta?.firstDate ?? props.wrapped.range.from).slice(0, 4));
  const last = Number((props.meta?.lastDate ?? props.wrapped.range.to).slice(0, 4));
  const years = Array.from({ length: Math.max(1, last - first + 1) }, (_, i) => last - i);
  const custom = props.location.params.has('from') || props.location.params.has('to');
  const year = custom ? '' : (props.location.params.get('year') ?? props.wrapped.range.from.slice(0, 4));
  return (
    <form class="filters" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
      <label>
        Year
        <select
          name="year"
          value={year}
          onChange={(e) =>
            navigate(
              withParams(props.location, {
                year: (e.currentTarget as HTMLSelectElement).value,
                from: '',
                to: '',
              }),
            )
          }
        >
          {custom && <option value="">Custom range</option>}
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {y}
            </option>
          ))}
        </select>
      </label>
      {(['from', 'to'] as const).map((key) => (
        <label key={key}>
          {key === 'from' ? 'From' : 'To'}
          <input
            type="date"
            name={key}
            value={custom ? (props.location.params.get(key) ?? '') : ''}
            onChange={(e) =>
              navigate(
                withParams(props.location, { [key]: (e.currentTarget as HTMLInputElement).value, year: '' }),
              )
            }
          />
        </label>
      ))}
    </form>
  );
}

function TopList(props: {
  title: string;
  testId: string;
  items: Wrapped['topTracks'];
  link?: (id: string) => string;
}) {
  return (
    <div>
      <h3>{props.title}</h3>
      {props.items.length === 0 ? (
        <p class="secondary-text">none yet</p>
      ) : (
        <ol data-testid={props.testId}>
          {props.items.map((item) => (
            <li key={item.id}>
              {props.link ? <Link to={props.link(item.id)}>{item.name}</Link> : item.name}
              {item.artistName && <span class="card-secondary"> · {item.artistName}</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The shareable card: what the real Wrapped puts on its summary, and what the PNG export captures. */
function SummaryCard(props: { wrapped: Wrapped }) {
  const w = props.wrapped;
  const card = useRef<HTMLElement>(null);
  const [status, setStatus] = useState('');
  const label = periodLabel(w);
  const download = async () => {
    if (!card.current) return;
    setStatus('Drawing the image…');
    try {
      const url = await toPng(card.current, { pixelRatio: 2, cacheBust: true });
      const a = document.createElement('a');
      a.href = url;
      a.download = `wrapped-${w.listenerId.replace(/[^\w.-]+/g, '_')}-${label.replace(/[^\d-]+/g, '_')}.png`;
      a.click();
      setStatus('Image downloaded.');
    } catch (err) {
      setStatus(`The image could not be made: ${(err as Error).message}`);
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus('Link copied.');
    } catch {
      setStatus(`Share this link: ${window.location.href}`);
    }
  };
  const standing = w.topArtistStanding;
  return (
    <section aria-label="Summary">
      <article class="wrapped-card" ref={card} data-testid="wrapped-card">
        <p class="card-eyebrow">
          {label} Wrapped · <span data-testid="wrapped-listener">{w.listenerId}</span>
        </p>
        <p class="card-minutes">
          <span data-testid="wrapped-minutes">{formatMinutes(w.totals.minutes)}</span>
          <span class="card-unit"> minutes listened</span>
        </p>
        <p class="card-line">
          {formatInteger(w.totals.plays)} plays · {formatInteger(w.totals.distinctTracks)} different tracks ·{' '}
          {formatInteger(w.totals.activeDays)} days
        </p>
        <div class="card-lists">
          <TopList title="Top artists" testId="top-artists" items={w.topArtists} />
          <TopList title="Top tracks" testId="top-tracks" items={w.topTracks} />
          <TopList title="Top genres" testId="top-genres" items={w.topGenres} />
        </div>
        <p class="card-line" data-testid="wrapped-personality">
          Listening personality: <strong>{w.personality.name}</strong>
          {w.personality.timeOfDay && ` · ${w.personality.timeOfDay}`}
        </p>
        {standing && (
          <p class="card-line" data-testid="wrapped-standing">
            In the <strong>{formatTopPercent(standing.topPercent)}</strong> of listeners of{' '}
            <strong>{standing.artistName}</strong>
          </p>
        )}
      </article>
      <div class="actions">
        <button type="button" onClick={download} data-testid="download-png">
          Download as PNG
        </button>
        <button type="button" class="secondary" onClick={copy}>
          Copy link
        </button>
        <span role="status">{status}</span>
      </div>
      <p class="secondary-text">
        Top artists:{' '}
        {w.topArtists.map((a, i) => (
          <span key={a.id}>
            {i > 0 && ', '}
            <Link to={artistPath(a.id)}>{a.name}</Link>
          </span>
        ))}
        . Top tracks:{' '}
        {w.topTracks.map((t, i) => (
          <span key={t.id}>
            {i > 0 && ', '}
            <Link to={trackPath(t.id)}>{t.name}</Link>
          </span>
        ))}
        .
      </p>
    </section>
  );
}

function ListeningClock(props: { wrapped: Wrapped }) {
  const { clock, personality } = props.wrapped;
  return (
    <section aria-labelledby="clock-heading">
      <h2 id="clock-heading">Listening clock (UTC)</h2>
      <Chart
        height={300}
        testId="listening-clock"
        label={`Minutes listened per hour of the day; most at ${personality.peakHour === null ? 'no hour' : formatHour(personality.peakHour)} UTC`}
        option={{
          tooltip: {},
          polar: { radius: ['12%', '78%'] },
          angleAxis: {
            type: 'category',
            data: clock.map((h) => String(h.hour)),
            startAngle: 90,
            axisTick: { show: false },
          },
          radiusAxis: { axisLabel: { show: false }, splitLine: { show: false } },
          series: [
            {
              name: 'Minutes',
              type: 'bar',
              coordinateSystem: 'polar',
              data: clock.map((h) => Math.round(h.minutes)),
            },
          ],
        }}
      />
    </section>
  );
}

function Months(props: { wrapped: Wrapped }) {
  return (
    <section aria-labelledby="months-heading">
      <h2 id="months-heading">Top artist, month by month</h2>
      <table class="chart-table" data-testid="months">
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Artist</th>
            <th scope="col" class="number">
              Minutes
            </th>
          </tr>
        </thead>
        <tbody>
          {props.wrapped.months.map((m) => (
            <tr key={m.month}>
              <td>{m.month}</td>
              <td>
                <Link to={artistPath(m.artistId)}>{m.artistName}</Link>
              </td>
              <td class="number">{formatMinutes(m.minutes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Personality(props: { wrapped: Wrapped }) {
  const p = props.wrapped.personality;
  return (
    <section aria-labelledby="personality-heading">
      <h2 id="personality-heading">Your listening personality: {p.name}</h2>
      <p>
        {p.description} Exploration {formatPercent(p.explorationScore)} (different tracks per play,{' '}
        {p.explorationStyle ?? '–'}); loyalty {formatPercent(p.loyaltyScore)} (minutes on your top artist,{' '}
        {p.loyaltyStyle ?? '–'})
        {p.peakHour !== null && `; you listen most around ${formatHour(p.peakHour)} UTC`}.
      </p>
    </section>
  );
}
