// The chart's Prometheus objects hold to the code: every alert is valid PromQL (the Prometheus project's own
// parser), names only metrics the operator and the workloads register (or kube-state-metrics'), and groups by
// labels those metrics carry or the monitors add; the monitors select the Service and pods the chart and the
// operator create, on the port they name.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parser } from '@prometheus-io/lezer-promql';
import { componentPaths } from '@spotify-pipeline/harness';
import { createLakeWriterMetrics } from '@spotify-pipeline/lake-writer/metrics';
import { publisherMetrics } from '@spotify-pipeline/shared/publisher';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MANAGED_BY } from '../src/builders/context.js';
import { METRICS_PORT } from '../src/builders/pod-security.js';
import { createOperatorMetrics } from '../src/controller/metrics.js';

const run = promisify(execFile);
const chart = resolve(import.meta.dirname, '../../charts/spotify-pipeline');

interface Doc {
  kind: string;
  metadata: { labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

async function render(...set: string[]): Promise<Doc[]> {
  const args = [
    'template',
    'sp',
    chart,
    '-n',
    'sp-system',
    '-f',
    join(chart, 'ci', 'monitoring-values.yaml'),
  ];
  for (const s of set) args.push('--set', s);
  const { stdout } = await run(componentPaths().helm, args, { maxBuffer: 32 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

/** Every metric the project registers, with its label names. */
function registeredMetrics(): Map<string, string[]> {
  const registry = new Registry();
  createOperatorMetrics(registry);
  createLakeWriterMetrics(registry);
  publisherMetrics(registry);
  const metrics = new Map<string, string[]>();
  for (const m of registry.getMetricsAsArray())
    metrics.set(m.name, [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])]);
  return metrics;
}

/** kube-state-metrics', documented by that project; the chart README says it is needed. */
const EXTERNAL = new Map([['kube_cronjob_status_last_successful_time', ['namespace', 'cronjob']]]);
/** Labels every scraped series gets: the target's namespace and pod, and what the PodMonitor relabels. */
const TARGET_LABELS = ['namespace', 'pod', 'pipeline', 'component'];

function promql(expr: string): { errors: number; metrics: string[]; groupBy: string[] } {
  const tree = parser.parse(expr);
  const out = { errors: 0, metrics: [] as string[], groupBy: [] as string[] };
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) out.errors++;
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) out.metrics.push(expr.slice(id.from, id.to));
      }
      if (n.name === 'LabelName' && n.node.parent?.name === 'GroupingLabels')
        out.groupBy.push(expr.slice(n.from, n.to));
    },
  });
  return out;
}

describe("the chart's Prometheus objects", () => {
  it('alerts on lag, dead letters, reconcile errors and freshness, each valid PromQL over registered metrics', async () => {
    const rule = (await render()).find((d) => d.kind === 'PrometheusRule');
    const groups = rule?.spec.groups as Array<{ rules: Array<{ alert: string; expr: string; for: string }> }>;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'SpotifyPipelineLakeWriterLag',
      'SpotifyPipelineDeadLetters',
      'SpotifyPipelineSourceDeadLetters',
      'SpotifyPipelineReconcileErrors',
      'SpotifyPipelineLakeStale',
      'SpotifyPipelineWarehouseStale',
    ]);
    const registered = registeredMetrics();
    for (const r of rules) {
      const parsed = promql(r.expr);
      expect(parsed.errors, `${r.alert}: ${r.expr}`).toBe(0);
      expect(parsed.metrics.length, r.alert).toBeGreaterThan(0);
      for (const metric of parsed.metrics) {
        const labels = registered.get(metric) ?? EXTERNAL.get(metric);
        expect(labels, `${r.alert} names ${metric}, which nothing registers`).toBeDefined();
        for (const label of parsed.groupBy)
          expect([...(labels ?? []), ...TARGET_LABELS], `${r.alert} groups by ${label}`).toContain(label);
      }
      expect(r.for).toBe('10m');
    }
    expect(rule?.metadata.labels?.release).toBe('prometheus');
  });

  it('is a check that can fail: a typo in an expression or a metric name is caught', () => {
    expect(promql('sum by (topic) (rate(lake_writer_dead_lettered_total[5m]) >').errors).toBeGreaterThan(0);
    expect(registeredMetrics().has('lake_writer_dead_letters_total')).toBe(false);
  });

  it('renders the thresholds as numbers PromQL reads, large ones without an exponent', async () => {
    const rule = (
      await render(
        'metrics.prometheusRule.alerts.lagRecords=25000000',
        'metrics.prometheusRule.alerts.for=30m',
      )
    ).find((d) => d.kind === 'PrometheusRule');
    const rules = (rule!.spec.groups as Array<{ rules: Array<{ expr: string; for: string }> }>)[0]!.rules;
    expect(rules[0]?.expr).toMatch(/> 25000000$/);
    expect(rules[0]?.for).toBe('30m');
    expect(promql(rules[0]!.expr).errors).toBe(0);
  });

  it('monitors scrape the Service and the pods the chart and the operator create, on their metrics port', async () => {
    const docs = await render();
    const service = docs.find((d) => d.kind === 'Service')!;
    const monitor = docs.find((d) => d.kind === 'ServiceMonitor')!;
    const selector = (monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    expect(service.metadata.labels).toMatchObject(selector);
    const servicePorts = (service.spec.ports as Array<{ name: string }>).map((p) => p.name);
    for (const e of monitor.spec.endpoints as Array<{ port: string }>) expect(servicePorts).toContain(e.port);

    const pods = docs.find((d) => d.kind === 'PodMonitor')!;
    expect(pods.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/managed-by': MANAGED_BY } });
    expect(pods.spec.namespaceSelector).toEqual({ any: true });
    expect(pods.spec.podMetricsEndpoints).toMatchObject([{ port: 'metrics' }]);
    expect(METRICS_PORT).toBeGreaterThan(0);

    const scoped = (await render('operator.watchNamespaces={team-a,team-b}')).find(
      (d) => d.kind === 'PodMonitor',
    )!;
    expect(scoped.spec.namespaceSelector).toEqual({ matchNames: ['team-a', 'team-b'] });
  });

  it('refuses a ServiceMonitor without the Service it scrapes', async () => {
    await expect(render('metrics.service.enabled=false')).rejects.toThrow(
      /metrics\.serviceMonitor\.enabled needs metrics\.service\.enabled/,
    );
  });
});
