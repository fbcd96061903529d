import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyDefaults } from './defaults.js';
import {
  CHART_PATH,
  CHART_RULES_PATH,
  MANIFEST_PATH,
  RBAC_MANIFEST_PATH,
  renderChartRules,
  renderChartTemplate,
  renderManifest,
  renderRbacManifest,
} from './generate.js';
import { CRON_PATTERN, type PipelineSpec, specNode } from './spotify-pipeline.js';

describe('generated CRD', () => {
  it('manifests/ matches the generator (run `npm run -w @spotify-pipeline/operator generate`)', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(renderManifest());
  });

  it('the chart copy matches the generator and is kept on uninstall', () => {
    const chart = readFileSync(CHART_PATH, 'utf8');
    expect(chart).toBe(renderChartTemplate());
    expect(chart).toContain('helm.sh/resource-policy: keep');
    expect(chart).toContain('{{- if .Values.crds.create }}');
  });

  it('RBAC in manifests/ and the chart matches the generator', () => {
    expect(readFileSync(RBAC_MANIFEST_PATH, 'utf8')).toBe(renderRbacManifest());
    expect(readFileSync(CHART_RULES_PATH, 'utf8')).toBe(renderChartRules());
    expect(renderRbacManifest()).not.toMatch(/secrets[\s\S]{0,40}- list/);
  });

  it('is structural: every object and array node has a type', () => {
    const missing: string[] = [];
    const visit = (node: Record<string, unknown>, path: string) => {
      if (!node.type) missing.push(path);
      for (const [k, child] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      ))
        visit(child, `${path}.${k}`);
      if (node.items) visit(node.items as Record<string, unknown>, `${path}[]`);
    };
    visit(specNode.schema as Record<string, unknown>, 'spec');
    expect(missing).toEqual([]);
  });
});

describe('defaults', () => {
  it('fills nested defaults the way the API server does', () => {
    const spec = applyDefaults<PipelineSpec>(specNode.schema, {
      audience: { users: 1000 },
      kafka: { strimzi: { cluster: 'events' } },
      lake: { endpoint: 'http://s3:9000', bucket: 'lake', credentialsSecret: 'lake-creds' },
    });
    expect(spec.kafka.mode).toBe('strimzi');
    expect(spec.kafka.strimzi?.minBrokers).toBe(3);
    expect(spec.kafka.topic.name).toBe('listening-events');
    expect(spec.lakeWriter.batch.maxBytes).toBe('64Mi');
    expect(spec.schedule.load).toBe('*/15 * * * *');
    expect(spec.deletionPolicy).toBe('Retain');
    expect(spec.audience.eventsPerUserPerDay).toBe(80);
  });
});

describe('cron pattern', () => {
  const re = new RegExp(CRON_PATTERN);
  it.each([
    '*/15 * * * *',
    '5 * * * *',
    '0 3 * * MON-FRI',
    '0 3 * * mon-fri',
    '@hourly',
    '0,30 0-23/2 1 JAN-DEC ?',
    '59 23 31 12 6',
  ])('accepts %s', (v) => {
    expect(re.test(v)).toBe(true);
  });
  it.each([
    '* * * *',
    'every hour',
    '@sometimes',
    '',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * 32 * *',
    '* * * 13 *',
    '* * * * 7',
    '*/0 * * * *',
    '0 0 L * *',
    '@every 5m',
  ])('rejects %s', (v) => {
    expect(re.test(v)).toBe(false);
  });
});
