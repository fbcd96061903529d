import { type ArtistPage, api, type Params, type TrackPage } from '../api.js';
import { Chart } from '../components/chart.js';
import { artistPath, Link, trackPath } from '../components/link.js';
import { Failure, Loading } from '../components/states.js';
import { useAnswer } from '../data.js';
import { formatInteger, formatMinutes, formatPercent } from '../format.js';
import type { Location } from '../router.js';
import { NotFoundPage } from './not-found.js';

const rangeParams = (location: Location): Params => ({
  from: location.params.get('from') ?? undefined,
  to: location.params.get('to') ?? undefined,
});

function DailyChart(props: { daily: TrackPage['daily']; label: string }) {
  return (
    <Chart
      height={240}
      label={props.label}
      option={{
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 24, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: props.daily.map((d) => d.date) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: 'Plays', type: 'bar', data: props.daily.map((d) => d.plays) },
          { name: 'Listeners', type: 'line', data: props.daily.map((d) => d.listeners) },
        ],
      }}
    />
  );
}

function Figures(props: { figures: Array<[string, string]> }) {
  return (
    <dl class="figures">
      {props.figures.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function TrackView(props: { trackId: string; location: Location }) {
  const params = rangeParams(props.location);
  const answer = useAnswer(
    () => api.track(props.trackId, params),
    `${props.trackId}${JSON.stringify(params)}`,
  );
  if (answer.state === 'loading') return <Loading what="the track" />;
  if (answer.state === 'error')
    return answer.error.status === 404 ? (
      <NotFoundPage title="Track not found" message={answer.error.message} />
    ) : (
      <Failure error={answer.error} />
    );
  const { track, allTime, daily, range } = answer.data;
  return (
    <>
      <h1>{track.name}</h1>
      <p>
        by <Link to={artistPath(track.artistId)}>{track.artistName ?? track.artistId}</Link>
      </p>
      <Figures
        figures={[
          ['Chart rank (all time)', `#${allTime.chartRank}`],
          ['Plays', formatInteger(allTime.plays)],
          ['Listeners', formatInteger(allTime.listeners)],
          ['Minutes', formatMinutes(allTime.minutes)],
          ['Skip rate', formatPercent(allTime.skipRate)],
        ]}
      />
      <h2>
        Day by day{' '}
        <span class="range">
          {range.from} – {range.to}
        </span>
      </h2>
      <DailyChart daily={daily} label={`Plays and listeners of ${track.name} per day`} />
    </>
  );
}

export function ArtistView(props: { artistId: string; location: Location }) {
  const params = rangeParams(props.location);
  const answer = useAnswer(
    () => api.artist(props.artistId, params),
    `${props.artistId}${JSON.stringify(params)}`,
  );
  if (answer.state === 'loading') return <Loading what="the artist" />;
  if (answer.state === 'error')
    return answer.error.status === 404 ? (
      <NotFoundPage title="Artist not found" message={answer.error.message} />
    ) : (
      <Failure error={answer.error} />
    );
  const page: ArtistPage = answer.data;
  return (
    <>
      <h1>{page.artist.name}</h1>
      <p>{page.artist.genre ?? 'genre unknown'}</p>
      <Figures
        figures={[
          ['Listeners', formatInteger(page.allTime.listeners)],
          ['Plays', formatInteger(page.allTime.plays)],
          ['Minutes', formatMinutes(page.allTime.minutes)],
          ['Skip rate', formatPercent(page.allTime.skipRate)],
        ]}
      />
      <h2>Top tracks</h2>
      <ol>
        {page.topTracks.map((t) => (
          <li key={t.id}>
            <Link to={trackPath(t.id)}>{t.name}</Link>{' '}
            <span class="secondary-text">
              #{t.chartRank} · {formatInteger(t.plays)} plays
            </span>
          </li>
        ))}
      </ol>
      <h2>
        Day by day{' '}
        <span class="range">
          {page.range.from} – {page.range.to}
        </span>
      </h2>
      <DailyChart daily={page.daily} label={`Plays and listeners of ${page.artist.name} per day`} />
    </>
  );
}
