import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, makeWorkdir, repoRoot } from '@spotify-pipeline/harness';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filters } from '../src/contract.js';
import { buildDashboard } from './build-dashboard.js';
import { GroundTruth } from './ground-truth.js';
import { type PipelineLake, runPipelineToLake } from './pipeline.js';
import { duckdbWarehouse, loadAndBuild, type RunningInsights, startInsights } from './warehouses.js';

/** Test artifacts (git-ignored): screenshots and the exported PNG of each run. */
const ARTIFACTS = join(repoRoot, '.local/insights-screenshots');
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = (n: number) => integer.format(Math.round(n));

function commonest(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

// The dashboard in headless Chromium (Debian's, driven by playwright-core), built from source for this run,
// served by the insights service over a DuckDB gold filled by the real pipeline stages.
describe('the dashboard in Chromium', () => {
  let lake: PipelineLake;
  let truth: GroundTruth;
  let insights: RunningInsights;
  let browser: Browser;
  const web = makeWorkdir('insights-web');

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildDashboard(web.path);
    lake = await runPipelineToLake({ listeners: 30, days: 3, start: '2026-01-30', seed: 5 });
    truth = new GroundTruth(lake.events, lake.artists);
    const warehouse = await duckdbWarehouse(lake);
    await loadAndBuild(lake, warehouse.loaderEnv, 'duckdb');
    insights = await startInsights(warehouse.insightsEnv, { webDir: web.path });
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await insights?.close();
    await lake?.stop();
    web.remove();
  });

  async function open(path: string, viewport = { width: 1280, height: 1000 }): Promise<Page> {
    const page = await browser.newPage({ viewport, acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    (page as Page & { problems: string[] }).problems = problems;
    await page.goto(`${insights.url}${path}`);
    return page;
  }
  const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

  it('shows the overview with the expected key figures and top tracks', async () => {
    const range = { from: truth.firstDate, to: truth.lastDate };
    const expected = truth.overview(range, {});
    const page = await open(`/?from=${range.from}&to=${range.to}`);
    await expect
      .poll(() => page.getByTestId('kpi-plays-value').textContent())
      .toBe(whole(expected.kpis.plays.value!));
    expect(await page.getByTestId('kpi-dau-value').textContent()).toBe(
      decimal.format(expected.kpis.dailyActiveListeners.value!),
    );
    expect(await page.getByTestId('kpi-minutes-value').textContent()).toBe(
      whole(expected.kpis.minutes.value!),
    );
    const top = truth.chart('tracks', range, {}, 10).entries;
    const rows = page.getByTestId('top-tracks').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(top.length);
    expect(await rows.first().locator('td').nth(1).textContent()).toContain(top[0]!.name);
    expect(await rows.first().getByTestId('plays').textContent()).toBe(whole(top[0]!.plays));
    await page.getByTestId('heatmap').locator('svg').waitFor();
    await page.getByTestId('country-chart').locator('svg').waitFor();
    expect(await page.getByText('Loading').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('changes the figures when a country and then a device filter is chosen, and keeps them in the URL', async () => {
    const range = { from: truth.firstDate, to: truth.lastDate };
    const country = commonest(truth.events.flatMap((e) => (e.country === null ? [] : [e.country])));
    const device = commonest(truth.events.filter((e) => e.country === country).map((e) => e.device_type));
    const page = await open(`/?from=${range.from}&to=${range.to}`);
    const plays = page.getByTestId('kpi-plays-value');
    await expect.poll(() => plays.textContent()).toBe(whole(truth.overview(range, {}).kpis.plays.value!));

    await page.selectOption('select[name=country]', country);
    const byCountry = truth.overview(range, { country } as Filters);
    await expect.poll(() => plays.textContent()).toBe(whole(byCountry.kpis.plays.value!));
    expect(byCountry.kpis.plays.value).toBeLessThan(truth.overview(range, {}).kpis.plays.value!);
    expect(page.url()).toContain(`country=${country}`);

    await page.selectOption('select[name=device]', device);
    const both = truth.overview(range, { country, device } as Filters);
    await expect.poll(() => plays.textContent()).toBe(whole(both.kpis.plays.value!));
    const top = truth.chart('tracks', range, { country, device } as Filters, 10).entries[0]!;
    await expect
      .poll(() =>
        page.getByTestId('top-tracks').locator('tbody tr').first().getByTestId('plays').textContent(),
      )
      .toBe(whole(top.plays));

    // The filtered view is a link: opening it fresh shows the same figures.
    const shared = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    await expect
      .poll(() => shared.getByTestId('kpi-plays-value').textContent())
      .toBe(whole(both.kpis.plays.value!));
    expect(problemsOf(page)).toEqual([]);
    await shared.close();
    await page.close();
  });

  it("renders a listener's Wrapped with the expected figures and exports the summary card as a PNG", async () => {
    const listener = commonest(truth.events.map((e) => e.user_id));
    const w = truth.wrapped(listener, { from: '2026-01-01', to: '2026-12-31' });
    const page = await open(`/wrapped/${listener}?year=2026`);
    await expect.poll(() => page.getByTestId('wrapped-minutes').textContent()).toBe(whole(w.totals.minutes));
    expect(await page.getByTestId('top-artists').locator('li').allTextContents()).toEqual(
      w.topArtists.map((a) => a.name),
    );
    expect(await page.getByTestId('top-genres').locator('li').allTextContents()).toEqual(
      w.topGenres.map((g) => g.name),
    );
    expect(await page.getByTestId('wrapped-standing').textContent()).toBe(
      `In the top ${Math.max(1, Math.ceil(w.topArtistStanding!.topPercent))}% of listeners of ${w.topArtistStanding!.artistName}`,
    );
    expect(await page.getByTestId('wrapped-personality').textContent()).toContain(w.personality.name);
    expect(await page.getByTestId('months').locator('tbody tr').count()).toBe(w.months.length);
    await page.getByTestId('listening-clock').locator('svg').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'wrapped.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-png').click(),
    ]);
    const file = join(ARTIFACTS, 'wrapped-card.png');
    await download.saveAs(file);
    const png = await import('node:fs').then((fs) => fs.readFileSync(file));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const box = (await page.getByTestId('wrapped-card').boundingBox())!;
    // The card at twice its CSS size; a fractional box rasterises to the whole pixel on either side.
    expect(Math.abs(width - box.width * 2)).toBeLessThan(1.5);
    expect(Math.abs(height - box.height * 2)).toBeLessThan(1.5);
    expect(download.suggestedFilename()).toBe(`wrapped-${listener}-2026.png`);
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('answers a listener id gold has never seen with a clear not-found page', async () => {
    const page = await open(`/wrapped/${encodeURIComponent("nobody' or 1=1 --")}`);
    const notFound = page.getByTestId('not-found');
    await notFound.waitFor();
    expect(await notFound.locator('h1').textContent()).toBe('Listener not found');
    expect(await notFound.textContent()).toContain('No listener "nobody\' or 1=1 --" in gold.');
    await page.screenshot({ path: join(ARTIFACTS, 'not-found.png') });
    await page.close();
  });

  it('fits a phone screen: nothing wider than the viewport', async () => {
    const listener = commonest(truth.events.map((e) => e.user_id));
    for (const [name, path] of [
      ['overview-phone', `/?from=${truth.firstDate}&to=${truth.lastDate}`],
      ['wrapped-phone', `/wrapped/${listener}`],
    ] as const) {
      const page = await open(path, { width: 390, height: 844 });
      await page.locator('svg').first().waitFor();
      await page.waitForLoadState('networkidle');
      const { scroll, viewport } = await page.evaluate<{ scroll: number; viewport: number }>(
        '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
      );
      expect(scroll, name).toBeLessThanOrEqual(viewport);
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      await page.close();
    }
    writeFileSync(
      join(ARTIFACTS, 'README.txt'),
      'Screenshots from the last run of services/insights/test/dashboard.test.ts\n',
    );
  });
});
