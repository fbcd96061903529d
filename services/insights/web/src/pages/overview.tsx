import { useState } from 'preact/hooks';
import { api, type ChartKind, type Meta, type Params } from '../api.js';
import { Chart } from '../components/chart.js';
import { Filters } from '../components/filters.js';
import { KpiCard } from '../components/kpi-card.js';
import { artistPath, Link, trackPath } from '../components/link.js';
import { Show } from '../components/states.js';
import { useAnswer } from '../data.js';
import {
  DAY_NAMES,
  DEVICE_NAMES,
  formatDecimal,
  formatInteger,
  formatMinutes,
  formatPercent,
} from '../format.js';
import type { Location } from '../router.js';

const filterParams = (location: Location): Params => ({
  from: location.params.get('from') ?? undefined,
  to: location.params.get('to') ?? undefined,
  country: location.params.get('country') ?? undefined,
  device: location.params.get('device') ?? undefined,
});

export function OverviewPage(props: { location: Location; meta: Meta | null }) {
  const params = filterParams(props.location);
  const key = JSON.stringify(params);
  return (
    <>
      <h1>Listening overview</h1>
      <Filters location={props.location} meta={props.meta} />
      <Kpis params={params} paramsKey={key} />
      <TopCharts params={params} paramsKey={key} />
      <div class="two-columns">
        <MixSection params={params} paramsKey={key} />
        <HeatmapSection params={params} paramsKey={key} />
      </div>
    </>
  );
}

function Kpis(props: { params: Params; paramsKey: string }) {
  const answer = useAnswer(() => api.overview(props.params), props.paramsKey);
  return (
    <section aria-labelledby="kpi-heading">
      <h2 id="kpi-heading">
        Key figures
        {answer.state === 'ok' && (
          <span class="range" data-testid="overview-range">
            {' '}
            {answer.data.range.from} – {answer.data.range.to}
          </span>
        )}
      </h2>
      <Show
        answer={answer}
        what="key figures"
        empty={(o) => o.daily.every((d) => d.activeListeners === 0)}
        emptyText="No listening in this range and filter. Try a wider date range."
      >
        {(o) => (
          <>
            <div class="kpis">
              <KpiCard
                label="Daily active listeners"
                kpi={o.kpis.dailyActiveListeners}
                format={formatDecimal}
                testId="kpi-dau"
              />
              <KpiCard label="Plays" kpi={o.kpis.plays} format={formatInteger} testId="kpi-plays" />
              <KpiCard
                label="Minutes listened"
                kpi={o.kpis.minutes}
                format={formatMinutes}
                testId="kpi-minutes"
              />
              <KpiCard
                label="Skip rate"
                kpi={o.kpis.skipRate}
                format={(n) => formatPercent(n)}
                higherIsBetter={false}
                testId="kpi-skip-rate"
              />
            </div>
            <Chart
              height={260}
              label={`Daily active listeners and minutes listened per day, ${o.range.from} to ${o.range.to}`}
              testId="trend-chart"
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 48, right: 56, top: 36, bottom: 28 },
                xAxis: { type: 'category', data: o.daily.map((d) => d.date) },
                yAxis: [
                  { type: 'value', name: 'listeners', minInterval: 1 },
                  { type: 'value', name: 'minutes', splitLine: { show: false } },
                ],
                series: [
                  {
                    name: 'Daily active listeners',
                    type: 'line',
                    data: o.daily.map((d) => d.activeListeners),
                  },
                  {
                    name: 'Minutes listened',
                    type: 'line',
                    yAxisIndex: 1,
                    lineStyle: { type: 'dashed' },
                    data: o.daily.map((d) => Math.round(d.minutes)),
                  },
                ],
              }}
            />
          </>
        )}
      </Show>
    </section>
  );
}

const CHART_TITLES: Record<ChartKind, string> = { tracks: 'Tracks', artists: 'Artists', genres: 'Genres' };

function TopCharts(props: { params: Params; paramsKey: string }) {
  const [kind, setKind] = useState<ChartKind>('tracks');
  const answer = useAnswer(
    () => api.chart(kind, { ...props.params, limit: 10 }),
    `${kind}${props.paramsKey}`,
  );
  return (
    <section aria-labelledby="charts-heading">
      <h2 id="charts-heading">Top charts</h2>
      <div class="tabs" role="tablist" aria-label="Chart">
        {(Object.keys(CHART_TITLES) as ChartKind[]).map((k) => (
          <button
            type="button"
            role="tab"
            key={k}
            aria-selected={k === kind}
            class={k === kind ? 'tab active' : 'tab'}
            onClick={() => setKind(k)}
          >
            {CHART_TITLES[k]}
          </button>
        ))}
      </div>
      <Show answer={answer} what={`top ${kind}`} empty={(c) => c.entries.length === 0}>
        {(chart) => {
          const most = Math.max(1, ...chart.entries.map((e) => e.plays));
          return (
            <table class="chart-table" data-testid={`top-${chart.kind}`}>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{CHART_TITLES[chart.kind].slice(0, -1)}</th>
                  <th scope="col" class="number">
                    Plays
                  </th>
                  <th scope="col" class="number">
                    Minutes
                  </th>
                  <th scope="col" class="number hide-narrow">
                    Listeners
                  </th>
                </tr>
              </thead>
              <tbody>
                {chart.entries.map((e) => (
                  <tr key={e.id}>
                    <td>{e.rank}</td>
                    <td>
                      {chart.kind === 'tracks' ? (
                        <>
                          <Link to={trackPath(e.id)}>{e.name}</Link>
                          {e.artistId && (
                            <span class="secondary-text">
                              {' '}
                              · <Link to={artistPath(e.artistId)}>{e.artistName ?? e.artistId}</Link>
                            </span>
                          )}
                        </>
                      ) : chart.kind === 'artists' ? (
                        <Link to={artistPath(e.id)}>{e.name}</Link>
                      ) : (
                        e.name
                      )}
                      <span class="bar" style={{ width: `${(100 * e.plays) / most}%` }} aria-hidden="true" />
                    </td>
                    <td class="number" data-testid="plays">
                      {formatInteger(e.plays)}
                    </td>
                    <td class="number">{formatMinutes(e.minutes)}</td>
                    <td class="number hide-narrow">{formatInteger(e.listeners)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
    </section>
  );
}

function MixSection(props: { params: Params; paramsKey: string }) {
  const answer = useAnswer(() => api.mix(props.params), props.paramsKey);
  return (
    <section aria-labelledby="mix-heading">
      <h2 id="mix-heading">Country and device mix</h2>
      <Show answer={answer} what="country mix" empty={(m) => m.countries.length === 0}>
        {(mix) => (
          <>
            <Chart
              height={Math.max(160, 26 * Math.min(12, mix.countries.length) + 40)}
              label={`Share of minutes by country: ${mix.countries
                .slice(0, 12)
                .map((c) => `${c.key} ${formatPercent(c.minutesShare)}`)
                .join(', ')}`}
              testId="country-chart"
              option={{
                tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
                grid: { left: 40, right: 24, top: 8, bottom: 24 },
                xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
                yAxis: {
                  type: 'category',
                  inverse: true,
                  data: mix.countries.slice(0, 12).map((c) => c.key),
                },
                series: [
                  {
                    name: 'Share of minutes',
                    type: 'bar',
                    data: mix.countries.slice(0, 12).map((c) => Number(c.minutesShare.toFixed(4))),
                  },
                ],
              }}
            />
            <table class="mix-table" data-testid="device-mix">
              <caption>Devices</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col" class="number">
                    Listeners
                  </th>
                  <th scope="col" class="number">
                    Share of minutes
                  </th>
                </tr>
              </thead>
              <tbody>
                {mix.devices.map((d) => (
                  <tr key={d.key}>
                    <td>{DEVICE_NAMES[d.key] ?? d.key}</td>
                    <td class="number">{formatInteger(d.listeners)}</td>
                    <td class="number">{formatPercent(d.minutesShare)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Show>
    </section>
  );
}

function HeatmapSection(props: { params: Params; paramsKey: string }) {
  const answer = useAnswer(() => api.heatmap(props.params), props.paramsKey);
  return (
    <section aria-labelledby="heatmap-heading">
      <h2 id="heatmap-heading">When people listen (UTC)</h2>
      <Show answer={answer} what="listening heatmap" empty={(h) => h.cells.every((c) => c.plays === 0)}>
        {(heatmap) => {
          const busiest = heatmap.cells.reduce((a, b) => (b.minutes > a.minutes ? b : a));
          return (
            <Chart
              height={300}
              testId="heatmap"
              label={`Minutes listened by hour of the week; busiest: ${DAY_NAMES[busiest.dayOfWeek - 1]} ${busiest.hour}:00 UTC`}
              option={{
                tooltip: {
                  formatter: (p: { value: [number, number, number] }) =>
                    `${DAY_NAMES[p.value[1]]} ${p.value[0]}:00 UTC: ${formatMinutes(p.value[2])} min`,
                },
                grid: { left: 44, right: 12, top: 8, bottom: 64 },
                xAxis: {
                  type: 'category',
                  data: Array.from({ length: 24 }, (_, h) => String(h)),
                  splitArea: { show: true },
                },
                yAxis: { type: 'category', data: DAY_NAMES, inverse: true },
                visualMap: {
                  min: 0,
                  max: Math.max(1, Math.round(busiest.minutes)),
                  calculable: false,
                  orient: 'horizontal',
                  left: 'center',
                  bottom: 0,
                  itemHeight: 120,
                  // Light to dark blue: ordered by lightness, so it reads without colour vision too.
                  inRange: { color: ['#f7fbff', '#9ecae1', '#4292c6', '#08306b'] },
                  text: ['more', 'fewer minutes'],
                },
                series: [
                  {
                    name: 'Minutes listened',
                    type: 'heatmap',
                    data: heatmap.cells.map((c) => [c.hour, c.dayOfWeek - 1, Math.round(c.minutes)]),
                  },
                ],
              }}
            />
          );
        }}
      </Show>
    </section>
  );
}
