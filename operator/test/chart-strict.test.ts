import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  componentPaths,
  type KubeInstance,
  kubectlOrThrow,
  makeWorkdir,
  requireComponent,
  runKubectl,
  startKubeApiServer,
} from '@spotify-pipeline/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const chart = resolve(import.meta.dirname, '../../charts/spotify-pipeline');
const ciValues = readdirSync(join(chart, 'ci')).filter((f) => f.endsWith('-values.yaml'));
const helm = (...args: string[]) => run(componentPaths().helm, args, { maxBuffer: 32 * 1024 * 1024 });

// The Prometheus Operator's own CRDs (from its Go module, scripts/install-components.sh
// prometheus-operator-crds), for the chart's ServiceMonitor, PodMonitor and PrometheusRule.
const PROMETHEUS_OPERATOR_CRDS = ['servicemonitors', 'podmonitors', 'prometheusrules'].map((plural) =>
  join(componentPaths().prometheusOperatorCrds, `monitoring.coreos.com_${plural}.yaml`),
);

// kubectl's --validate=strict sends fieldValidation=Strict: an unknown or duplicated field is an error (without it
// the API server drops the field with a warning), and a server-side dry run goes through admission (schemas,
// CEL, RBAC escalation checks) without storing anything.
describe('every object the chart renders passes strict server-side validation', () => {
  let kube: KubeInstance;
  const dir = makeWorkdir('chart-strict');

  beforeAll(async () => {
    kube = await startKubeApiServer();
    await runKubectl(['create', 'namespace', 'sp-system'], { kubeconfig: kube.kubeconfigPath });
    for (const crd of PROMETHEUS_OPERATOR_CRDS) {
      requireComponent(crd, 'prometheus-operator-crds');
      await kubectlOrThrow(['create', '-f', crd], { kubeconfig: kube.kubeconfigPath });
    }
    await kubectlOrThrow(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'], {
      kubeconfig: kube.kubeconfigPath,
    });
  }, 240_000);
  afterAll(async () => {
    await kube?.stop();
    dir.remove();
  });

  const dryRun = async (manifest: string) => {
    const file = join(dir.path, `render-${Date.now()}.yaml`);
    writeFileSync(file, manifest);
    return runKubectl(['create', '--dry-run=server', '--validate=strict', '-f', file], {
      kubeconfig: kube.kubeconfigPath,
    });
  };

  it.each(ciValues)('with %s', async (values) => {
    const { stdout } = await helm(
      'template',
      'sp',
      chart,
      '-n',
      'sp-system',
      '--kube-version',
      '1.34.0',
      '-f',
      join(chart, 'ci', values),
    );
    const result = await dryRun(stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created \(server dry run\)/);
  });

  it("holds the monitoring objects to the Prometheus Operator's schemas", async () => {
    const { stdout } = await helm(
      'template',
      'sp',
      chart,
      '-n',
      'sp-system',
      '-f',
      join(chart, 'ci', 'monitoring-values.yaml'),
    );
    const kinds = parseAllDocuments(stdout).map((d) => (d.toJS() as { kind?: string } | null)?.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']));
    const result = await dryRun(`apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: strict-probe
  namespace: sp-system
spec:
  selector: {}
  endpoints:
    - port: metrics
      scrapeInterval: 30s
`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "spec.endpoints\[0\].scrapeInterval"/);
  });

  it('is a check that can fail: an unknown field is refused', async () => {
    const result = await dryRun(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: strict-probe
  namespace: sp-system
automountServiceAccountTokens: false
`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "automountServiceAccountTokens"/);
  });
});
